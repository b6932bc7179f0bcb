"""Checklists.md: how far each client is on each checklist, and the competitors' clients.

For each checklist: every client it applies to with its progress and open items (biggest money
first, finished ones last), per item how many clients have it done, the clients whose note still
lacks the section (with the command that adds it), and items notes keep that the template lost.
Then per competitor: the clients they supply, the potential at stake and how far winning them
has got. All numbers are computed here; the template only lays them out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from jinja2 import pass_environment

from salesnotes.errors import Problem, said
from salesnotes.i18n import Labels, Said
from salesnotes.model.config import CONFIG_FILE, ChecklistRule
from salesnotes.model.portfolio import Book, ClientRow
from salesnotes.read.names import fold
from salesnotes.reports.checklists import (
    TEMPLATES,
    Checklist,
    Checklists,
    Progress,
    applies_to,
    load_checklists,
    progress,
    title_key,
)

FILENAME = "Checklists.md"
TEMPLATE = "Checklists.md"
BAR_WIDTH = 5
WIN_CHECKLIST = "competitor-win"
SHOWN_PER_COMPETITOR = 10  # a competitor's biggest clients by name; the rest as "+N more"
OPEN_SHOWN = 3  # open items named per cell, the first in template order; the rest as "+N"
ITEM_CHARS = 48  # a longer item is cut in its cell (the note has it whole)
ZERO = Decimal(0)


class ClientProgress(NamedTuple):
    row: ClientRow
    progress: Progress
    bar: str

    @property
    def mark(self) -> str:
        """✅ only on a finished checklist: a tick beside `0/9` read as done at a glance."""
        return "✅ " if self.progress.complete else ""

    @property
    def open_shown(self) -> tuple[str, ...]:
        """The first open items, each cut to fit: a cell of nine long items ran to 1,000
        characters and wrapped a table row over a whole screen."""
        return tuple(_cut(text) for text in self.progress.open[:OPEN_SHOWN])

    @property
    def open_more(self) -> int:
        return max(0, len(self.progress.open) - OPEN_SHOWN)


class ItemCount(NamedTuple):
    text: str
    done: int
    of: int
    bar: str


class ExtraItem(NamedTuple):
    row: ClientRow
    text: str
    done: bool
    line: int


class Block(NamedTuple):
    """One checklist across the portfolio."""

    checklist: Checklist
    rule: tuple[tuple[str, str], ...]  # (label key, value) pairs describing who it applies to
    clients: tuple[ClientProgress, ...]  # notes with the section
    items: tuple[ItemCount, ...]
    missing: tuple[ClientRow, ...]  # it applies, but the note has no section
    extra: tuple[ExtraItem, ...]

    @property
    def scope(self) -> int:
        return len(self.clients) + len(self.missing)

    @property
    def complete(self) -> int:
        return sum(1 for c in self.clients if c.progress.complete)

    @property
    def average(self) -> Decimal | None:
        """Share of all items done over every client in scope (no section counts as nothing)."""
        possible = self.scope * len(self.checklist.items)
        done = sum(len(c.progress.done) for c in self.clients)
        return Decimal(done) / possible if possible else None

    @property
    def command(self) -> str:
        return f"salesnotes checklist apply {self.checklist.name}"


class CompetitorClient(NamedTuple):
    row: ClientRow
    progress: Progress | None  # None: the note has no competitor-win section


class Competitor(NamedTuple):
    name: str
    clients: tuple[CompetitorClient, ...]
    stake: Decimal
    done: int
    total: int
    bar: str

    @property
    def mark(self) -> str:
        return "✅ " if self.total and self.done == self.total else ""

    @property
    def shown(self) -> tuple[CompetitorClient, ...]:
        return self.clients[:SHOWN_PER_COMPETITOR]

    @property
    def hidden(self) -> int:
        return max(0, len(self.clients) - SHOWN_PER_COMPETITOR)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ITEM_CHARS else text[: ITEM_CHARS - 1].rstrip() + "…"


@lru_cache(maxsize=1024)
def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`▰▰▰▱▱`: filled half-up, but never full before done nor empty after a start."""
    if total <= 0:
        return "▱" * width
    filled = int((Decimal(done * width) / total).quantize(Decimal(1), ROUND_HALF_UP))
    if 0 < done < total:
        filled = min(max(filled, 1), width - 1)
    return "▰" * filled + "▱" * (width - filled)


