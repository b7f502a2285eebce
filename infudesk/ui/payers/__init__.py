"""The payers screens."""
