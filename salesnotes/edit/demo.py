"""The demo portfolio a new user sees first: `salesnotes init --demo`.

It must show every view at work on the first `review`, whatever the day: so every date is
relative to `today`, every breath state, status and tier occurs, and the sales ledger roughly
matches the budgets. It is deterministic (a fixed seed, no clock), so the same `today` gives the
same bytes. The words come from `vault_template/demo/` (Polish company names and towns, texts in
each language), the checklist titles and items from the vault's own checklist templates.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import yaml

from salesnotes.edit.templates import LOCALES, template_files, template_root
from salesnotes.edit.yamltext import yaml_str
from salesnotes.read.names import fold, name_key, safe_filename

SEED = 2026
CLIENTS = 180
CADENCE = {"A": 14, "B": 30, "C": 90}
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
GROSZ = Decimal("0.01")
MIN_INVOICE = Decimal("50.00")
LEDGER_HEADER = ["date", "document", "nip", "client", "amount", "margin"]

TIERS = {"A": 15, "B": 35, "C": 50}
STATUSES = {  # per tier: status -> weight
    "A": {"active": 80, "dormant": 10, "prospect": 5, "lost": 5},
    "B": {"active": 60, "dormant": 15, "prospect": 15, "lost": 10},
    "C": {"active": 45, "dormant": 17, "prospect": 25, "lost": 13},
}
BREATHS = {  # per status: breath -> weight
    "prospect": {"never": 35, "due": 20, "overdue": 25, "ok": 20},
    "active": {"ok": 45, "due": 22, "overdue": 33},
    "dormant": {"ok": 15, "due": 15, "overdue": 70},
    "lost": {"ok": 60, "overdue": 40},
}
COMPETITOR_ODDS = {"prospect": 0.3, "active": 0.05, "dormant": 0.15, "lost": 0.5}
POTENTIAL = {  # yearly, from..to by step
    "A": (150_000, 500_000, 5000), "B": (40_000, 150_000, 1000), "C": (5_000, 40_000, 1000),
}
OPPORTUNITY = {"A": (15_000, 100_000), "B": (5_000, 40_000), "C": (1_000, 12_000)}
LOG_ENTRIES = {"A": (3, 6), "B": (2, 5), "C": (1, 3)}
CHANNELS = {"phone": 40, "email": 20, "visit": 20, "meeting": 8, "sms": 5, "other": 7}
SEGMENTS = {"installer": 40, "wholesale": 20, "service": 25, "developer": 15}
INVOICES = {"A": (2, 4), "B": (1, 3), "C": (1, 2)}
BUYS_PER_MONTH = {"A": 1.0, "B": 0.85, "C": 0.5}


@dataclass
class Client:
    """One demo client: who it is, and the note body drawn for it."""

    name: str
    town: str
    folder: str
    segment: str
    tier: str
    status: str
    nip: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # front-matter after name..region
    body: list[str] = field(default_factory=list)
    budget: Decimal | None = None


def demo_files(today: date, locale: str) -> dict[str, str]:
    """Relative posix path -> text of every demo file: client notes and the sales ledger."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r} (known: {', '.join(LOCALES)})")
    rng = random.Random(SEED)
    words = _data("words.yaml")
    texts = _data(f"{locale}.yaml")
    lists = _checklists(locale)
    clients = [_fill(rng, c, today, words, texts, lists) for c in _profiles(rng, words)]
    files = {_note_path(c): _note_text(c) for c in clients}
    files.update(_ledger(random.Random(f"{SEED}-ledger"), clients, today))
    return files


def demo_note_count(files: dict[str, str]) -> int:
    return sum(1 for path in files if path.startswith("clients/") and path.endswith(".md"))


def _data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((template_root() / "demo" / name).read_text("utf-8"))
    return data


def _checklists(locale: str) -> dict[str, tuple[str, list[str]]]:
    """checklist name -> (title, items), read from the templates the new vault gets."""
    found = {}
    for rel, raw in template_files(locale).items():
        if rel.startswith("templates/checklists/") and rel.endswith(".md"):
            lines = raw.decode("utf-8").splitlines()
            title = next(line[2:].strip() for line in lines if line.startswith("# "))
            items = [line[6:].strip() for line in lines if line.startswith("- [ ] ")]
            found[rel.rsplit("/", 1)[1][:-3]] = (title, items)
    return found


