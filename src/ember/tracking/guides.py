"""What a person does in each tool to connect it, as the settings page says it. Pure data.

The CLI prints its own shorter steps (service._STEPS); docs/integrations.md has
the full story. These name the page's own buttons instead of commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.tracking.mapping import SourceKind


@dataclass(frozen=True)
class Guide:
    title: str  # the tools this kind is for
    sends: str  # what Ember does with what the tool sends
    steps: tuple[str, ...]


GUIDES: dict[str, Guide] = {
    SourceKind.WEBHOOK: Guide(
        "Your own systems and the website snippet",
        "Events in Ember's own shape or Segment's, signed the Standard Webhooks way.",
        ("Sign each POST to the address with the secret (headers webhook-id, webhook-timestamp, "
         "webhook-signature); any Standard Webhooks library does it.",
         "For the website, paste the snippet before </body> on every page: page views become signals.")),
    SourceKind.SEGMENT: Guide(
        "Segment, RudderStack or Jitsu libraries (tracking API)",
        "page, track, identify and the other calls; a pricing page visit by a nurture contact alerts the rep.",
        ("In the library's settings, set the API host (Segment: host, RudderStack: data plane URL) to the address.",
         "Use the write key as the library's write key. A server key is trusted with who the visitor is.",
         "For analytics.js in web pages, make a browser key: it records visits but cannot raise alerts "
         "from an identity it cannot prove.")),
    SourceKind.MAILCHIMP: Guide(
        "Mailchimp (newsletter)",
        "Subscribes become newsletter subscriptions (a trigger); unsubscribes are recorded, never alerted.",
        ("In Mailchimp: Audience, Settings, Webhooks, Create new webhook.",
         "Paste the address (its key is what proves a delivery: keep it private), tick Subscribes and "
         "Unsubscribes, save.")),
    SourceKind.KIT: Guide(
        "Kit, formerly ConvertKit (newsletter)",
        "New and activated subscribers become newsletter subscriptions; form sign-ups become form submissions.",
        ("In Kit, create a webhook endpoint with the address and the subscriber events you want.",
         "Kit shows the endpoint's secret once: paste it below with Store the tool's secret.")),
    SourceKind.ZOOM: Guide(
        "Zoom (webinars)",
        "Webinar registrations become RSVPs (a trigger) and joins become attendance.",
        ("In your Zoom app's Event Subscriptions, copy the Secret Token and paste it below first.",
         "Then paste the address as the notification endpoint and press Validate: Ember answers Zoom's check.",
         "Subscribe to webinar registration created and participant joined webinar.")),
    SourceKind.CALENDLY: Guide(
        "Calendly (booked meetings)",
        "A booking becomes a booked meeting (the shipped rule alerts the owner) and is logged as a meeting.",
        ("Create a webhook subscription through Calendly's API for invitee.created and invitee.canceled.",
         "Give the address as url and the secret as signing_key.")),
    SourceKind.HUBSPOT: Guide(
        "HubSpot (forms)",
        "Form submissions become form submissions on the contact with that Record ID or email.",
        ("In your HubSpot app's Webhooks settings, paste the address as the target URL and subscribe to "
         "changes of recent_conversion_event_name.",
         "Paste the app's client secret below: HubSpot signs with it. A workflow's Send a webhook action "
         "may post to the same address.")),
    SourceKind.TYPEFORM: Guide(
        "Typeform (forms)",
        "Each response becomes a form submission for the email it gives.",
        ("In the form: Connect, Webhooks, Add a webhook, paste the address.",
         "Edit the webhook, paste the secret into Secret, and switch it on.")),
}
