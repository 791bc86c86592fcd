"""Sending follow-up emails by SMTP, exactly once, with retries and calendar invites."""
