"""portfolio.svg: the whole portfolio as a treemap the eye can read, without hovering.

One block per tier; inside it one region per breath (worst first), so the colours form areas
instead of confetti; inside a region one tile per client, its area proportional to the client's
money (budget, else potential; a small client still gets a visible tile). The name is written
on every tile large enough to hold it, and the days late on the overdue ones: Obsidian and
VS Code embed an SVG as an image, so a tooltip would never show. The layout is squarify's (the
squarified treemap of Bruls, Huizing and van Wijk); colours are the Okabe-Ito palette, safe for
colour-blind eyes. Tile geometry is computed in floats: it is pixels, not money, and every
amount written on the picture is formatted from its Decimal.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

import squarify  # type: ignore[import-untyped]  # no stubs; two functions used

from salesnotes.i18n import Labels
from salesnotes.model.breath import Breath
from salesnotes.model.portfolio import ZERO, Book, ClientRow
from salesnotes.views.svg import (
    INK,
    MUTED,
    compact_money,
    document,
    fit_line,
    long_date,
    text,
)
from salesnotes.views.svg import width as em_width

FILENAME = "portfolio.svg"
WIDTH, HEIGHT = 1200, 900  # readable at 2,000 clients, and within one screen
MARGIN = 10
HEAD = 58  # the title and the legend above the map
TIER_HEAD = 17  # a tier's label strip
MIN_SIDE = 6  # px: the side of the smallest client's tile, so no client vanishes
MAX_TILES = 2500  # beyond this, each region's smallest clients share one "+N" tile
PAD = 2  # between a tile's edge and its text
MIN_CHARS = 6  # a name cut shorter than this (with its …) is not written
LINE = 1.15  # line height, in font sizes
FONT_MIN, FONT_MAX = 7, 15
FONT_SMALLEST = 6  # only for a whole name that fits no larger: better small than cut
# breath -> fill; the legend's order is the regions' order: worst first. The palette's, with a
# paler green: breathing clients are most of the picture, and the red must stand out of it.
FILLS = {
    Breath.OVERDUE: "#D55E00",
    Breath.NEVER: "#D9D9D9",
    Breath.DUE: "#F0E442",
    Breath.OK: "#8FD1BC",
}


class Box(NamedTuple):
    x: float
    y: float
    w: float
    h: float

    def inset(self, by: float) -> Box:
        return Box(self.x + by, self.y + by, max(0.0, self.w - 2 * by), max(0.0, self.h - 2 * by))


@dataclass
class Tile:
    """A client, or the clients of a region too small to draw one by one (`more` > 0)."""

    name: str
    weight: float  # the tile's share of the area: money, floored at the visible minimum
    late: int  # days overdue; 0 when not overdue
    more: int = 0


def extra_files(book: Book) -> dict[str, bytes]:
    """Portfolio's extra file (views/portfolio.py)."""
    return {FILENAME: portfolio_svg(book)}


def portfolio_svg(book: Book) -> bytes:
    """The whole picture as bytes; the same book gives the same bytes."""
    t = Labels(book.config.locale)
    compact = compact_money(book.config.currency, book.config.locale)
    regions = _regions(book)
    parts = [*_head(book, regions, t, compact), *_map(regions, t, compact)]
    title = f"{t.pf_title}: {t.plural('client', len(book.rows))}, {book.today.isoformat()}"
    return document(WIDTH, HEIGHT, title, parts)


def money_of(row: ClientRow) -> Decimal:
    """What a tile's area stands for: this year's budget, else the yearly potential."""
    return row.note.budget or row.note.potential or ZERO


# -- regions: tier -> breath -> clients ----------------------------------------------------------


# A client with its money, read once: 10,000 clients are summed, sorted and weighed. A plain
# pair, made by zip() in C.
Member = tuple[Decimal, ClientRow]
Regions = dict[str, dict[Breath, list[Member]]]
_money = itemgetter(0)


