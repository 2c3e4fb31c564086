"""The local store: SQLite by default, PostgreSQL by URL, schema by Alembic."""
