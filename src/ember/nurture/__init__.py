"""The nurture list: contacts who said no (or were added by hand) get the newsletter, not calls."""