def _regions(book: Book) -> Regions:
    """The config's tiers first, then others as they come; breaths worst first; the clients of
    a region by money, biggest first (squarify wants them so, and the eye reads them so)."""
    groups: dict[tuple[str, Breath], list[ClientRow]] = {}
    for row in book.rows:
        key = (row.tier, row.breath.state)
        group = groups.get(key)
        if group is None:
            groups[key] = [row]
        else:
            group.append(row)
    out: Regions = {tier: {} for tier in book.config.tiers}
    for tier, _ in groups:
        out.setdefault(tier, {})
    for tier, by_breath in out.items():
        for breath in FILLS:
            rows = groups.get((tier, breath))
            if rows:
                by_breath[breath] = _by_money(list(zip(map(money_of, rows), rows, strict=True)))
    return {tier: by_breath for tier, by_breath in out.items() if by_breath}


def _by_money(members: list[Member]) -> list[Member]:
    """Biggest first; equal money in the book's order (a stable sort, reversed or not; the
    book's order is fixed)."""
    members.sort(key=_money, reverse=True)
    return members


def _tiles(regions: Regions, area: float) -> dict[str, dict[Breath, list[Tile]]]:
    """Every client as a tile weight; beyond MAX_TILES the smallest share a tile per region."""
    amounts = [m for by_breath in regions.values() for group in by_breath.values()
               for m in map(_money, group)]
    money = float(sum(amounts, ZERO))  # pixels from here on, not money
    total = money or float(len(amounts)) or 1.0  # without any money, every tile alike
    floor = total * MIN_SIDE * MIN_SIDE / area
    crowded = len(amounts) > MAX_TILES
    cut = sorted(amounts, reverse=True)[MAX_TILES - 1] if crowded else ZERO
    out: dict[str, dict[Breath, list[Tile]]] = {}
    for tier, by_breath in regions.items():
        out[tier] = {}
        for breath, group in by_breath.items():
            # a region is sorted biggest first: the clients below the cut are its tail
            shown = _below(group, cut) if crowded else len(group)
            weights = _weights(group, money, floor)
            tiles = [_tile(row, weight, breath)
                     for (_, row), weight in zip(group[:shown], weights, strict=False)]
            if len(group) - shown == 1:  # one client needs no "+1" tile: it is itself
                tiles.append(_tile(group[-1][1], weights[-1], breath))
            elif len(group) > shown:
                tiles.append(Tile("", sum(weights[shown:]), 0, len(group) - shown))
            out[tier][breath] = tiles
    return out


def _weights(group: list[Member], money: float, floor: float) -> list[float]:
    """Each member's tile weight: its money in pixels (or 1 when nobody has money), never
    below the floor that keeps a tile visible."""
    if not money:
        return [max(1.0, floor)] * len(group)
    return [max(amount, floor) for amount in map(float, map(_money, group))]


def _below(group: list[Member], cut: Decimal) -> int:
    """How many of a region's members (biggest first) are not below `cut`."""
    return bisect.bisect_right(group, -cut, key=lambda m: -m[0])


def _tile(row: ClientRow, weight: float, breath: Breath) -> Tile:
    late = (row.breath.days_overdue or 0) if breath is Breath.OVERDUE else 0
    return Tile(" ".join(row.name.split()), weight, late)


def _layout(weights: list[float], box: Box) -> list[Box]:
    """squarify's rectangles for `weights`, scaled to fill `box`."""
    total = sum(weights)
    if not weights or total <= 0 or box.w <= 0 or box.h <= 0:
        return [Box(box.x, box.y, 0.0, 0.0) for _ in weights]
    sizes = squarify.normalize_sizes(weights, box.w, box.h)
    return [Box(r["x"], r["y"], r["dx"], r["dy"]) for r in squarify.squarify(
        sizes, box.x, box.y, box.w, box.h)]


# -- drawing ------------------------------------------------------------------------------------


