"""salesnotes.yaml -> Config: every key has a default; a wrong one names the key and its line.

A wrong value is reported as a Problem and its default is used, so the rep still gets the
Monday views; only a file that is not YAML at all stops the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from salesnotes.errors import Problem, Refused, saying
from salesnotes.i18n import Said
from salesnotes.model.columns import COLUMNS
from salesnotes.model.money import parse_number
from salesnotes.model.where import CONFIG_FILE
from salesnotes.read import yamlnodes as Y
from salesnotes.read.fields import parse_date, parse_month
from salesnotes.read.names import fold

if TYPE_CHECKING:  # made only for a vault with a pay plan (payplan.py)
    from salesnotes.model.payplan import Band, Benefit, Bonus, PayPlan

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUSES = ("prospect", "active", "dormant", "lost")
LOCALES = ("pl", "en")
_PATH = PurePosixPath(CONFIG_FILE)


@dataclass(frozen=True)
class Tier:
    name: str
    cadence_days: int


@dataclass(frozen=True)
class Capacity:
    contacts_per_day: int = 8
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0


@dataclass(frozen=True)
class RoutineItem:
    every: str  # week | month | quarter
    day: int  # weekday (0 = Monday) for week; day of month / of quarter's first month otherwise
    task: str
    until: date | None = None


@dataclass(frozen=True)
class ChecklistRule:
    name: str
    tiers: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    has: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


DEFAULT_TIERS = {"A": Tier("A", 14), "B": Tier("B", 30), "C": Tier("C", 90)}
DEFAULT_ROUTINE = (
    RoutineItem("week", 0, "Portfolio review"),
    RoutineItem("week", 4, "Weekly report"),
    RoutineItem("month", 1, "Budget vs actual"),
    RoutineItem("quarter", 1, "Re-segment the portfolio"),
)
DEFAULT_CHECKLISTS = {
    "key-account": ChecklistRule("key-account", tiers=("A",)),
    "competitor-win": ChecklistRule("competitor-win", has=("competitor",)),
}


@dataclass(frozen=True)
class Config:
    owner: str = ""
    currency: str = "PLN"
    locale: str = "pl"
    fiscal_year_start: int = 1
    tiers: dict[str, Tier] = field(default_factory=lambda: dict(DEFAULT_TIERS))
    default_tier: str = "C"
    capacity: Capacity = Capacity()
    routine: tuple[RoutineItem, ...] = DEFAULT_ROUTINE
    checklists: dict[str, ChecklistRule] = field(default_factory=lambda: dict(DEFAULT_CHECKLISTS))
    seasonality: tuple[Decimal, ...] = tuple(Decimal(1) for _ in range(12))
    pay: PayPlan | None = None
    git_commit: bool = True
    links: str = "markdown"
    days_off: frozenset[date] = frozenset()  # the rep's leave; public holidays come on top
    calendar_id: str | None = None  # week.ics UIDs: default the vault folder's name
    regions: dict[str, frozenset[str]] = field(default_factory=dict)  # folded -> neighbours
    daily_notes: str | None = None  # the daily notes' folder; None: `YYYY-MM-DD.md` anywhere
    ledger_start: date | None = None  # the first month the ledger covers (default: its first)
    # saved column mappings: "sales"/"clients" -> key -> header ("" ignores the column)
    import_maps: dict[str, dict[str, str]] = field(default_factory=dict)

    def cadence(self, tier: str) -> int:
        known = self.tiers.get(tier) or self.tiers.get(self.default_tier)
        return known.cadence_days if known else 30


class _Reader:
    """Walks the composed YAML, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, line: int, message: Said) -> None:
        self.problems.append(saying(_PATH, line, message))

    def text(self, v: Y.Value, key: str) -> str | None:
        if isinstance(v, Y.Scalar):
            return None if v.is_null else v.text
        self.bad(v.line, Said("err_in", part=key, message=Said("err_cfg_single")))
        return None

    def integer(self, v: Y.Value, key: str, lo: int, hi: int) -> int | None:
        t = self.text(v, key)
        if t is None:
            return None
        if not t.strip().lstrip("-").isdigit() or not lo <= int(t) <= hi:
            self.bad(v.line, Said("err_in", part=key, message=Said("err_cfg_whole", lo=lo, hi=hi,
                                                                   got=repr(t))))
            return None
        return int(t)

    def number(self, v: Y.Value, key: str) -> Decimal | None:
        t = self.text(v, key)
        if t is None:
            return None
        try:
            return parse_number(t)
        except Refused as e:
            self.bad(v.line, Said("err_in", part=key, message=e.said))
            return None

    def mapping(self, v: Y.Value, key: str) -> Y.Map | None:
        if isinstance(v, Y.Map):
            return v
        if isinstance(v, Y.Scalar) and v.is_null:
            return None
        self.bad(v.line, Said("err_in", part=key, message=Said("err_cfg_mapping")))
        return None

    def seq(self, v: Y.Value, key: str) -> tuple[Y.Value, ...]:
        if isinstance(v, Y.Seq):
            return v.items
        if isinstance(v, Y.Scalar) and v.is_null:
            return ()
        self.bad(v.line, Said("err_in", part=key, message=Said("err_cfg_list")))
        return ()

    def words(self, v: Y.Value, key: str) -> tuple[str, ...]:
        if isinstance(v, Y.Scalar):
            return () if v.is_null else (v.text,)
        return tuple(t for item in self.seq(v, key) if (t := self.text(item, key)) is not None)

    def section(self, v: Y.Value, key: str, known: set[str]) -> Y.Map | None:
        """`key`'s mapping with its unknown keys said; None when it is empty or not one."""
        m = self.mapping(v, key)
        if m is not None:
            self.unknown(m, known, f"{key}.")
        return m

    def choice(self, m: Y.Map, key: str, choices: tuple[str, ...], said: str) -> str:
        """The text of `key` (dotted, the last part in `m`) when it is one of `choices`, else
        the first choice (and `said` says what it got instead)."""
        v = m.items.get(key.rsplit(".", 1)[-1])
        got = (self.text(v, key) or choices[0]) if v is not None else choices[0]
        if v is not None and got not in choices:
            self.bad(v.line, Said("err_in", part=key, message=Said(said, got=repr(got))))
            return choices[0]
        return got

    def unknown(self, m: Y.Map, known: set[str], where: str) -> None:
        for k in m.items:
            if k not in known:
                self.bad(m.key_lines[k], Said("err_cfg_unknown_key", key=f"{where}{k}",
                                              known=", ".join(sorted(known))))


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read `root/salesnotes.yaml`; a missing file or key takes the default."""
    try:
        data = (root / CONFIG_FILE).read_bytes()
    except FileNotFoundError:
        return Config(), []
    return parse_config(data)


def parse_config(data: bytes) -> tuple[Config, list[Problem]]:
    """salesnotes.yaml's bytes, wherever they come from (a file, or a rep's commit in git)."""
    doc = Y.load_map_file(data, _PATH)
    if doc is None:
        return Config(), []
    r = _Reader()
    return _config_from(doc, r), r.problems


_TOP = {"owner", "currency", "locale", "fiscal_year_start", "tiers", "default_tier", "capacity",
        "routine", "checklists", "seasonality", "pay", "git", "links", "days_off", "calendar_id",
        "regions", "daily_notes", "ledger_start", "import"}


def _config_from(doc: Y.Map, r: _Reader) -> Config:
    r.unknown(doc, _TOP, "")
    g = doc.items.get
    kw: dict[str, object] = {}
    for read in (_general, _tier_keys, _plans, _git_key, _ledger_keys, _links_key, _calendar):
        read(g, r, kw)  # in the order the keys are documented
    return Config(**kw)  # type: ignore[arg-type]


_Get = Callable[[str], Y.Value | None]


def _general(g: _Get, r: _Reader, kw: dict[str, object]) -> None:
    if (v := g("owner")) is not None:
        kw["owner"] = r.text(v, "owner") or ""
    if (v := g("currency")) is not None and (t := r.text(v, "currency")):
        if len(t) != 3 or not t.isalpha():
            r.bad(v.line, Said("err_in", part="currency",
                               message=Said("err_cfg_currency", got=repr(t))))
        else:
            kw["currency"] = t.upper()
    if (v := g("locale")) is not None and (t := r.text(v, "locale")):
        if t not in LOCALES:
            r.bad(v.line, Said("err_cfg_locale", got=repr(t)))
        else:
            kw["locale"] = t
    if (v := g("fiscal_year_start")) is not None:
        if (n := r.integer(v, "fiscal_year_start", 1, 12)) is not None:
            kw["fiscal_year_start"] = n


def _tier_keys(g: _Get, r: _Reader, kw: dict[str, object]) -> None:
    tiers = _tiers(g("tiers"), r)
    if tiers:
        kw["tiers"] = tiers
    known_tiers = tiers or DEFAULT_TIERS
    if (v := g("default_tier")) is not None and (t := r.text(v, "default_tier")):
        if t not in known_tiers:
            r.bad(v.line, Said("err_in", part="default_tier", message=Said(
                "err_unknown_tier", tier=t, known=", ".join(known_tiers))))
        else:
            kw["default_tier"] = t
    elif tiers and "C" not in tiers:
        kw["default_tier"] = list(tiers)[-1]


def _plans(g: _Get, r: _Reader, kw: dict[str, object]) -> None:
    if (v := g("capacity")) is not None:
        kw["capacity"] = _capacity(v, r)
    if (v := g("routine")) is not None:
        kw["routine"] = tuple(i for item in r.seq(v, "routine") if (i := _routine(item, r)))
    if (v := g("checklists")) is not None:
        kw["checklists"] = _checklists(v, r)
    if (v := g("seasonality")) is not None:
        if (s := _seasonality(v, r)) is not None:
            kw["seasonality"] = s
    if (v := g("pay")) is not None:
        kw["pay"] = _pay(v, r)


def _git_key(g: _Get, r: _Reader, kw: dict[str, object]) -> None:
    if (v := g("git")) is not None and (m := r.section(v, "git", {"commit"})):
        if (c := m.items.get("commit")) is not None:
            kw["git_commit"] = _bool(c, "git.commit", r, True)


def _ledger_keys(g: _Get, r: _Reader, kw: dict[str, object]) -> None:
    if (v := g("ledger_start")) is not None and (t := r.text(v, "ledger_start")):
        try:
            kw["ledger_start"] = parse_month(t)
        except Refused as e:
            r.bad(v.line, Said("err_in", part="ledger_start",
                               message=Said("err_cfg_month", message=e.said)))
    if (v := g("import")) is not None:
        kw["import_maps"] = _import_maps(v, r)


def _links_key(g: _Get, r: _Reader, kw: dict[str, object]) -> None:
    if (v := g("links")) is not None and (t := r.text(v, "links")):
        if t not in ("markdown", "wiki"):
            r.bad(v.line, Said("err_in", part="links", message=Said("err_cfg_links", got=repr(t))))
        else:
            kw["links"] = t


def _calendar(g: _Get, r: _Reader, kw: dict[str, object]) -> None:
    if (v := g("days_off")) is not None:
        kw["days_off"] = _days_off(v, r)
    if (v := g("calendar_id")) is not None and (t := r.text(v, "calendar_id")):
        kw["calendar_id"] = t.strip()
    if (v := g("regions")) is not None:
        kw["regions"] = _regions(v, r)
    if (v := g("daily_notes")) is not None and (t := r.text(v, "daily_notes")):
        folder = t.strip().strip("/")
        if not folder or folder.startswith(".") or ".." in folder.split("/"):
            r.bad(v.line, Said("err_in", part="daily_notes",
                               message=Said("err_cfg_folder", got=repr(t))))
        else:
            kw["daily_notes"] = folder


MAX_LEAVE_DAYS = 366


def _days_off(v: Y.Value, r: _Reader) -> frozenset[date]:
    """`[2026-12-28, 2027-02-15..2027-02-19]`: single dates and inclusive ranges."""
    out: set[date] = set()
    for item in r.seq(v, "days_off") if not isinstance(v, Y.Scalar) or v.is_null else (v,):
        t = (r.text(item, "days_off") or "").strip()
        first, sep, last = t.partition("..")
        try:
            start = parse_date(first.strip())
            end = parse_date(last.strip()) if sep else start
        except Refused as e:
            r.bad(item.line, Said("err_in", part="days_off",
                                  message=Said("err_cfg_day_off", message=e.said)))
            continue
        if not 0 <= (end - start).days < MAX_LEAVE_DAYS:
            r.bad(item.line, Said("err_in", part="days_off", message=Said(
                "err_cfg_day_off_range", text=repr(t), days=MAX_LEAVE_DAYS)))
            continue
        out.update(date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1))
    return frozenset(out)


def _regions(v: Y.Value, r: _Reader) -> dict[str, frozenset[str]]:
    """`{Kraków: [Wieliczka, Skawina]}`: neighbours both ways, names folded like notes' regions."""
    m = r.mapping(v, "regions")
    out: dict[str, set[str]] = {}
    for name, near in (m.items.items() if m else ()):
        here = fold(name)
        for other in map(fold, r.words(near, f"regions.{name}")):
            if other and other != here:
                out.setdefault(here, set()).add(other)
                out.setdefault(other, set()).add(here)
    return {k: frozenset(n) for k, n in out.items()}


