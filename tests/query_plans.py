"""The query plans of the statements a piece of code runs, on SQLite or PostgreSQL."""

from __future__ import annotations

from sqlalchemy import event


def query_plans(session, action, *, as_chosen: bool = False) -> list[str]:
    """Run ``action()`` and return the plan of each statement it executed.

    By default sequential scans and sorts are discouraged, which shows whether an index *can*
    answer over a handful of test rows; ``as_chosen`` leaves the planner free, for data big
    enough (and analyzed) that its choice is the one production would make."""
    connection = session.connection()
    statements = []

    def collect(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", collect)
    try:
        action()
    finally:
        event.remove(connection, "before_cursor_execute", collect)
    sqlite = connection.dialect.name == "sqlite"
    if not sqlite and not as_chosen:
        # tiny test tables whose statistics depend on what other tests left: make the
        # planner say whether an index *can* answer, in index order, whatever it
        # would pick for a handful of rows (a sort or a scan still shows when no
        # index can do it)
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    return [
        "\n".join(str(row[-1]) for row in connection.exec_driver_sql(explain + sql, params))
        for sql, params in statements
    ]


def scans_a_table(plan: str) -> bool:
    """Whether the plan reads a whole table (not an index)."""
    if "Seq Scan" in plan:
        return True
    # SQLite: "SCAN <table>" without an index (scanning a subquery's rows is fine)
    return any(
        line.strip().startswith("SCAN shopping_mall_") and "INDEX" not in line
        for line in plan.splitlines()
    )
