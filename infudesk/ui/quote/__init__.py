"""The quote screens."""
