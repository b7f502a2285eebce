"""Persistence: ORM models, the encrypted engine, migrations and backups."""