def _head(book: Book, regions: Regions, t: Labels, compact: Callable[[Decimal], str]
          ) -> list[str]:
    counts = {b: 0 for b in FILLS}
    money = {b: ZERO for b in FILLS}
    for by_breath in regions.values():
        for breath, group in by_breath.items():
            counts[breath] += len(group)
            money[breath] += sum(map(_money, group), ZERO)
    when = long_date(book.today, book.config.locale)
    title = f"{t.pf_title}: {t.plural('client', len(book.rows))} · {when}"
    out = [f'<text class="title" x="{MARGIN}" y="{MARGIN + 16}" font-size="17" '
           f'font-weight="bold">{text(title)}</text>',
           f'<text class="how" x="{WIDTH - MARGIN}" y="{MARGIN + 16}" text-anchor="end" '
           f'fill="{MUTED}">{text(t.pf_svg_how)}</text>',
           '<g class="legend">']
    x, y = float(MARGIN), MARGIN + 28
    for breath in FILLS:
        label = f"{t[breath.value]}: {counts[breath]} · {compact(money[breath])}"
        out.append(f'<rect x="{x:.0f}" y="{y}" width="14" height="14" fill="{FILLS[breath]}"/>')
        out.append(f'<text x="{x + 19:.0f}" y="{y + 12}">{text(label)}</text>')
        x += 19 + em_width(label) * 12 + 26
    out.append("</g>")
    return out


def _map(regions: Regions, t: Labels, compact: Callable[[Decimal], str]) -> list[str]:
    canvas = Box(MARGIN, MARGIN + HEAD, WIDTH - 2 * MARGIN, HEIGHT - HEAD - 2 * MARGIN)
    tiles = _tiles(regions, canvas.w * canvas.h)
    order = sorted(tiles, key=lambda tier: -sum(tl.weight for g in tiles[tier].values()
                                                 for tl in g))  # the biggest block top left
    boxes = _layout([sum(tl.weight for g in tiles[tier].values() for tl in g) for tier in order],
                    canvas)
    out: list[str] = []
    for tier, box in zip(order, boxes, strict=True):
        members = [m for g in regions[tier].values() for m in g]
        out.extend(_tier(tier, members, tiles[tier], box.inset(2), t, compact))
    return out


def _tier(tier: str, members: list[Member], regions: dict[Breath, list[Tile]], box: Box,
          t: Labels, compact: Callable[[Decimal], str]) -> list[str]:
    label = (f"{t.tier} {tier} · {t.plural('client', len(members))} · "
             f"{compact(sum(map(_money, members), ZERO))}")
    out = [f'<g class="tier" data-tier="{text(tier)}">',
           f'<rect class="block" x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" '
           f'height="{box.h:.1f}" fill="#FFFFFF" stroke="{INK}" stroke-width="1"/>']
    head = fit_line(label, box.w - 2 * PAD, 12, bold=True)
    inner = box
    if head and box.h > TIER_HEAD + 2 * MIN_SIDE:
        out.append(f'<text x="{box.x + PAD + 1:.1f}" y="{box.y + 13:.1f}" font-weight="bold">'
                   f"{text(head)}</text>")
        inner = Box(box.x, box.y + TIER_HEAD, box.w, box.h - TIER_HEAD)
    inner = inner.inset(1)
    breaths = list(regions)
    areas = _layout([sum(tl.weight for tl in regions[b]) for b in breaths], inner)
    for breath, area in zip(breaths, areas, strict=True):
        out.extend(_region(breath, regions[breath], area, t))
    out.append("</g>")
    return out


def _region(breath: Breath, tiles: list[Tile], box: Box, t: Labels) -> list[str]:
    out = [f'<g class="region {breath.value}" fill="{FILLS[breath]}" stroke="#FFFFFF" '
           f'stroke-width="1">']
    labels: list[str] = []
    for tile, b in zip(tiles, _layout([tl.weight for tl in tiles], box), strict=True):
        kind = f'class="tile more" data-clients="{tile.more}"' if tile.more else 'class="tile"'
        out.append(f'<rect {kind} x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" '
                   f'height="{b.h:.1f}"/>')
        labels.extend(_label(tile, b, t))
    out.append("</g>")
    if labels:  # text after the tiles, outside the region's fill and stroke
        out.append(f'<g class="names" fill="{INK}">')
        out.extend(labels)
        out.append("</g>")
    return out


