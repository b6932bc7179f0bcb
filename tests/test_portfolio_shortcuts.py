"""Portfolio's quicker paths write what the plain ones did: ranked lists cut by their lead,
the map's rows written in Python, links keyed by text, tiles folded by bisection."""

from __future__ import annotations

import heapq
import urllib.parse
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_portfolio import portfolio_files, render

from salesnotes.model.breath import Breath
from salesnotes.views import treemap
from salesnotes.views.engine import BUILTIN, Linker, make_env, url_path
from salesnotes.views.portfolio import _ranked

# the map as the built-in template wrote it before `map_rows`: a jinja loop of cells
JINJA_MAP = ("{% for row in m.rows %}\n|{% for c in row %} {% if c %}{{ c.glyph }} "
             "{{ c|link(c.short) }}{% endif %} |{% endfor +%}\n{% endfor %}\n")
# the built-in template's map: its rows written one by one (never joined whole)
MAP_LINES = "{% for line in m.rows|map_lines %}\n{{ line }}\n{% endfor %}\n"


money = st.sampled_from([Decimal(0), Decimal("0.00"), Decimal(5), Decimal("5.00"),
                         Decimal("12.5"), Decimal(100), Decimal("-3")])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(money, st.sampled_from(["b", "A", "a", "Ä", "c"])), max_size=60),
       st.integers(min_value=0, max_value=12))
def test_a_list_cut_by_its_lead_is_the_plain_nsmallest(rows, limit):
    def key(r):  # noqa: ANN001, ANN202
        return (-r[0], r[1].casefold())

    ranked = _ranked(rows, limit, key=key, lead=lambda r: -r[0])
    assert ranked.rows == tuple(heapq.nsmallest(limit, rows, key=key))
    assert [id(r) for r in ranked.rows] == [id(r) for r in heapq.nsmallest(limit, rows, key=key)]
    assert (ranked.total, ranked.more) == (len(rows), max(0, len(rows) - limit))


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8")))
def test_url_path_is_quote(text):
    assert url_path(text) == urllib.parse.quote(text, safe="/")


@pytest.mark.parametrize("style", ["markdown", "wiki"])
@pytest.mark.parametrize("path", ["clients/Kraków/A & B (2).md", "clients//x y.md", "a.md",
                                  "clients/.md", "clients/Noext"])
def test_a_link_is_the_same_from_a_path_or_its_text(style, path):
    link = Linker(style)
    made = link(PurePosixPath(path), "A | B")
    assert link(path, "A | B") == made
    assert link.to_note(SimpleNamespace(path=path, name="A | B")) == made
    assert link.to_note(SimpleNamespace(path=PurePosixPath(path), name="A | B")) == made
    if style == "markdown":
        assert made.endswith(f"(../{urllib.parse.quote(str(PurePosixPath(path)))})")


@pytest.mark.parametrize("links", ["markdown", "wiki"])
def test_map_rows_writes_what_the_jinja_loop_wrote(links):
    env = make_env(None, "en", "PLN", links)
    cells = [SimpleNamespace(path=PurePosixPath(f"clients/R/{name}.md"), name=name,
                             short=name[:5], glyph=glyph)
             for name, glyph in (("Łódź | Co", "🔴"), ("A*B [x]", "⚪"), ("Plain", "🟢"))]
    maps = [SimpleNamespace(rows=((cells[0], cells[1], None), (cells[2], None, None))),
            SimpleNamespace(rows=((None, None, cells[2]),))]
    for m in maps:
        loop = env.from_string(JINJA_MAP).render(m=m)
        assert env.from_string("{{ m.rows|map_rows }}\n").render(m=m) == loop
        assert env.from_string(MAP_LINES).render(m=m) == loop


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_a_reps_template_with_the_jinja_map_writes_the_same_portfolio(make_vault, locale):
    """A rep's copy of Portfolio.md made before `map_rows` still gets every client of the map
    (and writes the same file, sandboxed): the context did not change."""
    root = make_vault(portfolio_files(), locale=locale)
    ours = render(root)["Portfolio.md"]
    builtin = (BUILTIN / "Portfolio.md").read_text(encoding="utf-8")
    assert MAP_LINES in builtin
    (root / "templates" / "views").mkdir(parents=True, exist_ok=True)
    for made_before in (JINJA_MAP, "{{ m.rows|map_rows }}\n"):  # a loop of cells, map_rows
        (root / "templates" / "views" / "Portfolio.md").write_text(
            builtin.replace(MAP_LINES, made_before), encoding="utf-8")
        theirs = render(root)["Portfolio.md"]
        assert theirs == ours and ours.count(b"](../clients/") > 25