# --- who the clients are (independent of the date) ---------------------------------------------


def _profiles(rng: random.Random, words: dict[str, Any]) -> list[Client]:
    clients: list[Client] = []
    keys: set[str] = set()
    for fixed in words["fixed"]:
        town = fixed["town"]
        client = Client(fixed["name"], town, _folder(words, town), fixed["segment"],
                        fixed["tier"], fixed["status"])
        _add_unique(clients, keys, client)
    tiers = _tier_deck(rng, CLIENTS - len(clients))
    while len(clients) < CLIENTS:
        _add_unique(clients, keys, _new_profile(rng, words, tiers[CLIENTS - len(clients) - 1]))
    nips: set[str] = set()
    for client in clients:
        client.nip = _nip(rng, words["nip_prefixes"], nips)
    return clients


def _add_unique(clients: list[Client], keys: set[str], client: Client) -> None:
    """Names must differ even case-insensitively and as file names."""
    both = {name_key(client.name), name_key(safe_filename(client.name))}
    if not both & keys:
        keys |= both
        clients.append(client)


def _tier_deck(rng: random.Random, count: int) -> list[str]:
    """Tiers in their exact shares (15/35/50 %), shuffled."""
    deck = [tier for tier, share in TIERS.items() for _ in range(round(count * share / 100))]
    deck += ["C"] * (count - len(deck))
    rng.shuffle(deck)
    return deck


def _new_profile(rng: random.Random, words: dict[str, Any], tier: str) -> Client:
    spot = _weighted(rng, {t["town"]: t["weight"] for t in words["towns"]})
    pattern = rng.choices(words["patterns"], [p["weight"] for p in words["patterns"]])[0]
    first, last = _one(rng, words["people"])
    name = pattern["form"].format(
        brand=_brand(rng, words), legal=_weighted(rng, words["legal_forms"]), town=spot,
        prefix=_one(rng, words["trade_prefixes"]), first=first, last=last,
        estate=_one(rng, words["estates"]),
    )
    segment = pattern["segment"] if pattern["segment"] != "any" else _weighted(rng, SEGMENTS)
    status = _weighted(rng, STATUSES[tier])
    return Client(name, spot, _folder(words, spot), segment, tier, status)


def _brand(rng: random.Random, words: dict[str, Any]) -> str:
    head, tail = _one(rng, words["brand_heads"]), _one(rng, words["brand_tails"])
    if tail.startswith("-"):
        return f"{head}-{tail[1:].capitalize()}"
    return head + tail


def _folder(words: dict[str, Any], town: str) -> str:
    return next((t["town"] for t in words["towns"] if t["town"] == town and t.get("folder")), "")


def _nip(rng: random.Random, prefixes: list[int], seen: set[str]) -> str:
    """A NIP with a valid check digit (a sum mod 11 of 10 has no digit: draw again)."""
    while True:
        digits = f"{_one(rng, prefixes):03d}{rng.randrange(10**6):06d}"
        check = sum(w * int(d) for w, d in zip(NIP_WEIGHTS, digits, strict=True)) % 11
        nip = f"{digits}{check}"
        if check != 10 and nip not in seen:
            seen.add(nip)
            return nip


def _one(rng: random.Random, items: list[Any]) -> Any:
    """One random draw per pick whatever the list's length, so both languages get the same
    portfolio (`random.choice` draws a varying number of bits)."""
    return items[int(rng.random() * len(items))]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


# --- what the note says (dates relative to today) -----------------------------------------------


@dataclass
class _Ctx:
    """What one client's texts draw from."""

    rng: random.Random
    today: date
    texts: dict[str, Any]
    client: Client
    competitor: str

    def say(self, pool: list[str]) -> str:
        usable = [t for t in pool if self.competitor or "{competitor}" not in t]
        product = _one(self.rng, self.texts["products"])
        text = _one(self.rng, usable)
        return text.format(product=product[0].lower() + product[1:], competitor=self.competitor)


