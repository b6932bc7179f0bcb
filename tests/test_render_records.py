"""The records the views and their reports make are named tuples, not frozen dataclasses.

Each process of the split render imports the view modules it renders, after the fork, and a
frozen dataclass costs about a millisecond to make at import (its methods are compiled from
generated source): 33 of them were ~30 ms of the process rendering Portfolio, Budget and Pay,
most of its imports (ARCHITECTURE.md, speed: records). The few left say why below.
"""

from __future__ import annotations

import json
import subprocess
import sys

# Imported the way a render process does: salesnotes.views before the fork, then each view
# module; every class made by @dataclass on the way is named.
SCRIPT = """
import dataclasses, importlib, json
import salesnotes.views
made = []
real = dataclasses._process_class
def counting(cls, *args, **kwargs):
    made.append(f"{cls.__module__}.{cls.__qualname__}")
    return real(cls, *args, **kwargs)
dataclasses._process_class = counting
for name in salesnotes.views.VIEW_MODULES:
    importlib.import_module(f"salesnotes.views.{name}")
print(json.dumps(made))
"""

STILL_DATACLASSES = {
    # a field named `count`, which a template reads and a named tuple's `count()` would shadow
    "salesnotes.reports.budget.Unmatched",
    "salesnotes.views.portfolio.Count",
    "salesnotes.views.portfolio.TierSummary",
    "salesnotes.views.portfolio.TierMap",
    "salesnotes.views.portfolio.CompetitorGroup",
    # cached properties, which need an instance __dict__
    "salesnotes.reports.week_plan.Day",
    "salesnotes.reports.week_plan.WeekPlan",
    "salesnotes.reports.checklists.Checklist",
    # a default made by a factory (a dict), or fields set after it is made
    "salesnotes.model.daysoff.DaysOff",
    "salesnotes.views.treemap.Tile",
}


def test_view_imports_make_only_the_dataclasses_that_must_be() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True)
    made = json.loads(out.stdout)
    assert made, "the count itself must work"
    assert set(made) <= STILL_DATACLASSES, sorted(set(made) - STILL_DATACLASSES)


def test_a_record_reads_as_before_in_a_template() -> None:
    """Attributes, properties and `["items"]` (jinja falls back to the attribute when a
    tuple refuses a text index) read the same from a named tuple."""
    from decimal import Decimal

    from jinja2 import Environment

    from salesnotes.reports.checklists import Progress
    from salesnotes.views.checklists import ClientProgress
    from salesnotes.views.portfolio import Ranked

    ranked = Ranked(("a", "b"), 2, 0)
    progress = Progress(("x",), ("y", "z"), ())
    client = ClientProgress(None, progress, "▰▱")  # type: ignore[arg-type]
    text = Environment().from_string(
        "{{ r.rows|length }} {{ r.total }} {{ r.amount }} {{ r['more'] }} "
        "{{ c.progress.total }} {{ c.mark }}{{ c.open_more }} {{ c.bar }}").render(
        r=ranked, c=client)
    assert text == "2 2 0 0 3 0 ▰▱"
    assert ranked.amount == Decimal(0)


def test_the_process_rendering_portfolio_budget_and_pay_imports_no_week_plan() -> None:
    """Portfolio's phone links come from views/reach.py, not from contacts.py, which stands
    on the week plan's reports: the process rendering Portfolio, Budget and Pay (the render's
    heavier half) imported those for one function."""
    script = ("import sys, salesnotes.views\n"
              "import salesnotes.views.portfolio, salesnotes.views.budget, salesnotes.views.pay\n"
              "print(sorted(m for m in sys.modules if m.startswith('salesnotes.')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    loaded = set(json.loads(out.stdout.replace("'", '"')))
    assert "salesnotes.views.portfolio" in loaded
    assert not loaded & {"salesnotes.reports.week_plan", "salesnotes.views.contacts",
                         "salesnotes.model.daysoff"}