def _tiles_one_by_one(regions: treemap.Regions, area: float) -> dict:
    """The tiles as the per-client loop made them before bisection (the reference)."""
    amounts = [m[0] for by_breath in regions.values() for g in by_breath.values() for m in g]
    money = float(sum(amounts, Decimal(0)))
    total = money or float(len(amounts)) or 1.0
    floor = total * treemap.MIN_SIDE * treemap.MIN_SIDE / area
    crowded = len(amounts) > treemap.MAX_TILES
    cut = sorted(amounts, reverse=True)[treemap.MAX_TILES - 1] if crowded else Decimal(0)
    out: dict = {}
    for tier, by_breath in regions.items():
        out[tier] = {}
        for breath, group in by_breath.items():
            tiles, small = [], []
            for amount, row in group:
                weight = max(float(amount) if money else 1.0, floor)
                if crowded and amount < cut:
                    small.append((row, weight))
                else:
                    tiles.append(treemap._tile(row, weight, breath))
            if len(small) == 1:
                tiles.append(treemap._tile(*small[0], breath))
            elif small:
                tiles.append(treemap.Tile("", sum(w for _, w in small), 0, len(small)))
            out[tier][breath] = tiles
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(list(Breath)),
                          st.sampled_from([None, Decimal(0), Decimal(1), Decimal(7),
                                           Decimal("7.00"), Decimal(300)])),
                max_size=40),
       st.integers(min_value=1, max_value=12))
def test_tiles_folded_by_bisection_are_the_per_client_ones(clients, max_tiles):
    rows = [SimpleNamespace(tier=tier, breath=SimpleNamespace(state=breath, days_overdue=3),
                            name=f"Client {i}",
                            note=SimpleNamespace(budget=money, potential=None))
            for i, (tier, breath, money) in enumerate(clients)]
    book = SimpleNamespace(rows=rows, config=SimpleNamespace(tiers={"A": 1, "B": 2}))
    regions = treemap._regions(book)  # type: ignore[arg-type]
    old_max = treemap.MAX_TILES
    treemap.MAX_TILES = max_tiles
    try:
        assert treemap._tiles(regions, 5000.0) == _tiles_one_by_one(regions, 5000.0)
    finally:
        treemap.MAX_TILES = old_max


names = st.sampled_from(["Beta", "beta", "  Beta  Co", "Beta Co", "Ärzte", "arzte", "Zed"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(names, st.sampled_from([None, Decimal(100), Decimal("100.004"),
                                                  Decimal(50)]),
                          st.sampled_from([date(2026, 12, 1), date(2026, 11, 1),
                                           date(2027, 1, 1)]),
                          st.sampled_from(["x", "y"])), max_size=70))
def test_expected_purchases_are_ordered_as_by_each_clients_name(opps):
    """The contenders' names are folded from the note's name, not from a Client made for
    each: the order is the one the listed Clients' names give."""
    from salesnotes.read.body import Opportunity
    from salesnotes.views.portfolio import EXPECTED_LIMIT, LIST_LIMIT, expected_purchases

    rows = [SimpleNamespace(note=SimpleNamespace(name=name, body=SimpleNamespace(
        opportunities=(Opportunity(opp, value, close, Decimal("0.5"), None, 1),))))
        for name, value, close, opp in opps]
    book = SimpleNamespace(rows=rows, today=date(2026, 12, 7))
    book.once = lambda fn: fn(book)

    def client(row):  # noqa: ANN001, ANN202 - a Client's name, as _client makes it
        return SimpleNamespace(name=" ".join(row.note.name.split()))

    got = expected_purchases(book, client)  # type: ignore[arg-type]
    grosz = [(r, r.note.body.opportunities[0]) for r in rows]
    due = [(r, o) for r, o in grosz if o.close >= date(2026, 12, 1)]
    slipped = [(r, o) for r, o in grosz if o.close < date(2026, 12, 1)]
    plain_due = sorted(due, key=lambda d: (
        d[1].close, -(d[1].value.quantize(Decimal("0.01")) if d[1].value else 0),
        client(d[0]).name.casefold(), d[1].name))[:EXPECTED_LIMIT]
    plain_slipped = sorted(slipped, key=lambda d: (
        d[1].close, client(d[0]).name.casefold(), d[1].name))[:LIST_LIMIT]
    assert [(p.client.name, p.name, p.close) for p in got.purchases.rows] == [
        (client(r).name, o.name, o.close) for r, o in plain_due]
    assert [(p.client.name, p.name, p.close) for p in got.slipped.rows] == [
        (client(r).name, o.name, o.close) for r, o in plain_slipped]
