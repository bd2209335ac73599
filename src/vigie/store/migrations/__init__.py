"""Alembic migrations of the workflow state (``vigie.store.state``); run by ``State.migrate``."""
