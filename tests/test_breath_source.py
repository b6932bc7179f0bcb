"""The newest contact wins wherever it was written; on a tie the first source in README's
order (front-matter, log, git, daily notes) names it. Checked for all inputs against the rule
written as plainly as possible."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.model.breath import last_contact
from salesnotes.read.body import LogEntry

dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 1, 20))  # ties are common
maybe = st.none() | dates


def plainly(written, logged, git, daily):  # noqa: ANN001, ANN201
    found = [(written, "front-matter"), (max(logged, default=None), "log"), (git, "git"),
             (daily, "daily")]
    dated = [(d, s) for d, s in found if d is not None]
    if not dated:
        return None, None
    newest = max(d for d, _ in dated)
    return newest, next(s for d, s in dated if d == newest)


@settings(max_examples=400, deadline=None)
@given(maybe, st.lists(dates, max_size=4), maybe, maybe)
def test_newest_contact_and_its_source(written, logged, git, daily):
    log = tuple(LogEntry(d, None, "x", i) for i, d in enumerate(logged))
    note = SimpleNamespace(last_contact=written, body=SimpleNamespace(log=log))
    assert last_contact(note, git, daily) == plainly(written, logged, git, daily)