def _bool(v: Y.Value, key: str, r: _Reader, default: bool) -> bool:
    t = (r.text(v, key) or "").lower()
    if t in ("true", "yes", "on"):
        return True
    if t in ("false", "no", "off"):
        return False
    r.bad(v.line, Said("err_in", part=key, message=Said("err_cfg_bool", got=repr(t))))
    return default


def _tiers(v: Y.Value | None, r: _Reader) -> dict[str, Tier]:
    if v is None or (m := r.mapping(v, "tiers")) is None:
        return {}
    out: dict[str, Tier] = {}
    for name, spec in m.items.items():
        sm = r.section(spec, f"tiers.{name}", {"cadence_days"})
        if sm is None:
            continue
        c = sm.items.get("cadence_days")
        days = r.integer(c, f"tiers.{name}.cadence_days", 1, 3660) if c else None
        if c is None:
            r.bad(sm.line, Said("err_in", part=f"tiers.{name}",
                               message=Said("err_cfg_cadence_missing")))
        out[name] = Tier(name, days or 30)
    return out


def _capacity(v: Y.Value, r: _Reader) -> Capacity:
    m = r.section(v, "capacity", {"contacts_per_day", "workdays"})
    if m is None:
        return Capacity()
    per_day, days = Capacity.contacts_per_day, Capacity.workdays
    if (c := m.items.get("contacts_per_day")) is not None:
        per_day = r.integer(c, "capacity.contacts_per_day", 1, 200) or per_day
    if (w := m.items.get("workdays")) is not None:
        picked = []
        for item in r.seq(w, "capacity.workdays"):
            t = (r.text(item, "capacity.workdays") or "").lower()[:3]
            if t not in WEEKDAYS:
                r.bad(item.line, Said("err_in", part="capacity.workdays", message=Said(
                    "err_cfg_not_one_of", got=repr(t), known=", ".join(WEEKDAYS))))
            else:
                picked.append(WEEKDAYS.index(t))
        days = tuple(sorted(set(picked))) or days
    return Capacity(per_day, days)


