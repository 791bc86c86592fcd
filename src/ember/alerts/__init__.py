"""Alerts: telling the owning rep at once that a contact is warm again."""
