"""Alembic environment: migrate the connection that ``State.migrate`` hands over.

Run by hand against another database with ``alembic -x url=postgresql+psycopg://… upgrade head``
from this folder (``script_location`` is this folder).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from vigie.store.state import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = create_engine(str(url))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