def _routine(v: Y.Value, r: _Reader) -> RoutineItem | None:
    m = r.section(v, "routine", {"every", "day", "task", "until"})
    if m is None:
        return None
    every = r.text(m.items["every"], "routine.every") if "every" in m.items else None
    task = r.text(m.items["task"], "routine.task") if "task" in m.items else None
    if every not in ("week", "month", "quarter"):
        r.bad(m.line, Said("err_in", part="routine.every",
                              message=Said("err_cfg_every", got=repr(every))))
        return None
    if not task:
        r.bad(m.line, Said("err_in", part="routine", message=Said("err_cfg_task_missing")))
        return None
    day = 0 if every == "week" else 1
    if (d := m.items.get("day")) is not None:
        t = (r.text(d, "routine.day") or "").lower()
        if every == "week":
            if t[:3] not in WEEKDAYS:
                r.bad(d.line, Said("err_in", part="routine.day",
                                  message=Said("err_cfg_weekday", got=repr(t))))
                return None
            day = WEEKDAYS.index(t[:3])
        elif (n := r.integer(d, "routine.day", 1, 31)) is not None:
            day = n
        else:
            return None
    until: date | None = None
    if (u := m.items.get("until")) is not None and (written := r.text(u, "routine.until")):
        try:
            until = parse_date(written)
        except Refused as e:
            r.bad(u.line, Said("err_in", part="routine.until", message=e.said))
    return RoutineItem(every, day, task, until)


