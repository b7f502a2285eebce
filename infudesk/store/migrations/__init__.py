"""Alembic migrations of the infudesk database (applied automatically at start)."""
