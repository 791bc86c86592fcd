"""One module per tool: how it signs its webhooks and how its events read. Pure."""
