"""Closed deals and opportunities (won or lost) are read-only, notes aside, until an explicit
reopen (`POST /v1/deals/{id}/reopen`, `POST /v1/opportunities/{id}/reopen`).

The rule is a condition of the write itself: each update of one of these records is conditional on
it being open, in the same transaction, so a record closed by a concurrent request is not changed
behind its closer's back. A read before the write only words the answer: a record found closed is
409 at once, and a write cancelled by the condition reads the record again to say why.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from pynamodb.expressions.condition import Condition

from chalicelib.core.errors import Conflict, PreconditionFailed
from chalicelib.platform.tables.writes import Change, commit

# The problem type of a write refused because the record is closed: its section of the errors page
# the API serves (docs/errors.md; platform/routes/problems.py names the page).
CLOSED_TYPE = "/docs/errors#closed-record"


def closed_record(noun: str, collection: str, record_id: str, state: str) -> Conflict:
    reopen = f"{collection}/{record_id}/reopen"
    return Conflict(
        f"This {noun} is {state}: a closed {noun} is read-only. Reopen it first with POST {reopen}.",
        type=CLOSED_TYPE,
        state=state,
        reopen=reopen,
    )


def commit_while_open(
    parts: Sequence[Change], open_condition: Condition, closed_now: Callable[[], Conflict | None],
    also: Sequence[Change] = (),
) -> None:
    """Commit the record's update `parts` (its update first) and `also`, on condition the record is
    open. When the transaction is cancelled, `closed_now()` reads the record again and returns the
    error to answer if it is closed by now; otherwise the cancellation is what it was (412)."""
    parts[0].condition &= open_condition
    try:
        commit([*parts, *also])
    except PreconditionFailed:
        error = closed_now()
        if error is not None:
            raise error from None
        raise
