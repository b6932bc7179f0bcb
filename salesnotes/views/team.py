"""Team.md and team.svg: every rep at once, who is out of breath, who will make budget.

Rendered from the team vault's own templates (or the built-in ones), never from a rep's: the
numbers come from `team.rollup`, this module only names them for the template and draws bars.
"""

from __future__ import annotations

import heapq
from decimal import Decimal
from typing import Any

from salesnotes.i18n import Labels
from salesnotes.model.breath import Breath
from salesnotes.model.money import money_formatter
from salesnotes.team.figures import ZERO, Client
from salesnotes.team.rollup import Rollup
from salesnotes.views.svg import MARKER, PALETTE, text

FILENAME = "Team.md"
TEMPLATE = "Team.md"
SVG = "team.svg"
TOP = 20  # clients out of breath listed across the team
CONFLICTS_SHOWN = 50  # more than this is a territory to redraw, not a list to read
ORDER = (Breath.OVERDUE, Breath.NEVER, Breath.DUE, Breath.OK)



def totals(rollup: Rollup) -> dict[str, Any] | None:
    """Exact sums of the reps' figures, or None when they count in different currencies."""
    built = [r.figures for r in rollup.built if r.figures]
    if not built or len({f.currency for f in built}) > 1:
        return None
    budget = sum((f.budget_ytd for f in built), ZERO)
    actual = sum((f.actual_ytd for f in built), ZERO)
    commissions = [f.commission for f in built if f.commission is not None]
    return {
        "clients": sum(f.clients for f in built),
        "counts": {b: sum(f.counts[b] for f in built) for b in Breath},
        "at_stake": sum((f.at_stake for f in built), ZERO),
        "budget_ytd": budget, "actual_ytd": actual,
        "attainment": actual / budget if budget > 0 else None,
        "commission": sum(commissions, ZERO) if commissions else None,
        "problems": sum(f.problems for f in built),
        "currency": built[0].currency,
    }


def top_out_of_breath(rollup: Rollup) -> list[Client]:
    clients = (c for r in rollup.built if r.figures for c in r.figures.out_of_breath)
    return heapq.nsmallest(TOP, clients, key=lambda c: (-c.stake, c.name.casefold(), c.rep))


def context(rollup: Rollup) -> dict[str, Any]:
    locale = rollup.team.locale
    money = {cur: money_formatter(cur, locale)
             for cur in {r.figures.currency for r in rollup.built if r.figures} | {"PLN"}}
    return {
        "today": rollup.today, "reps": rollup.reps, "total": totals(rollup),
        "top": top_out_of_breath(rollup), "conflicts": _by_money(rollup)[:CONFLICTS_SHOWN],
        "conflicts_more": max(0, len(rollup.conflicts) - CONFLICTS_SHOWN),
        "not_synced": [r for r in rollup.reps if r.error],
        # why a rep is not synced, in the team's language
        "why": {r.rep.name: Labels(locale).say(r.error.key, **r.error.fields)
                for r in rollup.reps if r.error},
        "breaths": ORDER, "svg": SVG,
        "cash": lambda amount, currency: money[currency](amount) if amount is not None else "–",
        "currency_of": {r.rep.name: r.figures.currency for r in rollup.built if r.figures},
    }


def _by_money(rollup: Rollup) -> list:
    """The conflicts over the most money first: those are worth settling this week."""
    return sorted(rollup.conflicts, key=lambda k: (-max(c.stake for c in k.holders), k.nip))


# -- team.svg ---------------------------------------------------------------------------------

WIDTH, LEFT, BAR, ROW, TOP_Y = 900, 180, 22, 34, 56


def team_svg(rollup: Rollup) -> bytes:
    """One bar per rep, its length by the money of their clients, split by breath."""
    t = Labels(rollup.team.locale)
    built = [r for r in rollup.built if r.figures]
    money = {r.rep.name: _money_by_breath(r.figures.members) for r in built if r.figures}
    counts = {r.rep.name: r.figures.counts for r in built if r.figures}
    most = max((sum(m.values(), ZERO) for m in money.values()), default=ZERO)
    height = TOP_Y + ROW * max(1, len(built)) + 40
    parts = [f'<text x="16" y="28" font-size="16" font-weight="bold">'
             f"{text(t.team_title)} · {rollup.today.isoformat()}</text>"]
    x = 16
    for b in ORDER:
        fill, stroke, _, _ = PALETTE[b]
        parts.append(f'<rect x="{x}" y="38" width="12" height="12" fill="{fill}" '
                     f'stroke="{stroke}"/><text x="{x + 16}" y="49">{text(t[b.value])}</text>')
        x += 24 + 7 * len(t[b.value])
    for i, r in enumerate(built):
        y = TOP_Y + i * ROW
        parts.append(f'<text x="16" y="{y + 16}">{text(r.rep.name[:24])}</text>')
        left = Decimal(LEFT)
        span = Decimal(WIDTH - LEFT - 16)
        for b in ORDER:
            amount = money[r.rep.name].get(b, ZERO)
            if amount <= 0 or most <= 0:
                continue
            w = (span * amount / most).quantize(Decimal("0.1"))
            fill, stroke, _, _ = PALETTE[b]
            parts.append(f'<rect x="{left}" y="{y}" width="{w}" height="{BAR}" fill="{fill}" '
                         f'stroke="{stroke}" stroke-width="0.5"/>')
            if w >= 28:  # the clients in the segment, where the number fits
                ink = "#FFFFFF" if b in (Breath.OVERDUE, Breath.OK) else "#000000"
                parts.append(f'<text x="{left + w / 2}" y="{y + 15}" text-anchor="middle" '
                             f'fill="{ink}">{counts[r.rep.name][b]}</text>')
            left += w
    head = ['<?xml version="1.0" encoding="UTF-8"?>', MARKER,
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="sans-serif" '
            f'font-size="12">',
            f'<rect width="{WIDTH}" height="{height}" fill="#FFFFFF"/>']
    return ("\n".join([*head, *parts, "</svg>"]) + "\n").encode("utf-8")


def _money_by_breath(clients: tuple[Client, ...]) -> dict[Breath, Decimal]:
    out: dict[Breath, Decimal] = {}
    for c in clients:
        out[c.breath] = out.get(c.breath, ZERO) + c.stake
    return out