def _checklists(v: Y.Value, r: _Reader) -> dict[str, ChecklistRule]:
    m = r.mapping(v, "checklists")
    if m is None:
        return {}
    out = {}
    for name, spec in m.items.items():
        sm = r.section(spec, f"checklists.{name}", {"tiers", "status", "has", "tags"})
        if sm is None:
            out[name] = ChecklistRule(name)
            continue

        def gw(k: str, sm: Y.Map = sm, name: str = name) -> tuple[str, ...]:
            return r.words(sm.items[k], f"checklists.{name}.{k}") if k in sm.items else ()

        for st in (statuses := gw("status")):
            if st not in STATUSES:
                r.bad(sm.key_lines["status"], Said(
                    "err_in", part=f"checklists.{name}.status", message=Said(
                        "err_unknown_status", status=st, known=", ".join(STATUSES))))
        out[name] = ChecklistRule(name, gw("tiers"), statuses, gw("has"), gw("tags"))
    return out


def _seasonality(v: Y.Value, r: _Reader) -> tuple[Decimal, ...] | None:
    items = r.seq(v, "seasonality")
    weights = [r.number(i, "seasonality") for i in items]
    if len(items) != 12:
        r.bad(v.line, Said("err_in", part="seasonality",
                           message=Said("err_cfg_weights", got=len(items))))
        return None
    if any(w is None or w < 0 for w in weights) or sum(w for w in weights if w) == 0:
        r.bad(v.line, Said("err_in", part="seasonality", message=Said("err_cfg_weights_values")))
        return None
    return tuple(w for w in weights if w is not None)


