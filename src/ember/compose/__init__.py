"""Follow-up writing: thank-you notes, call openers, call-prep briefs, situation emails, voicemail pairs."""
