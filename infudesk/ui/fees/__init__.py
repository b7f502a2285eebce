"""The fees screens."""