def _pay(v: Y.Value, r: _Reader) -> PayPlan | None:
    # the pay plan's records only for a vault that has one: every command reads the config
    from salesnotes.model.payplan import PayPlan

    m = r.section(v, "pay", {"base", "commission", "bonuses", "benefits"})
    if m is None:
        return None
    base = r.number(m.items["base"], "pay.base") if "base" in m.items else None
    basis, period = "revenue", "month"
    bands: list[tuple[Band, int]] = []
    commission = {"basis", "period", "rates"}
    if (c := m.items.get("commission")) is not None and (
            cm := r.section(c, "pay.commission", commission)):
        basis = r.choice(cm, "pay.commission.basis", ("revenue", "margin"), "err_cfg_basis")
        period = r.choice(cm, "pay.commission.period", ("month", "quarter"), "err_cfg_period")
        bands = _bands(cm, r)
    ordered = sorted(bands, key=lambda b: b[0].start)
    if [b for b, _ in ordered] != [b for b, _ in bands]:
        r.bad(bands[0][1], Said("err_in", part="pay.commission.rates",
                                   message=Said("err_cfg_bands_order")))
    return PayPlan(base or Decimal(0), basis, period, tuple(b for b, _ in ordered),
                   _bonuses(m.items.get("bonuses"), r), _benefits(m.items.get("benefits"), r))


