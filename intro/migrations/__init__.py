"""Alembic migrations. Run them with `intro db upgrade` (see intro/schema.py)."""
