"""Realistic salesnotes vaults of any size, for `bench/run.py` (or by hand).

The notes look like the synthetic ones the targets were first measured on (about 2.8 KB: 16 front-matter keys, 5-20
tasks, 5-50 log lines, opportunities, checklists), spread over one subfolder per region, with
valid NIPs, a sales ledger and, on request, a git history of `salesnotes log` commits. The names,
towns and NIPs come from the demo portfolio's own helpers (`salesnotes.edit.demo`), the texts from its
word lists, so a bench vault reads like a real one.

Speed matters as much as realism: 100,000 notes are written directly (no salesnotes code on the
write path) in a few tens of seconds, and git history goes through one `git fast-import` stream
instead of one `git commit` per contact.

    python bench/generate.py 10k bench/vaults/10k
    python bench/generate.py 10k bench/vaults/git-10k --commits 50000 --config-commit
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from salesnotes.edit import demo  # noqa: E402 - the word lists and name/NIP helpers
from salesnotes.read.names import name_key, safe_filename  # noqa: E402
from salesnotes.edit.vaultinit import template_files  # noqa: E402
from salesnotes.edit.yamltext import yaml_str  # noqa: E402

TODAY = date(2026, 11, 27)
SEED = 2026
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
GENERATOR_VERSION = 3  # bump when the output changes, so run.py regenerates cached vaults
CADENCE = {"A": 14, "B": 30, "C": 90}
TASKS, LOGS = (5, 20), (5, 50)
CHANNELS = {"phone": 40, "email": 20, "visit": 20, "meeting": 8, "sms": 5, "other": 7}
OWNERS_PER_NOTES = 2_000  # a team vault: one rep per ~2,000 clients
GROSZ = Decimal("0.01")


@dataclass(frozen=True)
class Client:
    """What run.py needs to know about a generated note."""

    name: str
    nip: str
    path: str  # vault-relative, posix
    tier: str
    status: str
    town: str


@dataclass
class Manifest:
    """Written next to the vault (`<vault>.json`): the parameters and every client."""

    version: int
    notes: int
    seed: int
    today: str
    locale: str
    sales_rows: int
    commits: int
    git: str
    config_commit: bool
    bytes: int
    seconds: float
    clients: list[Client]

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in ("clients", "bytes", "seconds")}

    @staticmethod
    def path_for(vault: Path) -> Path:
        return vault.with_name(vault.name + ".json")

    def save(self, vault: Path) -> None:
        Manifest.path_for(vault).write_text(json.dumps(asdict(self), ensure_ascii=False))

    @staticmethod
    def load(vault: Path) -> Manifest | None:
        try:
            data = json.loads(Manifest.path_for(vault).read_text())
            data["clients"] = [Client(**c) for c in data["clients"]]
            return Manifest(**data)
        except (OSError, ValueError, TypeError, KeyError):
            return None


def parse_size(text: str) -> int:
    """`10k` -> 10000, `2500` -> 2500."""
    text = text.strip().lower()
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


def size_label(notes: int) -> str:
    return f"{notes // 1000}k" if notes % 1000 == 0 else str(notes)


# --- the words ---------------------------------------------------------------------------------


class Words:
    """The demo's word lists and checklists, with dates precomputed for speed."""

    def __init__(self, locale: str, today: date) -> None:
        self.words = demo._data("words.yaml")
        self.texts = demo._data(f"{locale}.yaml")
        self.lists = demo._checklists(locale)
        self.towns = [t["town"] for t in self.words["towns"]]
        self.people = [f"{first} {last}" for first, last in self.words["people"]]
        self.today = today
        self.days = {d: (today + timedelta(d)).isoformat() for d in range(-800, 200)}

    def day(self, offset: int) -> str:
        return self.days[offset]


_PHRASES: dict[tuple[int, str], list[str]] = {}


