"""Stage 3: our own store: SQLAlchemy Core, SQLite by default, PostgreSQL-ready, Alembic."""