def _fill(rng: random.Random, client: Client, today: date, words: dict[str, Any],
          texts: dict[str, Any], lists: dict[str, tuple[str, list[str]]]) -> Client:
    competitor = _one(rng, words["competitors"]) if rng.random() < COMPETITOR_ODDS[
        client.status] else ""
    ctx = _Ctx(rng, today, texts, client, competitor)
    breath = _weighted(rng, BREATHS[client.status])
    last, nxt = _contacts(ctx, breath)
    log = _log(ctx, last) if last else []
    _money(ctx)
    f = client.fields
    if last and rng.random() < 0.95:
        f["last_contact"] = last.isoformat()
    if nxt:
        f["next_contact"] = nxt.isoformat()
    if client.status != "lost" or rng.random() < 0.5:
        f["next_step"] = yaml_str(ctx.say(texts["next_steps"][client.status]))
    if competitor:
        f["competitor"] = yaml_str(competitor)
    if client.tier == "A":
        f["checklists"] = "[key-account]"
    _contact_details(ctx)
    f["tags"] = f"[{texts['segments'][client.segment]['tag']}, {_tag(client.town)}]"
    client.body = _body(ctx, log, lists)
    return client


def _contacts(ctx: _Ctx, breath: str) -> tuple[date | None, date | None]:
    """(last contact, next contact written in the note) giving the wanted breath on `today`."""
    cad = CADENCE[ctx.client.tier]
    written = ctx.rng.random() < 0.5 or (ctx.client.status == "lost" and breath == "ok")
    late = 2 * cad if ctx.client.status == "dormant" else max(21, cad // 2)
    if breath == "never":
        return None, (_pick(ctx, -10, 14) if written else None)
    if not written:  # next contact = last + cadence
        lo, hi = {"ok": (8 - cad, 0), "due": (-cad, 7 - cad), "overdue": (-cad - late, -cad - 1)}[
            breath]
        return _pick(ctx, lo, hi), None
    far = (60, 150) if ctx.client.status == "lost" else (8, 8 + cad)
    nxt = _pick(ctx, *{"ok": far, "due": (0, 7), "overdue": (-late, -1)}[breath])
    ahead = (nxt - ctx.today).days
    return _pick(ctx, min(ahead, 0) - cad, min(ahead - 1, 0)), nxt


def _pick(ctx: _Ctx, lo: int, hi: int) -> date:
    """A workday `lo`..`hi` days from today, drawn with one random number whatever the date."""
    offset = lo + int(ctx.rng.random() * (hi - lo + 1))
    for step in (0, -1, 1, -2, 2, -3, 3):
        day = ctx.today + timedelta(offset + step)
        if lo <= offset + step <= hi and day.weekday() < 5:
            return day
    return ctx.today + timedelta(offset)


def _log(ctx: _Ctx, last: date) -> list[str]:
    """Contact log lines, newest first; the newest one is the last contact."""
    tier, status, texts = ctx.client.tier, ctx.client.status, ctx.texts
    count = ctx.rng.randint(*(1, 2) if status == "prospect" else LOG_ENTRIES[tier])
    days = [last]
    for _ in range(count - 1):
        gap = max(3, int(CADENCE[tier] * (0.5 + ctx.rng.random())))
        back = (days[-1] - ctx.today).days - gap
        days.append(_pick(ctx, back - 2, back))
    lines = []
    for i, day in enumerate(days):
        channel = _weighted(ctx.rng, CHANNELS)
        if status == "prospect":  # nothing bought yet: calls and e-mails about the offer
            channel = "email" if channel == "email" else "phone"
        pool = texts["prospect_log" if status == "prospect" else "log"][channel]
        if i == 0 and status in ("dormant", "lost"):
            channel, pool = "phone", texts[f"{status}_news"]
        elif i == len(days) - 1 and status == "prospect":
            channel, pool = "phone", texts["first_contact"]
        lines.append(f"- {day.isoformat()} {channel}: {ctx.say(pool)}")
    return lines


def _money(ctx: _Ctx) -> None:
    """Potential for everyone; a budget for clients who buy (active, dormant)."""
    client, rng = ctx.client, ctx.rng
    lo, hi, step = POTENTIAL[client.tier]
    potential = Decimal(rng.randrange(lo, hi, step))
    client.fields["potential"] = str(potential)
    if client.status in ("active", "dormant"):
        share = Decimal(rng.randint(40, 75)) / 100
        budget = (potential * share / 1000).quantize(Decimal(1), ROUND_HALF_UP) * 1000
        if rng.random() < 0.15:  # some reps plan to the grosz
            budget += Decimal(rng.randrange(1, 100_000)) / 100
        client.budget = budget
        client.fields["budget"] = str(budget)


def _contact_details(ctx: _Ctx) -> None:
    rng, f = ctx.rng, ctx.client.fields
    if rng.random() < 0.3:
        digits = (rng.randint(500, 889), rng.randint(100, 999), rng.randint(100, 999))
        f["phone"] = '"+48 {} {} {}"'.format(*digits)
    if rng.random() < 0.25:
        slug = re.sub(r"[^a-z0-9]", "", fold(ctx.client.name.split(" Sp")[0]))[:20]
        f["email"] = f"biuro@{slug}.pl"


def _tag(town: str) -> str:
    return town.lower().replace(" ", "-")


def _body(ctx: _Ctx, log: list[str], lists: dict[str, tuple[str, list[str]]]) -> list[str]:
    client, texts, rng = ctx.client, ctx.texts, ctx.rng
    lines = [f"# {client.name}", "", _one(rng, texts["segments"][client.segment]["about"]), ""]
    lines += ["## Opportunities", *_opportunities(ctx), ""]
    for name in _applied_checklists(ctx):
        lines += _checklist(ctx, *lists[name])
    lines += ["## Tasks", *_tasks(ctx), ""]
    lines += ["## Log", *log]
    return lines


def _opportunities(ctx: _Ctx) -> list[str]:
    rng, texts, tier = ctx.rng, ctx.texts, ctx.client.tier
    odds = {"prospect": 0.6, "active": 0.5, "dormant": 0.2, "lost": 0.0}[ctx.client.status]
    count = rng.randint(1, 2) if rng.random() < odds else 0
    lines = []
    for _ in range(count):
        months = rng.randrange(6)
        year, month = divmod(ctx.today.year * 12 + ctx.today.month - 1 + months, 12)
        product = _one(rng, texts["products"])
        label = f"{product} Q{month // 3 + 1}" if rng.random() < 0.6 else (
            f"{product} – {_one(rng, texts['projects'])}")
        value = Decimal(rng.randrange(*OPPORTUNITY[tier], 500))
        line = (f"- {label} [value:: {value:.2f}] [close:: {year:04d}-{month + 1:02d}]"
                f" [probability:: {_one(rng, [2, 3, 4, 5, 6, 7, 8, 9]) / 10}]")
        if rng.random() < 0.4:
            line += f" [stage:: {_one(rng, texts['stages'])}]"
        lines.append(line)
    return lines


def _applied_checklists(ctx: _Ctx) -> list[str]:
    """Most clients a checklist applies to have its section; a few still lack it."""
    applied = []
    if ctx.client.tier == "A" and ctx.rng.random() < 0.85:
        applied.append("key-account")
    if ctx.competitor and ctx.rng.random() < 0.5:
        applied.append("competitor-win")
    if ctx.client.status == "prospect" and ctx.rng.random() < 0.35:
        applied.append("onboarding")
    return applied


def _checklist(ctx: _Ctx, title: str, items: list[str]) -> list[str]:
    progress = 0.3 + 0.7 * ctx.rng.random()
    lines = [f"## Checklist: {title}"]
    for i, item in enumerate(items):
        mark = "x" if ctx.rng.random() < progress - 0.08 * i else " "
        lines.append(f"- [{mark}] {item}")
    return [*lines, ""]


def _tasks(ctx: _Ctx) -> list[str]:
    """Open tasks (some overdue, some this week, some later), then done ones."""
    rng = ctx.rng
    odds = {"prospect": 0.5, "active": 0.6, "dormant": 0.3, "lost": 0.05}[ctx.client.status]
    count = rng.randint(1, 3) if rng.random() < odds else 0
    open_, done = [], []
    for _ in range(count):
        pool = "prospect_tasks" if ctx.client.status == "prospect" else "tasks"
        text = ctx.say(ctx.texts[pool])
        kind = _weighted(rng, {"overdue": 25, "week": 25, "later": 20, "done": 30})
        if kind == "done":
            finished = _pick(ctx, -30, -1)
            ago = (finished - ctx.today).days
            due = _pick(ctx, ago - 5, ago + 3)
            done.append((finished, f"- [x] {text} 📅 {due.isoformat()} ✅ {finished.isoformat()}"))
            continue
        lo, hi = {"overdue": (-21, -1), "week": (0, 6), "later": (7, 45)}[kind]
        due = _pick(ctx, lo, hi)
        open_.append((due, f"- [ ] {text} 📅 {due.isoformat()}"))
    return [line for _, line in sorted(open_)] + [line for _, line in sorted(done, reverse=True)]


# --- files ---------------------------------------------------------------------------------------


def _note_path(client: Client) -> str:
    folder = f"clients/{client.folder}/" if client.folder else "clients/"
    return folder + safe_filename(client.name)


def _note_text(client: Client) -> str:
    head = ["---", f"name: {yaml_str(client.name)}", f'nip: "{client.nip}"',
            f"tier: {client.tier}", f"status: {client.status}", f"region: {yaml_str(client.town)}"]
    head += [f"{key}: {value}" for key, value in client.fields.items()]
    return "\n".join([*head, "---", *client.body]) + "\n"


def _ledger(rng: random.Random, clients: list[Client], today: date) -> dict[str, str]:
    """`sales/YYYY-MM.csv` for the 12 months up to today's, about each client's budget."""
    months = [_month(today, back) for back in range(-11, 1)]
    rows: dict[date, list[tuple[date, Client, Decimal, Decimal]]] = {m: [] for m in months}
    for client in clients:
        if client.budget is None:
            continue
        stops = 12 - rng.randint(3, 6) if client.status == "dormant" else 12
        factor = Decimal(rng.randint(65, 115)) / 100
        chance = BUYS_PER_MONTH[client.tier]
        monthly = client.budget * factor / 12 / Decimal(str(chance))
        for i, month in enumerate(months):
            buys = rng.random() < chance
            if i < stops and buys:
                rows[month] += _invoices(rng, client, monthly, month, today)
    return {f"sales/{m:%Y-%m}.csv": _csv(rng, m, rows[m]) for m in months}


def _invoices(rng: random.Random, client: Client, monthly: Decimal, month: date,
              today: date) -> list[tuple[date, Client, Decimal, Decimal]]:
    days = _workdays(month)
    elapsed = [d for d in days if d <= today]
    if not elapsed:
        return []
    share = monthly * len(elapsed) / len(days)
    weights = [rng.randint(5, 15) for _ in range(rng.randint(*INVOICES[client.tier]))]
    found = []
    for weight in weights:
        amount = max((share * weight / sum(weights)).quantize(GROSZ, ROUND_HALF_UP), MIN_INVOICE)
        margin = (amount * Decimal(rng.randint(200, 350)) / 1000).quantize(GROSZ, ROUND_HALF_UP)
        found.append((_one(rng, elapsed), client, amount, margin))
    return found


def _csv(rng: random.Random, month: date, rows: list[tuple[date, Client, Decimal, Decimal]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LEDGER_HEADER)
    number = 0
    for day, client, amount, margin in sorted(rows, key=lambda r: (r[0], r[1].nip, r[2])):
        number += rng.randint(1, 4)  # other reps' invoices fill the gaps
        document = f"FV/{month:%Y}/{month:%m}/{number:04d}"
        writer.writerow([day.isoformat(), document, client.nip, client.name, f"{amount:.2f}",
                         f"{margin:.2f}"])
    return out.getvalue()


def _month(today: date, offset: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 + offset, 12)
    return date(year, month + 1, 1)


def _workdays(month: date) -> list[date]:
    day, days = month, []
    while day.month == month.month:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(1)
    return days
