"""The demo portfolio and `create_vault`: what a new user sees first must be valid and lively."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment
from stdnum.pl import nip as stdnum_nip

from salesnotes.edit.demo import demo_files, demo_note_count
from salesnotes.edit.vaultinit import create_vault, template_files
from salesnotes.errors import UsageProblem
from salesnotes.read.names import safe_filename

TODAY = date(2026, 11, 27)  # a Friday
OTHER_DAYS = [date(2026, 1, 1), date(2027, 3, 8), date(2028, 2, 29), date(2026, 11, 29)]
CADENCE = {"A": 14, "B": 30, "C": 90}
SPEC_KEYS = {"name", "nip", "vat_id", "tier", "status", "region", "potential", "budget",
             "last_contact", "next_contact", "next_step", "competitor", "checklists", "owner",
             "tags", "aliases"}
DEMO_EXTRA_KEYS = {"phone", "email"}
TITLES = {"pl": {"key-account": "Kluczowy klient",
                 "competitor-win": "Przejęcie klienta konkurencji", "onboarding": "Nowy klient"},
          "en": {"key-account": "Key account", "competitor-win": "Winning a competitor's client",
                 "onboarding": "Onboarding"}}
OPPORTUNITY = re.compile(r"- \S.* \[value:: \d+\.\d{2}\] \[close:: (\d{4}-\d{2})\]"
                         r" \[probability:: 0\.\d\]( \[stage:: [\w ]+\])?")
LOG_LINE = re.compile(r"- (\d{4}-\d{2}-\d{2}) (phone|email|sms|visit|meeting|other): \S.*")
OPEN_TASK = re.compile(r"- \[ \] \S.* 📅 (\d{4}-\d{2}-\d{2})")
DONE_TASK = re.compile(r"- \[x\] \S.* 📅 \d{4}-\d{2}-\d{2} ✅ (\d{4}-\d{2}-\d{2})")


@pytest.fixture(scope="module")
def demo_pl() -> dict[str, str]:
    return demo_files(TODAY, "pl")


@pytest.fixture(scope="module")
def demo_en() -> dict[str, str]:
    return demo_files(TODAY, "en")


def notes(files: dict[str, str]) -> dict[str, tuple[dict[str, object], str]]:
    """path -> (front-matter, body) of every client note."""
    out = {}
    for path, text in files.items():
        if path.startswith("clients/"):
            _, head, body = text.split("---\n", 2)
            assert text.startswith("---\n")
            out[path] = (yaml.safe_load(head), body)
    return out


def section(body: str, heading: str) -> list[str]:
    lines = body.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0].splitlines()
    return [line for line in lines if line.strip()]


def breath(fm: dict[str, object], body: str, today: date) -> str:
    """README's rule, written out simply."""
    logged = [date.fromisoformat(m.group(1)) for line in section(body, "## Log")
              if (m := LOG_LINE.fullmatch(line))]
    last = fm.get("last_contact") or (max(logged) if logged else None)
    if last is None:
        return "never"
    assert isinstance(last, date)
    nxt = fm.get("next_contact") or last + timedelta(CADENCE[str(fm["tier"])])
    assert isinstance(nxt, date)
    if nxt < today:
        return "overdue"
    return "due" if nxt <= today + timedelta(7) else "ok"


