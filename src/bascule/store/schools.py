"""A school leaving the folder: how many accounts it holds, and every row of it removed."""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, select

from bascule.store.schema import account, applied_plan, metadata, night_run, operator, person

# Tables of the whole folder, no school's: a night handed to workers spans schools (its rows
# per school, night_job, are the school's); the département's operators look at every school
# (an operator's session looking at the school removed goes with it: keyed by its uai).
_FOLDER_TABLES = frozenset({night_run.name, operator.name})


def account_count(engine: Engine, uai: str) -> int:
    with engine.connect() as connection:
        found: int = connection.execute(
            select(func.count()).select_from(account.join(person, person.c.id ==
                                                          account.c.person_id))
            .where(person.c.uai == uai)).scalar_one()
    return found


def purge_school(engine: Engine, uai: str) -> int:
    """Every row of the school, in one transaction, children before parents; the number of
    rows removed. Every table is keyed by the school (uai) or by one of its people
    (person_id), or belongs to one of its applies (apply_id): a table that is none of these (nor
    one of the whole folder's) is refused rather than left behind."""
    removed = 0
    with engine.begin() as connection:
        people = select(person.c.id).where(person.c.uai == uai).scalar_subquery()
        applies = select(applied_plan.c.id).where(applied_plan.c.uai == uai).scalar_subquery()
        for table in reversed(metadata.sorted_tables):
            if "apply_id" in table.c:  # what an apply of the school changed
                removed += connection.execute(
                    delete(table).where(table.c.apply_id.in_(applies))).rowcount
                continue
            if "person_id" in table.c:
                removed += connection.execute(
                    delete(table).where(table.c.person_id.in_(people))).rowcount
            if "uai" in table.c:
                removed += connection.execute(delete(table).where(table.c.uai == uai)).rowcount
            elif "person_id" not in table.c and table.name not in _FOLDER_TABLES:
                raise AssertionError(f"table {table.name}: neither uai nor person_id")
    return removed
