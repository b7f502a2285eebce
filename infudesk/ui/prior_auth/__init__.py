"""The prior auth screens."""