def _say(rng: random.Random, pool: list[str], texts: dict[str, Any], competitor: str) -> str:
    """One text of `pool` with {product} and {competitor} filled (all variants made once)."""
    key = (id(pool), competitor)
    phrases = _PHRASES.get(key)
    if phrases is None:
        usable = [t for t in pool if competitor or "{competitor}" not in t]
        products = [p if p[1:2].isupper() else p[0].lower() + p[1:] for p in texts["products"]]
        phrases = _PHRASES[key] = [t.format(product=p, competitor=competitor)
                                   for t in usable for p in products]
    return phrases[int(rng.random() * len(phrases))]


def _channel(rng: random.Random) -> str:
    return _CHANNEL_DECK[int(rng.random() * len(_CHANNEL_DECK))]


_CHANNEL_DECK = [ch for ch, weight in CHANNELS.items() for _ in range(weight)]


def _pick(rng: random.Random, items: list[Any]) -> Any:
    return items[int(rng.random() * len(items))]


# --- who the clients are -----------------------------------------------------------------------


def draw_clients(rng: random.Random, words: Words, count: int) -> list[Client]:
    """`count` clients with unique names (as names and as file names) and unique valid NIPs."""
    keys: dict[str, int] = {}
    nips: set[str] = set()
    clients = []
    deck = demo._tier_deck(rng, count)
    for i in range(count):
        profile = demo._new_profile(rng, words.words, deck[i])
        name = _unique_name(profile.name, profile.town, keys)
        nip = demo._nip(rng, words.words["nip_prefixes"], nips)
        path = f"clients/{profile.town}/{safe_filename(name)}"
        clients.append(Client(name, nip, path, profile.tier, profile.status, profile.town))
    return clients


def _unique_name(name: str, town: str, keys: dict[str, int]) -> str:
    """A second `Termo-Tech Sp. z o.o.` becomes `Termo-Tech Sp. z o.o. (Tarnów 2)`.

    `keys` maps every name key taken to the next number to try for it as a base name."""
    base = name_key(name)
    if base not in keys:
        keys[base] = 2
        return name
    n = keys[base]
    while True:
        candidate = f"{name} ({town} {n})"
        n += 1
        if name_key(candidate) not in keys:
            keys[base] = n
            keys[name_key(candidate)] = 2
            return candidate


# --- what a note says --------------------------------------------------------------------------


@dataclass
class Drawn:
    """One note's text plus what the ledger and the git history need."""

    text: str
    budget: Decimal | None
    last_contact: int | None  # day offset from today


def note_text(rng: random.Random, words: Words, client: Client, owner: str) -> Drawn:
    texts = words.texts
    competitor = _pick(rng, words.words["competitors"]) if rng.random() < 0.15 else ""
    logs = _log_days(rng, client)
    last = logs[0] if logs else None
    potential, budget = _money(rng, client)
    fm = _front_matter(rng, words, client, owner, competitor, last, potential, budget)
    body = [f"# {client.name}", "", _pick(rng, _about(texts)), "", "## Opportunities",
            *_opportunities(rng, words, client), ""]
    body += _checklists(rng, words, client, competitor)
    body += ["## Tasks", *_tasks(rng, words, client, competitor), ""]
    body += ["## Log", *_log_lines(rng, words, client, competitor, logs)]
    return Drawn("\n".join(["---", *fm, "---", *body]) + "\n", budget, last)


def _about(texts: dict[str, Any]) -> list[str]:
    return [line for seg in texts["segments"].values() for line in seg["about"]]


