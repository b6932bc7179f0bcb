"""One language: in a Polish vault every command speaks Polish, in an English one English."""

from __future__ import annotations

import re

import pytest
from test_portfolio import portfolio_files

# Words of the English messages that must never reach a Polish rep (paths and git subjects,
# which are data, are taken out before looking).
ENGLISH = ["days late", "day late", "active", "overdue", "clients", "client", "problems",
           "problem", "never", "due", "written", "unchanged", "committed", "created", "checked",
           "notes", "note:", "portfolio", "nothing", "rows", "total", "watching", "would",
           "listed", "run `salesnotes", "no contacts", "not a git", "already", "matched",
           "unknown", "tier", "last", "next", "late", "left out", "dry run"]
CHECKLIST = "# Key account\n- [ ] Decision maker identified\n- [ ] Annual plan agreed\n"
SALES = "Numer;Data;NIP;Netto\nFV/9/11/2026;20.11.2026;5260250274;1 000,00\n"


def _data(root) -> list[str]:
    """The rep's own words in the notes (names, next steps), longest first: not ours to say."""
    found = {p.stem for p in (root / "clients").rglob("*.md")}
    for p in (root / "clients").rglob("*.md"):
        found.update(re.findall(r"^(?:name|next_step|tier): *(.+)$", p.read_text("utf-8"), re.M))
    return sorted(found, key=len, reverse=True)


def _said(result, root=None) -> str:
    """What a person reads: stdout and stderr without paths, file names, git subjects and the
    rep's own words."""
    text = result.stdout + "\n" + result.stderr
    for data in _data(root) if root else ():
        text = text.replace(data, " ").replace(" ".join(data.split()), " ")
    lines = text.splitlines()
    text = "\n".join(re.sub(r"^\S.*?:\d+: ", "", line) for line in lines)  # path:line:
    text = re.sub(r"[^\s,:;()][^,:;()\n]*?\.(md|csv|svg|ics)\b|\S*/\S*", " ", text)
    return re.sub(r"(review|contact|import|new): .*", " ", text)


def _english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.I)]


@pytest.fixture
def polish_vault(make_vault, tmp_path):
    files = portfolio_files()
    files["templates/checklists/key-account.md"] = CHECKLIST
    root = make_vault(files, locale="pl", git=True)
    (tmp_path / "sprzedaz.csv").write_text(SALES, encoding="utf-8")
    return root


def test_every_main_command_speaks_polish_in_a_polish_vault(polish_vault, tmp_path, run):
    v = ["--vault", str(polish_vault)]
    outputs = {
        "review": run("review", *v),
        "review again": run("review", *v),
        "status": run("status", *v),
        "check": run("check", *v),
        "log": run("log", "Kraków Steel", "Rozmowa o planie", "--via", "phone", *v),
        "history": run("history", "Kraków Steel", *v),
        "new": run("new", "Nowa Firma", *v),
        "checklist": run("checklist", "apply", "key-account", "--dry-run", *v),
        "import": run("import", "sales", str(tmp_path / "sprzedaz.csv"), "--dry-run", *v),
        "unknown client": run("log", "Nikt Taki", "x", *v),
        "export": run("export", "status", str(tmp_path / "status.csv"), *v),
    }
    for name, result in outputs.items():
        said = _said(result, polish_vault)
        assert said.strip(), name
        assert not _english_in(said), f"{name}: {_english_in(said)} in\n{said}"
    review = outputs["review"].stdout
    assert "Portfel: 25 klientów" in review and "po terminie" in review
    assert re.search(r"\d+ dni spóźnienia", review)
    assert "segment" in outputs["status"].stdout.splitlines()[0]


def test_the_same_commands_speak_english_in_an_english_vault(make_vault, run):
    root = make_vault(portfolio_files(), locale="en")
    review = run("review", "--vault", str(root)).stdout
    assert "Portfolio: 25 clients" in review and re.search(r"\d+ days late", review)
    status = run("status", "--vault", str(root)).stdout.splitlines()[0].split()
    assert status[:3] == ["client", "tier", "status"]


def test_before_a_vault_is_found_english_or_the_locale_asked_for(tmp_path, run):
    missing = run("status", "--vault", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "no such vault folder" in missing.stderr
    english = run("init", str(tmp_path / "a"))
    assert "vault created in" in english.stdout
    polish = run("init", str(tmp_path / "b"), "--locale", "pl")
    assert "utworzono sejf w" in polish.stdout and "dalej: cd" in polish.stdout
    assert not _english_in(_said(polish))
