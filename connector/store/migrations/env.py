"""Alembic environment: migrations run on the connection `engine.migrate` passes in."""

from alembic import context

from connector.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