def _bands(cm: Y.Map, r: _Reader) -> list[tuple[Band, int]]:
    """The commission bands as listed, each with its line (the order is checked by the caller)."""
    # the pay plan's records only for a vault that has one: every command reads the config
    from salesnotes.model.payplan import Band

    bands = []
    for item in r.seq(cm.items.get("rates", Y.Scalar("", 0, False)), "pay.commission.rates"):
        if (im := r.section(item, "pay.commission.rates", {"from", "rate"})) is None:
            continue
        start = r.number(im.items["from"], "from") if "from" in im.items else None
        rate = r.number(im.items["rate"], "rate") if "rate" in im.items else None
        if start is None or rate is None:
            r.bad(im.line, Said("err_in", part="pay.commission.rates",
                                message=Said("err_cfg_band")))
            continue
        bands.append((Band(start, rate), im.line))
    return bands


def _bonuses(v: Y.Value | None, r: _Reader) -> tuple[Bonus, ...]:
    # the pay plan's records only for a vault that has one: every command reads the config
    from salesnotes.model.payplan import Bonus

    out = []
    for item in r.seq(v, "pay.bonuses") if v is not None else ():
        known = {"name", "period", "min_attainment", "amount"}
        if (m := r.section(item, "pay.bonuses", known)) is None:
            continue
        name = r.text(m.items["name"], "name") if "name" in m.items else None
        period = r.text(m.items["period"], "period") if "period" in m.items else "quarter"
        att = (r.number(m.items["min_attainment"], "min_attainment")
               if "min_attainment" in m.items else None)
        amount = r.number(m.items["amount"], "amount") if "amount" in m.items else None
        if not name or att is None or amount is None or period not in ("month", "quarter", "year"):
            r.bad(m.line, Said("err_in", part="pay.bonuses", message=Said("err_cfg_bonus")))
            continue
        out.append(Bonus(name, period, att, amount))
    return tuple(out)


def _benefits(v: Y.Value | None, r: _Reader) -> tuple[Benefit, ...]:
    # the pay plan's records only for a vault that has one: every command reads the config
    from salesnotes.model.payplan import Benefit

    out = []
    for item in r.seq(v, "pay.benefits") if v is not None else ():
        if isinstance(item, Y.Scalar):
            out.append(Benefit(item.text))
            continue
        if (m := r.section(item, "pay.benefits", {"name", "limit", "used"})) is None:
            continue
        name = r.text(m.items["name"], "name") if "name" in m.items else None
        if not name:
            r.bad(m.line, Said("err_in", part="pay.benefits", message=Said("err_cfg_benefit")))
            continue
        limit = r.number(m.items["limit"], "limit") if "limit" in m.items else None
        used = r.number(m.items["used"], "used") if "used" in m.items else None
        out.append(Benefit(name, limit, used))
    return tuple(out)


def _import_maps(v: Y.Value, r: _Reader) -> dict[str, dict[str, str]]:
    """`import: {sales: {map: {amount: "Wartość netto"}}, clients: {map: {tier: }}}`: the
    `--map` options a monthly import would otherwise need every time (an empty header ignores
    the column)."""
    m = r.section(v, "import", {"sales", "clients"})
    if m is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    for kind in ("sales", "clients"):
        kv = m.items.get(kind)
        if kv is None or (km := r.section(kv, f"import.{kind}", {"map"})) is None:
            continue
        mv = km.items.get("map")
        if mv is None or (mm := r.section(mv, f"import.{kind}.map", set(COLUMNS))) is None:
            continue
        saved = {}
        for key, hv in mm.items.items():
            if key in COLUMNS:
                header = "" if isinstance(hv, Y.Scalar) and hv.is_null else r.text(hv, key)
                if header is not None:
                    saved[key] = header.strip()
        out[kind] = saved
    return out