def context(book: Book) -> dict:
    """The checklist templates are read from the vault here: Vault does not carry them (yet)."""
    found = load_checklists(book.vault.root)
    blocks = _blocks(_in_config_order(found, book), book)
    win = _win_checklist(found, book)
    return {
        "blocks": blocks,
        "has_templates": bool(found.by_name),
        "competitors": _competitors(book, win, next((b for b in blocks if b.checklist is win),
                                                    None)),
        "win": win,
        "rows": Rows(),
        # said in the vault's language: the template writes them as they are
        "problems": tuple(p.told(Labels(book.config.locale)) for p in sorted(
            set(found.problems) | set(_problems(found, book)))),
    }


class Rows:
    """The long tables' rows, laid out here: the clients on a checklist and those still
    without it run to thousands of rows at 10,000 clients, which jinja wrote cell by cell
    through a filter call each. The cells are still the template's own filters and labels
    (jinja hands its environment in), so `{{ rows.clients(b) }}` writes the very text the
    loop did, and a client's first three cells are made once for every table it is in. The
    built-in template calls them; every other value is still in the context for a rep's own
    template."""

    def __init__(self) -> None:
        self._heads: dict[int, str] = {}  # id(row) -> its client, tier and potential cells

    def _head(self, env: Any, row: ClientRow) -> str:
        head = self._heads.get(id(row))
        if head is None:
            link, cell, money = (env.filters[f] for f in ("link", "cell", "money"))
            head = self._heads[id(row)] = (f"| {link(row.note)} | {cell(row.tier)} "
                                           f"| {money(row.stake)} |")
        return head

    @pass_environment
    def clients(self, env: Any, block: Block) -> str:
        """The lines of a checklist's clients table, without the last newline."""
        return "\n".join(self.clients_lines(env, block))

    @pass_environment
    def clients_lines(self, env: Any, block: Block) -> Iterator[str]:
        """Those lines one by one: the built-in template writes each as it comes, so a table
        of 100,000 rows is never held whole (ARCHITECTURE.md, speed: memory)."""
        cell, all_done = env.filters["cell"], env.getattr(env.globals["t"], "cl_all_done")
        # the open items' cell depends on the open items alone: each combination is cut and
        # escaped once, not once per client (2,625 unfinished rows at 10k hold 911 of them)
        lefts: dict[tuple[str, ...], str] = {}
        for c in block.clients:
            p = c.progress
            if p.complete:
                left = all_done
            else:
                known = lefts.get(p.open)
                if known is None:
                    known = cell(" · ".join(c.open_shown))
                    if c.open_more:
                        known = f"{known} +{c.open_more}"
                    lefts[p.open] = known
                left = known
            yield (f"{self._head(env, c.row)} {c.mark}{len(p.done)}/{p.total} {c.bar} "
                   f"| {left} |")

    @pass_environment
    def missing(self, env: Any, block: Block) -> str:
        """The lines of the table of clients whose note lacks the checklist's section."""
        return "\n".join(self.missing_lines(env, block))

    @pass_environment
    def missing_lines(self, env: Any, block: Block) -> Iterator[str]:
        """Those lines one by one, as `clients_lines`."""
        for row in block.missing:
            yield self._head(env, row)

    @pass_environment
    def extra(self, env: Any, block: Block) -> str:
        """The lines of the table of items notes keep that the template lost."""
        return "\n".join(self.extra_lines(env, block))

    @pass_environment
    def extra_lines(self, env: Any, block: Block) -> Iterator[str]:
        """Those lines one by one, as `clients_lines`."""
        link, cell, t = env.filters["link"], env.filters["cell"], env.globals["t"]
        ticked, unticked = env.getattr(t, "cl_ticked"), env.getattr(t, "cl_unticked")
        for e in block.extra:
            yield f"| {link(e.row.note)} | {cell(e.text)} | {ticked if e.done else unticked} |"


def _in_config_order(found: Checklists, book: Book) -> list[Checklist]:
    """The config's order first (the rep put the important ones first), then the rest by name."""
    ordered = [c for name in book.config.checklists if (c := found.find(name)) is not None]
    return list(dict.fromkeys(ordered + list(found.by_name.values())))


def _blocks(checklists: list[Checklist], book: Book) -> tuple[Block, ...]:
    """Every checklist's block from one pass over the rows: a pass over 10,000 notes costs more
    than matching them, so the checklists share it, each with its titles and its rule looked
    up once (`sections_of` and `applies`, per checklist rather than per note)."""
    found: list[tuple[list, list, list]] = [([], [], []) for _ in checklists]
    plan = [(checklist, (title_key(checklist.title), title_key(checklist.name)),
             applies_to(checklist, book.config), lists)
            for checklist, lists in zip(checklists, found, strict=True)]
    for row in book.rows:
        note = row.note
        own = note.body.checklists
        if not own:  # most notes have none: then no checklist looks for them
            for _, _, applies_here, (_, missing, _) in plan:
                if applies_here(note):
                    missing.append(row)
            continue
        for checklist, titles, applies_here, (clients, missing, extra) in plan:
            sections = tuple(s for s in own if title_key(s.title) in titles)
            if sections:
                p = progress(checklist, sections)
                clients.append(ClientProgress(row, p, bar(len(p.done), p.total)))
                extra.extend(ExtraItem(row, i.text, i.done, i.line) for i in p.extra)
            elif applies_here(note):
                missing.append(row)
    return tuple(_block(c, *lists, book) for c, lists in zip(checklists, found, strict=True))


