"""`salesnotes review`: writes the views, commits only them, says where the portfolio stands."""

from __future__ import annotations

import subprocess
import sys
import types
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY
from test_portfolio import portfolio_files

from salesnotes import views
from salesnotes.errors import GitBusy, problem
from salesnotes.review import iso_week, monday_of, run_review

CLEAN = {"clients/Acme.md": ("---\nname: Acme\ntier: A\npotential: 1000\n"
                             "last_contact: 2026-11-20\n---\n")}


@pytest.fixture
def only_portfolio(monkeypatch):
    """Other views are built by other people; these tests look at the review itself."""
    monkeypatch.setattr(views, "VIEW_MODULES", ("portfolio",))


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def test_review_writes_every_view_and_commits_only_views(make_vault, run):
    root = make_vault(portfolio_files(), git=True)
    note = root / "clients" / "Mazovia Foods.md"
    note.write_text(note.read_text() + "\nA line the rep is still writing.\n")
    result = run("review", "--vault", str(root))
    assert result.exit_code == 1  # the fixture has broken notes: listed, views written anyway
    assert "clients/Unknown Tier Co.md:4: unknown tier 'Z' (known: A, B, C)" in result.stderr
    assert (root / "views" / "Portfolio.md").exists()
    assert (root / "views" / "portfolio.svg").exists()
    assert git(root, "log", "-1", "--format=%s") == "salesnotes: review 2026-W48\n"
    committed = git(root, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert "views/Portfolio.md" in committed and "views/portfolio.svg" in committed
    assert all(p.startswith("views/") for p in committed)
    assert " M clients/Mazovia Foods.md\0" in git(root, "status", "--porcelain", "-z")


def test_summary_counts_top_five_and_problems(make_vault, run, only_portfolio):
    root = make_vault(portfolio_files())
    result = run("review", "--vault", str(root))
    out = result.stdout
    assert ("Portfolio: 25 clients  🔴 8 overdue · ⚪ 5 never contacted · 🟡 5 due this week · "
            "🟢 7 breathing") in out
    listed = [line.split("  ")[0] for line in out.splitlines() if line.startswith("🔴 ")]
    assert len(listed) == 5
    for name in ("Kraków Steel S.A.", "Gdańsk Marine", "Wisła Logistics", "Lublin Agro"):
        assert name in out
    assert "Rzeszów Parts" not in out and "Kielce Stone" not in out
    assert "2 problems (listed on stderr)" in out
    assert result.stderr.splitlines() == [
        "clients/Broken Date.md:4: last_contact: impossible date '2026-13-45'",
        "clients/Unknown Tier Co.md:4: unknown tier 'Z' (known: A, B, C)"]


def test_second_review_writes_and_commits_nothing(make_vault, run, only_portfolio):
    root = make_vault(CLEAN, git=True)
    first = run("review", "--vault", str(root))
    assert first.exit_code == 0, first.stderr
    after_first = head(root)
    mtime = (root / "views" / "Portfolio.md").stat().st_mtime_ns
    second = run("review", "--vault", str(root))
    assert second.exit_code == 0
    assert head(root) == after_first
    assert "Views written: none; unchanged: 2" in second.stdout
    assert "Committed" not in second.stdout
    assert (root / "views" / "Portfolio.md").stat().st_mtime_ns == mtime
    assert git(root, "status", "--porcelain", "views") == ""


def test_no_commit_flag_and_config_both_skip_the_commit(make_vault, run, only_portfolio):
    root = make_vault(CLEAN, git=True)
    start = head(root)
    assert run("review", "--no-commit", "--vault", str(root)).exit_code == 0
    assert (root / "views" / "Portfolio.md").exists() and head(root) == start
    other = make_vault(CLEAN, config="locale: en\ngit: {commit: false}\n", git=True, name="v2")
    start = head(other)
    assert run("--vault", str(other), "review").exit_code == 0
    assert (other / "views" / "Portfolio.md").exists() and head(other) == start


def test_review_outside_git_still_writes(make_vault, run, only_portfolio):
    root = make_vault(CLEAN)
    result = run("review", "--vault", str(root))
    assert result.exit_code == 0, result.stderr
    assert "Views written: Portfolio.md, portfolio.svg; unchanged: 0" in result.stdout


def install_stub_view(monkeypatch, name: str, filename: str, context) -> None:  # noqa: ANN001
    module = types.ModuleType(f"salesnotes.views.{name}")
    module.FILENAME = filename
    module.TEMPLATE = filename
    module.context = context
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(views, "VIEW_MODULES", ("portfolio", name))


def test_hand_written_budget_survives_and_review_exits_1(make_vault, run, monkeypatch):
    # A stand-in Budget view (the real one is another engineer's), rendered from a user template.
    install_stub_view(monkeypatch, "budget", "Budget.md", lambda book: {"n": len(book.rows)})
    mine = "# My own budget\n\n| client | plan |\n|---|---|\n| Acme | 100 |\n"
    root = make_vault({**CLEAN, "views/Budget.md": mine,
                       "templates/views/Budget.md": "# Budget {{ n }}\n"}, git=True)
    result = run("review", "--vault", str(root))
    assert result.exit_code == 1
    assert ("views/Budget.md:0: not written: its first line is not the 'generated by salesnotes' "
            "marker, so it was made or changed by hand; move it away to let salesnotes write the "
            "view") in result.stderr
    assert (root / "views" / "Budget.md").read_text() == mine
    assert (root / "views" / "Portfolio.md").exists()  # the other views are still written
    committed = git(root, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert committed == ["views/Portfolio.md", "views/portfolio.svg"]


def test_user_template_wins(make_vault, run, only_portfolio):
    mine = "# Moje: {{ t.plural('client', total) }}\n"
    root = make_vault({**CLEAN, "templates/views/Portfolio.md": mine}, locale="pl")
    assert run("review", "--vault", str(root)).exit_code == 0
    text = (root / "views" / "Portfolio.md").read_text(encoding="utf-8")
    assert text == "<!-- generated by salesnotes: do not edit -->\n# Moje: 1 klient\n"


def test_template_error_keeps_the_previous_view(make_vault, run, only_portfolio):
    root = make_vault(CLEAN, git=True)
    run("review", "--vault", str(root))
    before = (root / "views" / "Portfolio.md").read_bytes()
    (root / "templates" / "views").mkdir(parents=True)
    (root / "templates" / "views" / "Portfolio.md").write_text("# {{ total }}\n{{ clinet.name }}\n")
    result = run("review", "--vault", str(root))
    assert result.exit_code == 1
    assert "templates/views/Portfolio.md:2: template: 'clinet' is undefined" in result.stderr
    assert (root / "views" / "Portfolio.md").read_bytes() == before


def test_week_goes_to_views_that_take_it(make_vault, run, monkeypatch):
    install_stub_view(monkeypatch, "week_stub", "Week stub.md",
                      lambda book, week=None: {"week": week or book.today})
    root = make_vault({**CLEAN, "templates/views/Week stub.md": "week of {{ week|date }}\n"})
    assert run("review", "--week", "2026-W49", "--vault", str(root)).exit_code == 0
    assert (root / "views" / "Week stub.md").read_text().endswith("week of 2026-11-30\n")
    assert run("review", "--vault", str(root)).exit_code == 0
    assert (root / "views" / "Week stub.md").read_text().endswith("week of 2026-11-27\n")


@pytest.mark.parametrize("bad", ["2026-49", "2026-W60", "next week"])
def test_bad_week_is_a_usage_error(make_vault, run, bad):
    root = make_vault(CLEAN)
    result = run("review", "--week", bad, "--vault", str(root))
    assert result.exit_code == 2
    assert "is not an ISO week like 2026-W49" in result.stderr
    assert not (root / "views").exists()


def test_busy_git_reports_75_after_writing(make_vault, run, only_portfolio, monkeypatch):
    from salesnotes.git import gitlog

    def busy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise GitBusy(problem("views/Portfolio.md", 0, "vault busy: .git/index.lock is held"))

    monkeypatch.setattr(gitlog, "commit_paths", busy)
    root = make_vault(CLEAN, git=True)
    result = run("review", "--vault", str(root))
    assert result.exit_code == 75
    assert "views/Portfolio.md:0: vault busy" in result.stderr
    assert (root / "views" / "Portfolio.md").exists()
    assert "Portfolio: 1 client " in result.stdout


def test_run_review_returns_what_happened(make_vault, only_portfolio):
    root = make_vault(CLEAN, git=True)
    result = run_review(root, TODAY, None, commit=True)
    assert [p.name for p in result.written] == ["Portfolio.md", "portfolio.svg"]
    assert result.sha == head(root) and not result.problems
    again = run_review(root, TODAY, None, commit=True)
    assert not again.written and again.sha is None and len(again.unchanged) == 2


def test_a_review_leaves_no_objects_for_a_collection_to_walk(tmp_path):
    """The cyclic collector is held off during the review; the objects still alive when it
    ends (the book, the caches) are frozen, so the first collection afterwards, while the
    views are written, does not walk them all: ~0.1-0.3 s at 10,000 notes. Without the
    freeze the demo's review left ~19,000 objects in the young generations."""
    import gc

    from salesnotes.edit.vaultinit import create_vault

    root = tmp_path / "vault"
    create_vault(root, locale="en", demo=True, today=TODAY)
    gc.collect()
    try:
        result = run_review(root, date(2026, 11, 30), commit=False)
        young = len(gc.get_objects(0)) + len(gc.get_objects(1))
    finally:
        gc.unfreeze()
    assert result.written
    assert young < 2000, young


def test_iso_weeks():
    assert iso_week(TODAY) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert monday_of("2026-W49") == date(2026, 11, 30)
    assert monday_of("2027-w01") == date(2027, 1, 4)
    for bad in ("2026-W54", "2026-W00", "W49", "2026-W4x"):
        with pytest.raises(ValueError):
            monday_of(bad)
