"""Alembic migrations. Run them with `intro db upgrade` (see core/schema.py)."""