def ledger(files: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    return {path: list(csv.DictReader(io.StringIO(text)))
            for path, text in files.items() if path.startswith("sales/")}


# --- the notes ------------------------------------------------------------------------------------

def test_same_date_same_bytes(demo_pl: dict[str, str]) -> None:
    assert demo_files(TODAY, "pl") == demo_pl
    assert demo_files(TODAY + timedelta(1), "pl") != demo_pl


def test_both_languages_hold_the_same_portfolio(demo_pl: dict[str, str],
                                                demo_en: dict[str, str]) -> None:
    assert demo_pl.keys() == demo_en.keys()
    assert all(demo_pl[p] == demo_en[p] for p in demo_pl if p.startswith("sales/"))


def test_at_least_150_clients_some_in_region_folders(demo_pl: dict[str, str]) -> None:
    assert demo_note_count(demo_pl) >= 150
    folders = Counter(p.split("/")[1] for p in demo_pl if p.count("/") == 2)
    assert folders["Kraków"] >= 10 and len(folders) >= 3
    assert sum(1 for p in demo_pl if p.count("/") == 1 and p.startswith("clients/")) >= 50


def test_front_matter_is_flat_spec_shaped_and_valid(demo_pl: dict[str, str]) -> None:
    seen_nips = set()
    for path, (fm, _body) in notes(demo_pl).items():
        assert set(fm) <= SPEC_KEYS | DEMO_EXTRA_KEYS, path
        for key, value in fm.items():
            assert isinstance(value, str | int | float | date | list), (path, key)
            if isinstance(value, list):
                assert all(isinstance(v, str) for v in value), (path, key)
        assert isinstance(fm["nip"], str) and stdnum_nip.is_valid(fm["nip"]), path
        assert re.search(r'^nip: "\d{10}"$', demo_pl[path], re.M)
        seen_nips.add(fm["nip"])
        assert path.rsplit("/", 1)[1] == safe_filename(str(fm["name"]))
        for key in ("budget", "potential"):
            if key in fm:
                assert isinstance(fm[key], int | float) and fm[key] > 0
        for key in ("last_contact", "next_contact"):
            assert key not in fm or isinstance(fm[key], date)
        if "phone" in fm:
            assert isinstance(fm["phone"], str) and fm["phone"].startswith("+48 ")
        assert isinstance(fm["tags"], list) and all(" " not in t for t in fm["tags"])
        assert "\r" not in demo_pl[path]
    assert len(seen_nips) == demo_note_count(demo_pl)


def test_money_is_plain_numbers_some_with_grosze(demo_pl: dict[str, str]) -> None:
    budgets = re.findall(r"^budget: (.*)$", "\n".join(demo_pl.values()), re.M)
    assert budgets and all(re.fullmatch(r"\d+(\.\d{1,2})?", b) for b in budgets)
    assert any("." in b for b in budgets)


def test_every_tier_status_and_their_shares(demo_pl: dict[str, str]) -> None:
    fms = [fm for fm, _ in notes(demo_pl).values()]
    tiers = Counter(fm["tier"] for fm in fms)
    statuses = Counter(fm["status"] for fm in fms)
    assert set(statuses) == {"prospect", "active", "dormant", "lost"}
    assert 0.10 <= tiers["A"] / len(fms) <= 0.20
    assert 0.28 <= tiers["B"] / len(fms) <= 0.42
    assert 0.42 <= tiers["C"] / len(fms) <= 0.58
    competitors = Counter(fm["competitor"] for fm in fms if "competitor" in fm)
    assert 0.08 <= sum(competitors.values()) / len(fms) <= 0.25 and 4 <= len(competitors) <= 5
    assert any(re.search(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]", str(fm["name"])) for fm in fms)
    assert any(str(fm["name"]).endswith(" Sp. z o.o.") for fm in fms)


@pytest.mark.parametrize("today", [TODAY, *OTHER_DAYS])
def test_every_breath_state_appears_whatever_the_date(today: date) -> None:
    drawn = notes(demo_files(today, "en")).values()
    states = Counter(breath(fm, body, today) for fm, body in drawn)
    assert set(states) == {"never", "overdue", "due", "ok"}
    assert min(states.values()) >= 5


def test_never_contacted_means_no_last_contact_and_no_log(demo_pl: dict[str, str]) -> None:
    for fm, body in notes(demo_pl).values():
        if breath(fm, body, TODAY) == "never":
            assert "last_contact" not in fm and not section(body, "## Log")


def test_log_is_newest_first_and_matches_last_contact(demo_pl: dict[str, str]) -> None:
    for path, (fm, body) in notes(demo_pl).items():
        lines = section(body, "## Log")
        assert all(LOG_LINE.fullmatch(line) for line in lines), path
        days = [date.fromisoformat(line[2:12]) for line in lines]
        assert days == sorted(days, reverse=True) and len(set(days)) == len(days)
        assert all(d <= TODAY for d in days)
        if days and "last_contact" in fm:
            assert fm["last_contact"] == days[0]


def test_checklists_use_the_locale_templates(demo_pl: dict[str, str],
                                             demo_en: dict[str, str]) -> None:
    for locale, files in (("pl", demo_pl), ("en", demo_en)):
        items = {title: _template_items(locale, name) for name, title in TITLES[locale].items()}
        sections = Counter()
        ticks = Counter()
        for fm, body in notes(files).values():
            if fm["tier"] == "A":
                assert fm["checklists"] == ["key-account"]
            for title in re.findall(r"^## Checklist: (.*)$", body, re.M):
                assert title in items, title
                lines = section(body, f"## Checklist: {title}")
                assert [line[6:] for line in lines] == items[title]
                sections[title] += 1
                ticks.update(line[:5] for line in lines)
        assert sections[TITLES[locale]["key-account"]] >= 10
        assert len(sections) == 3
        assert ticks["- [x]"] and ticks["- [ ]"]


def _template_items(locale: str, name: str) -> list[str]:
    text = template_files(locale)[f"templates/checklists/{name}.md"].decode("utf-8")
    return [line[6:] for line in text.splitlines() if line.startswith("- [ ] ")]


def test_opportunities_and_tasks(demo_pl: dict[str, str]) -> None:
    closes, kinds = set(), Counter()
    months = {f"{d.year:04d}-{d.month:02d}" for d in
              (date(2026 + (10 + k) // 12, (10 + k) % 12 + 1, 1) for k in range(6))}
    for path, (_fm, body) in notes(demo_pl).items():
        for line in section(body, "## Opportunities"):
            match = OPPORTUNITY.fullmatch(line)
            assert match, (path, line)
            closes.add(match.group(1))
        for line in section(body, "## Tasks"):
            if m := OPEN_TASK.fullmatch(line):
                due = date.fromisoformat(m.group(1))
                kinds["overdue" if due < TODAY else "week" if due <= TODAY + timedelta(6)
                      else "later"] += 1
            else:
                m = DONE_TASK.fullmatch(line)
                assert m and date.fromisoformat(m.group(1)) <= TODAY, (path, line)
                kinds["done"] += 1
    assert closes <= months and len(closes) >= 5
    assert all(kinds[k] >= 5 for k in ("overdue", "week", "later", "done"))


def test_texts_speak_the_locale(demo_pl: dict[str, str], demo_en: dict[str, str]) -> None:
    pl = "\n".join(v for k, v in demo_pl.items() if k.startswith("clients/"))
    en = "\n".join(v for k, v in demo_en.items() if k.startswith("clients/"))
    assert "## Checklist: Kluczowy klient" in pl and "Key account" not in pl
    assert "## Checklist: Key account" in en and "Kluczowy klient" not in en
    assert "phone: rozmowa z" in pl and "offer for" in en and "oferta" not in en


# --- the sales ledger -----------------------------------------------------------------------------

def test_ledger_covers_twelve_months_up_to_today(demo_pl: dict[str, str]) -> None:
    files = sorted(p for p in demo_pl if p.startswith("sales/"))
    assert files[0] == "sales/2025-12.csv" and files[-1] == "sales/2026-11.csv" and len(files) == 12
    for path in files:
        text = demo_pl[path]
        assert text.startswith("date,document,nip,client,amount,margin\n")
        assert "\r" not in text and text.endswith("\n")


def test_ledger_rows_are_clean_sorted_and_match_clients(demo_pl: dict[str, str]) -> None:
    clients = {fm["nip"]: fm for fm, _ in notes(demo_pl).values()}
    documents = set()
    for path, rows in ledger(demo_pl).items():
        keys = [(r["date"], r["document"]) for r in rows]
        assert keys == sorted(keys)
        for row in rows:
            day = date.fromisoformat(row["date"])
            assert path == f"sales/{day:%Y-%m}.csv" and day <= TODAY and day.weekday() < 5
            assert re.fullmatch(rf"FV/{day:%Y}/{day:%m}/\d{{4}}", row["document"])
            assert row["document"] not in documents
            documents.add(row["document"])
            client = clients[row["nip"]]
            assert client["status"] in ("active", "dormant") and row["client"] == client["name"]
            amount, margin = Decimal(row["amount"]), Decimal(row["margin"])
            assert re.fullmatch(r"\d+\.\d{2}", row["amount"]) and amount > 0
            assert Decimal("0.19") <= margin / amount <= Decimal("0.36")
    assert len(documents) > 1000


def test_ledger_roughly_meets_the_budgets(demo_pl: dict[str, str]) -> None:
    """Year to date, active clients reach about 70-110 % of their prorated budgets."""
    clients = {fm["nip"]: fm for fm, _ in notes(demo_pl).values()}
    sold: Counter[str] = Counter()
    for rows in ledger(demo_pl).values():
        for row in rows:
            if row["date"].startswith(str(TODAY.year)):
                sold[row["nip"]] += Decimal(row["amount"])  # type: ignore[assignment]
    elapsed = Decimal((TODAY - date(TODAY.year, 1, 1)).days + 1) / 365
    active = [n for n, fm in clients.items() if fm["status"] == "active"]
    budget = sum(Decimal(str(clients[n]["budget"])) for n in active) * elapsed
    attainment = sum(Decimal(sold[n]) for n in active) / budget
    assert Decimal("0.7") <= attainment <= Decimal("1.1")
    total = sum(Decimal(r["amount"]) for rows in ledger(demo_pl).values() for r in rows)
    assert total == total.quantize(Decimal("0.01"))


# --- the vault template and create_vault ----------------------------------------------------------

SPEC_CONFIG = {
    "owner": "Jan Kowalski", "currency": "PLN", "fiscal_year_start": 1,
    "tiers": {"A": {"cadence_days": 14}, "B": {"cadence_days": 30}, "C": {"cadence_days": 90}},
    "default_tier": "C",
    "capacity": {"contacts_per_day": 8, "workdays": ["mon", "tue", "wed", "thu", "fri"]},
    "seasonality": [1] * 12, "git": {"commit": True}, "links": "markdown",
}
ROUTINE = {"pl": ["Przegląd portfela", "Raport tygodniowy", "Budżet vs wykonanie",
                  "Resegmentacja portfela"],
           "en": ["Portfolio review", "Weekly report", "Budget vs actual",
                  "Re-segment the portfolio"]}


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_create_vault_writes_the_template(tmp_path: Path, locale: str) -> None:
    target = tmp_path / "vault"
    written = create_vault(target, locale=locale, demo=False, today=TODAY)
    on_disk = sorted(p for p in target.rglob("*") if p.is_file())
    assert sorted(written) == on_disk
    rel = {p.relative_to(target).as_posix() for p in written}
    assert {"salesnotes.yaml", ".gitignore", ".gitattributes",
            "templates/client.md", "templates/views/README.md", "clients/.gitkeep",
            "sales/.gitkeep", "views/.gitkeep", "templates/checklists/key-account.md",
            "templates/checklists/competitor-win.md", "templates/checklists/onboarding.md",
            ".obsidian/types.json"} == rel
    assert ".salesnotes/" in (target / ".gitignore").read_text(encoding="utf-8")
    attributes = (target / ".gitattributes").read_text(encoding="utf-8")
    assert "views/** linguist-generated=true" in attributes and "eol" not in attributes


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_config_has_every_spec_key_with_its_default(tmp_path: Path, locale: str) -> None:
    create_vault(tmp_path, locale=locale, demo=False, today=TODAY)
    text = (tmp_path / "salesnotes.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert config["locale"] == locale
    for key, value in SPEC_CONFIG.items():
        assert config[key] == value, key
    assert [r["task"] for r in config["routine"]] == ROUTINE[locale]
    assert [(r["every"], r["day"]) for r in config["routine"]] == [
        ("week", "mon"), ("week", "fri"), ("month", 1), ("quarter", 1)]
    assert config["checklists"] == {"key-account": {"tiers": ["A"]},
                                    "competitor-win": {"has": "competitor"},
                                    "onboarding": {"status": ["prospect"]}}
    pay = config["pay"]
    assert pay["base"] == 7000 and pay["commission"] == {
        "basis": "revenue", "period": "month",
        "rates": [{"from": 0.0, "rate": 0.01}, {"from": 0.8, "rate": 0.03},
                  {"from": 1.0, "rate": 0.05}]}
    bonus = pay["bonuses"][0]
    assert (bonus["period"], bonus["min_attainment"], bonus["amount"]) == ("quarter", 1.0, 3000)
    assert len(pay["benefits"]) == 2 and pay["benefits"][1]["limit"] == 2000
    assert pay["benefits"][1]["used"] == 800
    assert "base: 7000.00" in text  # money as written in README
    comments = [line for line in text.splitlines() if "#" in line]
    assert len(comments) >= 20  # every key explained


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_templates_are_complete(locale: str) -> None:
    files = template_files(locale)
    for name, title in TITLES[locale].items():
        text = files[f"templates/checklists/{name}.md"].decode("utf-8")
        assert text.splitlines()[0] == f"# {title}"
        assert 6 <= len(_template_items(locale, name)) <= 10
    assert "Clients.base" not in files  # review writes views/Clients.base from the config


@pytest.mark.parametrize("locale", ["pl", "en"])
@pytest.mark.parametrize("trim_blocks", [False, True])
def test_client_template_renders_a_spec_note(locale: str, trim_blocks: bool) -> None:
    env = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined,
                                        keep_trailing_newline=True, trim_blocks=trim_blocks)
    env.filters["yaml_str"] = lambda s: json.dumps(s, ensure_ascii=False)
    template = env.from_string(template_files(locale)["templates/client.md"].decode("utf-8"))
    name = 'Hydro: "Tech" #1 Sp. z o.o.'
    text = template.render(name=name, nip="0123456789", tier="A", status="active",
                           region="Kraków", today="2026-11-27", extra={"budget": 1000})
    assert text.startswith("---\n")
    _, head, body = text.split("---\n", 2)
    assert yaml.safe_load(head) == {"name": name, "nip": "0123456789", "tier": "A",
                                    "status": "active", "region": "Kraków", "budget": 1000}
    assert body.startswith(f"# {name}\n")
    for heading in ("## Opportunities", "## Tasks", "## Log"):
        assert f"\n{heading}\n" in body
    bare = template.render(name="X", nip="", tier="C", status="prospect", region="",
                           today="2026-11-27")
    assert yaml.safe_load(bare.split("---\n")[1]) == {"name": "X", "tier": "C",
                                                      "status": "prospect"}


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_create_vault_with_demo(tmp_path: Path, locale: str) -> None:
    written = create_vault(tmp_path, locale=locale, demo=True, today=TODAY)
    rel = {p.relative_to(tmp_path).as_posix() for p in written}
    assert sum(1 for r in rel if r.startswith("clients/") and r.endswith(".md")) >= 150
    assert "sales/2026-11.csv" in rel and "salesnotes.yaml" in rel
    sample = next(p for p in written if p.name == "Hydro-Tech Sp. z o.o..md")
    assert sample.read_bytes() == demo_files(TODAY, locale)[
        sample.relative_to(tmp_path).as_posix()].encode("utf-8")


def test_refuses_a_non_empty_folder_and_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageProblem, match="not empty"):
        create_vault(tmp_path, locale="pl", demo=True, today=TODAY)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "mine"


def test_refuses_an_existing_vault_a_file_and_an_unknown_locale(tmp_path: Path) -> None:
    create_vault(tmp_path / "v", locale="en", demo=False, today=TODAY)
    config = (tmp_path / "v" / "salesnotes.yaml").read_bytes()
    with pytest.raises(UsageProblem, match="already exists"):
        create_vault(tmp_path / "v", locale="pl", demo=False, today=TODAY)
    assert (tmp_path / "v" / "salesnotes.yaml").read_bytes() == config
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageProblem, match="not a folder"):
        create_vault(tmp_path / "file", locale="pl", demo=False, today=TODAY)
    with pytest.raises(UsageProblem, match="unknown locale"):
        create_vault(tmp_path / "new", locale="de", demo=False, today=TODAY)
    assert not (tmp_path / "new").exists()


def test_a_folder_with_only_git_counts_as_empty(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    written = create_vault(tmp_path, locale="pl", demo=False, today=TODAY)
    assert tmp_path / "salesnotes.yaml" in written