def _block(checklist: Checklist, clients: list[ClientProgress], missing: list[ClientRow],
           extra: list[ExtraItem], book: Book) -> Block:
    """One checklist's rows, found by `_blocks`, put in order and counted."""
    clients.sort(key=lambda c: (c.progress.complete, -c.row.stake, fold(c.row.name)))
    missing.sort(key=_by_money)
    extra.sort(key=lambda e: (fold(e.row.name), e.line))
    scope = len(clients) + len(missing)
    ticked = Counter(text for c in clients for text in set(c.progress.done))  # clients per item
    items = []
    for item in checklist.items:
        done = ticked[item.text]
        items.append(ItemCount(item.text, done, scope, bar(done, scope)))
    return Block(checklist, _rule(book.config.checklists.get(checklist.name)), tuple(clients),
                 tuple(items), tuple(missing), tuple(extra))


def _by_money(row: ClientRow) -> tuple:
    return (-row.stake, fold(row.name))  # fold keeps each name it folded (read/names.py)


def _rule(rule: ChecklistRule | None) -> tuple[tuple[str, str], ...]:
    if rule is None:
        return ()
    parts = [("cl_rule_tier", rule.tiers), ("cl_rule_status", rule.statuses),
             ("cl_rule_has", rule.has), ("cl_rule_tags", rule.tags)]
    return tuple((key, ", ".join(values)) for key, values in parts if values)


def _win_checklist(found: Checklists, book: Book) -> Checklist | None:
    """`competitor-win`, else the first checklist the config gives to clients with a competitor."""
    if (named := found.find(WIN_CHECKLIST)) is not None:
        return named
    return next((c for c in found.by_name.values()
                 if "competitor" in getattr(book.config.checklists.get(c.name), "has", ())), None)


def _competitors(book: Book, win: Checklist | None, won: Block | None
                 ) -> tuple[Competitor, ...]:
    """`won`: the win checklist's block, whose progress per client is reused."""
    groups: dict[str, list[ClientRow]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for row in book.rows:
        if row.note.competitor and row.note.competitor.strip():
            key = fold(row.note.competitor)
            groups[key].append(row)
            spellings[key][" ".join(row.note.competitor.split())] += 1
    # by the book's row (the same objects in both): a note's path hashes its parts the first
    # time, which cost more than the lookup, for every client with a competitor
    progress_of = {id(c.row): c.progress for c in won.clients} if won else {}
    out = []
    for key, rows in groups.items():
        rows.sort(key=_by_money)
        clients = tuple(CompetitorClient(r, progress_of.get(id(r))) for r in rows)
        done = sum(len(c.progress.done) for c in clients if c.progress)
        total = len(win.items) * len(clients) if win else 0
        name = min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out.append(Competitor(name, clients, sum((r.stake for r in rows), ZERO), done, total,
                              bar(done, total)))
    out.sort(key=lambda c: (-c.stake, fold(c.name)))
    return tuple(out)


def _problems(found: Checklists, book: Book) -> list[Problem]:
    """Names and sections that point at no template (only once the vault has templates)."""
    if not found.by_name:
        return []
    out = []
    for name in book.config.checklists:
        if found.find(name) is None:
            out.append(said(CONFIG_FILE, 0, "err_in", part=f"checklists.{name}",
                            message=Said("err_cl_no_template", path=f"{TEMPLATES}/{name}.md")))
    titles = {title_key(c.title) for c in found.by_name.values()}
    titles |= {title_key(c.name) for c in found.by_name.values()}
    known = {fold(c.name) for c in found.by_name.values()} | {
        fold(c.title) for c in found.by_name.values()}
    for row in book.rows:
        note = row.note
        for listed in note.checklists:
            if fold(listed) not in known:
                out.append(said(note.path, note.line_of("checklists"), "err_in",
                                part="checklists", message=Said(
                                    "err_cl_no_template", path=f"{TEMPLATES}/{listed}.md")))
        for section in note.body.checklists:
            if title_key(section.title) not in titles:
                out.append(said(note.path, section.line, "err_in",
                                part=f"## Checklist: {section.title}",
                                message=Said("err_cl_no_title", folder=f"{TEMPLATES}/")))
    return out
