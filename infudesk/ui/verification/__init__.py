"""The verification screens."""