def _label(tile: Tile, box: Box, t: Labels) -> list[str]:
    """The name (wrapped, sized to the tile, cut with … when it cannot fit) and the days late."""
    if box.w < 22 or box.h < FONT_MIN * LINE + 2:
        return []
    name = f"+{t.plural('client', tile.more)}" if tile.more else tile.name
    late = t.plural("day", tile.late) if tile.late else ""
    fitted = _fit(name, box, late)
    if fitted is None:
        return []
    size, lines, with_late = fitted
    x = box.x + PAD
    y = box.y + PAD + size * 0.9
    if len(lines) == 1:
        out = [f'<text class="name" x="{x:.1f}" y="{y:.1f}" font-size="{size}">'
               f"{text(lines[0])}</text>"]
    else:
        spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * LINE:.1f}">'
                        f"{text(line)}</tspan>" for i, line in enumerate(lines))
        out = [f'<text class="name" x="{x:.1f}" y="{y:.1f}" font-size="{size}">{spans}</text>']
    if with_late:
        out.append(f'<text class="late" x="{x:.1f}" y="{y + len(lines) * size * LINE:.1f}" '
                   f'font-size="{size}" font-weight="bold">{text(late)}</text>')
    return out


def _fit(name: str, box: Box, late: str) -> tuple[int, list[str], bool] | None:
    """The largest font size whose wrapped name (and days late) fits the tile; else FONT_MIN
    with the name cut to the lines there are; None when not one line fits."""
    width, height = box.w - 2 * PAD, box.h - 2 * PAD
    words = name.split()
    ems = [em_width(w) for w in words]
    top = min(FONT_MAX, int(height / LINE))
    for size in range(top, FONT_SMALLEST - 1, -1):
        lines = _wrap(words, ems, width / size)
        if lines is None:
            continue
        room = int(height / (size * LINE))
        if len(lines) + (1 if late else 0) <= room:
            return size, lines, bool(late)
        if len(lines) <= room and size <= FONT_MIN:
            return size, lines, False
    room = int(height / (FONT_MIN * LINE))
    if room < 1:
        return None
    lines = _wrap_cut(words, width / FONT_MIN, room)
    if not lines or (lines[0].endswith("…") and len(lines[0]) <= MIN_CHARS):
        return None  # "Hu…" names nobody: a blank tile is quieter
    return FONT_MIN, lines, False


def _wrap(words: list[str], ems: list[float], limit: float) -> list[str] | None:
    """Words in lines of at most `limit` ems; None when one word alone is wider."""
    lines: list[str] = []
    line, used = "", 0.0
    space = em_width(" ")
    for word, em in zip(words, ems, strict=True):
        if em > limit:
            return None
        if line and used + space + em <= limit:
            line, used = f"{line} {word}", used + space + em
        else:
            if line:
                lines.append(line)
            line, used = word, em
    if line:
        lines.append(line)
    return lines


def _wrap_cut(words: list[str], limit: float, room: int) -> list[str]:
    """As many lines of whole words as there is room for; the last line, or a word too long
    for any line, cut with … (words are not split: broken words read as noise)."""
    lines: list[str] = []
    rest = " ".join(words)
    while rest and len(lines) < room:
        last = len(lines) == room - 1
        line = fit_line(rest, limit, 1, whole_words=not last) or fit_line(rest, limit, 1)
        if not line:
            break
        lines.append(line)
        rest = "" if line.endswith("…") else rest[len(line):].strip()
    if rest and lines and not lines[-1].endswith("…"):
        lines[-1] = fit_line(f"{lines[-1]} {rest}", limit, 1)
    return [line for line in lines if line]
