"""What every screen shares: form helpers, widgets, background operations, change watching."""