def _log_days(rng: random.Random, client: Client) -> list[int]:
    """Day offsets of the contact log, newest first (5-50 of them; a few clients never called)."""
    if client.status == "prospect" and rng.random() < 0.1:
        return []
    count = rng.randint(*LOGS)
    cad = CADENCE[client.tier]
    newest = -int(rng.random() * cad * (2.5 if client.status == "dormant" else 1.3))
    days = [newest]
    for _ in range(count - 1):
        days.append(days[-1] - 1 - int(rng.random() * min(cad, 730 // count)))
    return [max(d, -799) for d in days]


def _money(rng: random.Random, client: Client) -> tuple[Decimal, Decimal | None]:
    lo, hi, step = demo.POTENTIAL[client.tier]
    potential = Decimal(rng.randrange(lo, hi, step))
    if client.status not in ("active", "dormant"):
        return potential, None
    budget = (potential * Decimal(rng.randint(40, 75)) / 100_000).quantize(Decimal(1)) * 1000
    if rng.random() < 0.15:
        budget += Decimal(rng.randrange(1, 100_000)) / 100
    return potential, budget


def _front_matter(rng: random.Random, words: Words, client: Client, owner: str, competitor: str,
                  last: int | None, potential: Decimal, budget: Decimal | None) -> list[str]:
    """Always 16 keys, in the order a rep's template gives them."""
    texts = words.texts
    steps = texts["next_steps"][client.status]
    cad = CADENCE[client.tier]
    nxt = (last + cad + rng.choice((0, 0, 0, -3, 5))) if last is not None else rng.randint(-10, 20)
    nxt = max(min(nxt, 199), -799)
    segment = _pick(rng, list(texts["segments"]))
    digits = (rng.randint(500, 889), rng.randint(100, 999), rng.randint(100, 999))
    fm = [f"name: {yaml_str(client.name)}", f'nip: "{client.nip}"', f"tier: {client.tier}",
          f"status: {client.status}", f"region: {yaml_str(client.town)}",
          f"owner: {yaml_str(owner)}", f"potential: {potential}",
          f"budget: {budget if budget is not None else 0}",
          f"last_contact: {words.day(last) if last is not None else ''}".rstrip(),
          f"next_contact: {words.day(nxt)}",
          f"next_step: {yaml_str(_say(rng, steps, texts, competitor))}"]
    if competitor:
        fm.append(f"competitor: {yaml_str(competitor)}")
    else:
        fm.append(f"aliases: [{yaml_str(client.name.split(' ')[0])}]")
    fm.append("checklists: [key-account]" if client.tier == "A" else "checklists: []")
    town_tag = client.town.lower().replace(" ", "-")
    fm.append(f"tags: [{texts['segments'][segment]['tag']}, {town_tag}]")
    fm.append('phone: "+48 {} {} {}"'.format(*digits))
    fm.append(f"email: biuro{rng.randrange(10**6)}@example.pl")
    return fm


def _opportunities(rng: random.Random, words: Words, client: Client) -> list[str]:
    lines = []
    lo, hi = demo.OPPORTUNITY[client.tier]
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        months = rng.randrange(8)
        year, month = divmod(words.today.year * 12 + words.today.month - 1 + months, 12)
        value = Decimal(rng.randrange(lo, hi, 500))
        line = (f"- {_pick(rng, words.texts['products'])} Q{month // 3 + 1} [value:: {value:.2f}]"
                f" [close:: {year:04d}-{month + 1:02d}] [probability:: {rng.randint(1, 9) / 10}]")
        if rng.random() < 0.4:
            line += f" [stage:: {_pick(rng, words.texts['stages'])}]"
        lines.append(line)
    return lines


def _checklists(rng: random.Random, words: Words, client: Client, competitor: str) -> list[str]:
    names = []
    if client.tier == "A" and rng.random() < 0.9:
        names.append("key-account")
    if competitor and rng.random() < 0.6:
        names.append("competitor-win")
    if client.status == "prospect" and rng.random() < 0.4:
        names.append("onboarding")
    lines = []
    for name in names:
        title, items = words.lists[name]
        progress = rng.random()
        lines.append(f"## Checklist: {title}")
        lines += [f"- [{'x' if rng.random() < progress else ' '}] {item}" for item in items]
        lines.append("")
    return lines


def _tasks(rng: random.Random, words: Words, client: Client, competitor: str) -> list[str]:
    pool = words.texts["prospect_tasks" if client.status == "prospect" else "tasks"]
    lines = []
    for _ in range(rng.randint(*TASKS)):
        text = _say(rng, pool, words.texts, competitor)
        if rng.random() < 0.55:
            done = -rng.randint(1, 300)
            due = words.day(done - rng.randint(0, 5))
            lines.append(f"- [x] {text} 📅 {due} ✅ {words.day(done)}")
        else:
            lines.append(f"- [ ] {text} 📅 {words.day(rng.randint(-30, 60))}")
    return lines


def _log_lines(rng: random.Random, words: Words, client: Client, competitor: str,
               days: list[int]) -> list[str]:
    kind = "prospect_log" if client.status == "prospect" else "log"
    lines = []
    for day in days:
        channel = _channel(rng)
        pool = words.texts[kind].get(channel) or words.texts[kind]["phone"]
        lines.append(f"- {words.day(day)} {channel}: {_say(rng, pool, words.texts, competitor)}")
    return lines


# --- the vault ---------------------------------------------------------------------------------


def config_text(locale: str, commit: bool) -> bytes:
    """The template's config with `git: {commit: ...}` set (commits distort most timings)."""
    text = template_files(locale)["salesnotes.yaml"].decode("utf-8")
    line = "git: {commit: true}"
    if line not in text:
        raise SystemExit("vault_template's salesnotes.yaml has no `git: {commit: true}` line")
    return text.replace(line, f"git: {{commit: {'true' if commit else 'false'}}}").encode("utf-8")


def build_vault(root: Path, notes: int, *, today: date = TODAY, seed: int = SEED,
                locale: str = "en", sales_rows: int | None = None, commits: int = 0,
                git: str = "init", config_commit: bool = False, quiet: bool = False) -> Manifest:
    """Write a fresh vault of `notes` notes into `root` (removed first) and its manifest.

    git: `none` (no repository), `init` (one commit holding everything, as `salesnotes init`
    leaves it) or `history` (that commit plus `commits` contact commits)."""
    started = time.perf_counter()
    if commits:
        git = "history"
    sales_rows = 2 * notes if sales_rows is None else sales_rows
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(f"{seed}-{notes}")
    words = Words(locale, today)
    clients = draw_clients(rng, words, notes)
    owners = words.people[: max(1, notes // OWNERS_PER_NOTES)]
    drawn = [note_text(rng, words, c, owners[i % len(owners)]) for i, c in enumerate(clients)]
    files = {rel: data for rel, data in template_files(locale).items()}
    files["salesnotes.yaml"] = config_text(locale, config_commit)
    files.update(ledger_files(random.Random(f"{seed}-ledger"), clients, drawn, sales_rows, today))
    note_files = {c.path: d.text.encode("utf-8") for c, d in zip(clients, drawn, strict=True)}
    _say_progress(quiet, f"{notes} notes drawn", started)
    _write_vault(root, files, note_files, git, lambda: git_build(
        root, files, note_files, clients, commits, today, seed))
    size = sum(len(b) for b in note_files.values())
    manifest = Manifest(GENERATOR_VERSION, notes, seed, today.isoformat(), locale, sales_rows,
                        commits, git, config_commit, size, round(time.perf_counter() - started, 1),
                        clients)
    manifest.save(root)
    _say_progress(quiet, f"vault ready: {root} ({size / notes / 1024:.2f} KB per note)", started)
    return manifest


def _write_vault(root: Path, files: dict[str, bytes], notes: dict[str, bytes], git: str,
                 build_git: Callable[[], dict[str, bytes]]) -> None:
    """Write the files; with git, while fast-import runs (its zlib is the slow part: 2 cores).

    With history the notes' final texts are known only after the last commit, so they are
    written afterwards; `notes` is updated to them."""
    root.mkdir(parents=True)
    if git == "none":
        _write_all(root, {**files, **notes})
        return
    history = git == "history"
    everything = {**files, **notes}
    writer = None if history else threading.Thread(target=_write_all, args=(root, everything))
    if writer:
        writer.start()
    final = build_git()
    if writer:
        writer.join()
    else:
        notes.update(final)
        _write_all(root, {**files, **notes})
    _sync_index(root)


def _say_progress(quiet: bool, what: str, started: float) -> None:
    if not quiet:
        print(f"  [{time.perf_counter() - started:6.1f} s] {what}", file=sys.stderr)


def _write_all(root: Path, files: dict[str, bytes]) -> None:
    made: set[Path] = set()
    for rel, data in files.items():
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "wb") as out:
            out.write(data)


# --- the sales ledger --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sale:
    day: date
    document: str
    nip: str
    client: str
    amount: Decimal
    margin: Decimal


def draw_sales(rng: random.Random, clients: list[Client], weights: list[float], rows: int,
               first: date, last: date, document: str) -> list[Sale]:
    """`rows` invoices to clients drawn by `weights`, dated first..last (workdays)."""
    span = (last - first).days + 1
    picks = rng.choices(range(len(clients)), weights, k=rows) if clients else []
    per_month: dict[str, int] = {}
    sales = []
    for i in picks:
        day = first + timedelta(int(rng.random() * span))
        while day.weekday() >= 5:
            day -= timedelta(1)
        if day < first:
            day += timedelta(3)
        month = f"{day:%Y/%m}"
        per_month[month] = per_month.get(month, 0) + 1
        amount = Decimal(int(rng.lognormvariate(8.0, 1.0) * 100) + 5_000) / 100
        margin = (amount * Decimal(rng.randint(150, 350)) / 1000).quantize(GROSZ, ROUND_HALF_UP)
        c = clients[i]
        sales.append(Sale(day, document.format(n=per_month[month], month=day), c.nip, c.name,
                          amount, margin))
    return sales


def ledger_files(rng: random.Random, clients: list[Client], drawn: list[Drawn], rows: int,
                 today: date) -> dict[str, bytes]:
    """`sales/YYYY-MM.csv` in the ledger's normalized format, 12 months up to today."""
    buyers = [(c, float(d.budget)) for c, d in zip(clients, drawn, strict=True) if d.budget]
    first = date(today.year - 1 + (today.month == 12), today.month % 12 + 1, 1)
    sales = draw_sales(rng, [c for c, _ in buyers], [w for _, w in buyers], rows, first, today,
                       "FV/{month:%Y/%m}/{n:05d}")
    months: dict[str, list[Sale]] = {}
    for s in sales:
        months.setdefault(f"sales/{s.day:%Y-%m}.csv", []).append(s)
    return {path: _ledger_month(group) for path, group in sorted(months.items())}


def _ledger_month(sales: list[Sale]) -> bytes:
    lines = ["date,document,nip,client,amount,margin"]
    for s in sorted(sales, key=lambda s: (s.day, s.document)):
        client = f'"{s.client.replace(chr(34), chr(34) * 2)}"' if any(
            ch in s.client for ch in ',"') else s.client
        lines.append(f"{s.day.isoformat()},{s.document},{s.nip},{client},{s.amount:.2f},"
                     f"{s.margin:.2f}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- ERP exports to import (Polish style: Windows-1250, `;`, decimal comma) ---------------------


def _pl_money(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "\xa0").replace(".", ",")


def _pl_nip(rng: random.Random, nip: str) -> str:
    roll = rng.random()
    if roll < 0.2:
        return f"{nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}"
    return f"PL{nip}" if roll < 0.3 else nip


def sales_export(path: Path, clients: list[Client], rows: int, *, today: date = TODAY,
                 seed: int = SEED, unknown: float = 0.02) -> Path:
    """An ERP sales export: `rows` invoices this year, a few to NIPs the vault does not know,
    and a `Razem` totals row; cp1250, `;`, `1\xa0234,56`, DD.MM.YYYY."""
    rng = random.Random(f"{seed}-export-{rows}")
    strangers = [Client(f"Nowy Klient {i} Sp. z o.o.", demo._nip(rng, [111, 222], set()), "",
                        "C", "prospect", "") for i in range(max(1, rows // 2000))]
    pool = clients + strangers
    weights = [1.0] * len(clients) + [len(clients) * unknown / len(strangers)] * len(strangers)
    sales = draw_sales(rng, pool, weights, rows, date(today.year, 1, 1), today,
                       "FS {n}/{month:%m/%Y}")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Data wystawienia", "Numer", "NIP", "Kontrahent", "Netto", "Marża"])
    for s in sorted(sales, key=lambda s: (s.day, s.document)):
        writer.writerow([f"{s.day:%d.%m.%Y}", s.document, _pl_nip(rng, s.nip), s.client,
                         _pl_money(s.amount), _pl_money(s.margin)])
    total = sum((s.amount for s in sales), Decimal(0))
    margin = sum((s.margin for s in sales), Decimal(0))
    writer.writerow(["", "", "", "Razem", _pl_money(total), _pl_money(margin)])
    path.write_bytes(out.getvalue().encode("cp1250"))
    return path


def clients_export(path: Path, known: list[Client], count: int, *, seed: int = SEED,
                   locale: str = "en", update_share: float = 0.2) -> Path:
    """An ERP client list of `count` rows: `update_share` of them clients the vault has (by
    NIP), the rest new ones; cp1250, `;`."""
    rng = random.Random(f"{seed}-clients-{count}")
    words = Words(locale, TODAY)
    updates = rng.sample(known, min(len(known), int(count * update_share)))
    taken = {name_key(c.name): 2 for c in known}
    fresh = []
    nips = {c.nip for c in known}
    for _ in range(count - len(updates)):
        profile = demo._new_profile(rng, words.words, _pick(rng, ["A", "B", "C", "C"]))
        name = _unique_name(profile.name, profile.town, taken)
        fresh.append(Client(name, demo._nip(rng, words.words["nip_prefixes"], nips), "",
                            profile.tier, profile.status, profile.town))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["NIP", "Nazwa", "Miasto", "Segment", "Status", "Telefon", "Email",
                     "Handlowiec", "Potencjał"])
    for c in [*updates, *fresh]:
        potential = Decimal(rng.randrange(*demo.POTENTIAL[c.tier]))
        writer.writerow([_pl_nip(rng, c.nip), c.name, c.town, c.tier, c.status,
                         f"+48 {rng.randint(500, 889)} {rng.randint(100, 999)} "
                         f"{rng.randint(100, 999)}", f"biuro{rng.randrange(10**6)}@example.pl",
                         _pick(rng, words.people), _pl_money(potential)])
    path.write_bytes(out.getvalue().encode("cp1250"))
    return path


# --- git ---------------------------------------------------------------------------------------


def git_build(root: Path, files: dict[str, bytes], notes: dict[str, bytes], clients: list[Client],
              commits: int, today: date, seed: int) -> dict[str, bytes]:
    """`git init`, then one fast-import stream: a first commit of everything, then `commits`
    contact commits, each adding a log line to one note as `salesnotes log` would. Returns the
    notes' final texts (the working tree must match HEAD)."""
    _run(root, "git", "init", "-q", "-b", "main")
    _run(root, "git", "config", "user.name", "Bench Rep")
    _run(root, "git", "config", "user.email", "rep@example.pl")
    start = datetime(today.year, today.month, today.day, 8, tzinfo=UTC) - timedelta(days=400)
    texts = dict(notes)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--depth=50"], cwd=root,
                            stdin=subprocess.PIPE)
    assert proc.stdin is not None
    out = proc.stdin
    _commit(out, start, "salesnotes: new vault\n", {**files, **notes})
    rng = random.Random(f"{seed}-git")
    weights = [{"A": 6, "B": 3, "C": 1}[c.tier] for c in clients]
    picks = rng.choices(range(len(clients)), weights, k=commits)
    step = (400 * 86400 - 3600) / max(commits, 1)
    words = Words("en", today)
    for n, i in enumerate(picks, 1):
        when = start + timedelta(seconds=int(n * step))
        client = clients[i]
        channel = _channel(rng)
        text = _say(rng, words.texts["log"].get(channel, words.texts["log"]["phone"]),
                    words.texts, "")
        new = _logged(texts[client.path], when.date().isoformat(), channel, text)
        texts[client.path] = new
        _commit(out, when, _contact_message(client, channel, text, when.date()),
                {client.path: new})
    out.close()
    if proc.wait():
        raise SystemExit(f"git fast-import failed in {root}")
    _run(root, "git", "symbolic-ref", "HEAD", "refs/heads/main")
    return {path: texts[path] for path in notes}


def _commit(out: Any, when: datetime, message: str, files: dict[str, bytes]) -> None:
    msg = message.encode("utf-8")
    head = (f"commit refs/heads/main\ncommitter Bench Rep <rep@example.pl> {int(when.timestamp())}"
            f" +0000\ndata {len(msg)}\n").encode()
    parts = [head, msg, b"\n"]
    for rel, data in files.items():
        parts.append(f"M 100644 inline {rel}\ndata {len(data)}\n".encode())
        parts += [data, b"\n"]
    out.write(b"".join(parts))


def _contact_message(client: Client, channel: str, text: str, day: date) -> str:
    """Exactly what `salesnotes log` commits: subject, text, trailers."""
    return (f"contact: {' '.join(client.name.split())} ({channel})\n\n{text}\n\n"
            f"Client-NIP: {client.nip}\nContact-Date: {day.isoformat()}\nChannel: {channel}\n")


def _logged(data: bytes, day: str, channel: str, text: str) -> bytes:
    """The note with a new newest log line and `last_contact` moved forward."""
    note = data.decode("utf-8")
    head, sep, log = note.partition("\n## Log\n")
    lines = head.split("\n")
    for i, line in enumerate(lines[:20]):
        if line.startswith("last_contact:") and line[14:] < day:
            lines[i] = f"last_contact: {day}"
            break
    return ("\n".join(lines) + sep + f"- {day} {channel}: {text}\n" + log).encode("utf-8")


def _sync_index(root: Path) -> None:
    """The index from HEAD, stat data refreshed, so `git status` and `git add` start clean."""
    _run(root, "git", "read-tree", "HEAD")
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root,
                   stdout=subprocess.DEVNULL, check=False)


def _run(cwd: Path, *args: str) -> None:
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="number of notes: 1k, 10k, 100k or any number")
    parser.add_argument("out", type=Path, help="vault folder (replaced if it exists)")
    parser.add_argument("--sales-rows", type=int, help="ledger rows (default: 2 per note)")
    parser.add_argument("--commits", type=int, default=0,
                        help="contact commits of git history (implies --git history)")
    parser.add_argument("--git", choices=["none", "init", "history"], default="init")
    parser.add_argument("--config-commit", action="store_true",
                        help="git: {commit: true} in salesnotes.yaml (default false)")
    parser.add_argument("--locale", choices=["en", "pl"], default="en")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY)
    parser.add_argument("--sales-export", type=int, metavar="ROWS",
                        help="also write <out>-sales.csv: an ERP export of ROWS rows")
    parser.add_argument("--clients-export", type=int, metavar="ROWS",
                        help="also write <out>-clients.csv: an ERP client list of ROWS rows")
    args = parser.parse_args(argv)
    manifest = build_vault(args.out, parse_size(args.size), today=args.today, seed=args.seed,
                           locale=args.locale, sales_rows=args.sales_rows, commits=args.commits,
                           git=args.git, config_commit=args.config_commit)
    if args.sales_export:
        print(sales_export(args.out.with_name(args.out.name + "-sales.csv"), manifest.clients,
                           args.sales_export, today=args.today, seed=args.seed))
    if args.clients_export:
        print(clients_export(args.out.with_name(args.out.name + "-clients.csv"),
                             manifest.clients, args.clients_export, seed=args.seed))


if __name__ == "__main__":
    main()
