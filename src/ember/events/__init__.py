"""Trigger events: signed webhooks, the tracking snippet, CSV imports, and the rules that read them."""
