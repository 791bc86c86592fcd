"""Events from the tools a marketing team already runs.

A Segment-compatible tracking API (``/v1/...``, write keys as the HTTP Basic user)
and provider webhooks (newsletter, webinar, scheduling and form tools), each
verified the way its tool signs it, mapped to Ember's event types and handed to
the events intake: insert unless (source, external id) is stored, queue the new.
"""
