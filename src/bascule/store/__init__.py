"""Stage 4: our own store (SQLAlchemy Core + Alembic; SQLite by default, PostgreSQL to scale):
staged campaigns, people and accounts, the apply of a plan, the journal. Imports domain, errors
and the stages to its left (snapshot, plan), never targets/spaces/feeds or anything above."""
