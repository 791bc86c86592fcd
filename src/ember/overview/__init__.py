"""A contact at a glance: record, plan, next steps and history in one read (the contact page)."""
