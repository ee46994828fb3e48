"""A page runs the same number of SQL queries whatever its size (no N+1 behind a list)."""

from __future__ import annotations

from collections.abc import Callable


def assert_constant_queries(
    count_queries, add_rows: Callable[[int], None], read: Callable[[int], object]
) -> tuple[int, int]:
    """Make 10 rows and read a page of 10, then 100 rows and a page of 100: the two reads must
    run the same number of statements. Returns the two counts."""
    add_rows(10)
    with count_queries() as small:
        read(10)
    add_rows(90)
    with count_queries() as large:
        read(100)
    assert len(small) == len(large), (
        f"a page of 10 ran {len(small)} statements, a page of 100 ran {len(large)}:\n"
        + "\n".join(large)
    )
    return len(small), len(large)
