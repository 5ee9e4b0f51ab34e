"""Alembic migrations of the service's schema (`env.py`, and one module per revision in `versions/`)."""
