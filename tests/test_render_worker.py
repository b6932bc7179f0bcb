"""watch's render worker: the same bytes as rendering alone, through every kind of change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SPEC_NOTE, TODAY

from salesnotes import views
from salesnotes.edit.vaultinit import create_vault
from salesnotes.load.vault import load_vault
from salesnotes.local.cache import NoteCache
from salesnotes.views import render_views
from salesnotes.views.worker import RenderWorker


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    create_vault(root, locale="en", demo=True, today=TODAY)
    return root


def test_the_worker_renders_what_rendering_alone_does_through_changes(demo, monkeypatch):
    monkeypatch.setattr(views, "PARALLEL_FROM", 0)  # the demo's 180 clients count as big
    worker = RenderWorker()
    if not worker.start():
        pytest.skip("no second core or threads running: watch renders alone here")
    notes = sorted((demo / "clients").rglob("*.md"))
    ledger = sorted((demo / "sales").glob("*.csv"))[-1]
    steps = {
        "first build": lambda: None,
        "a note edited": lambda: notes[0].write_text(
            notes[0].read_text(encoding="utf-8").replace("tier: A", "tier: C")
            .replace("tier: B", "tier: C"), encoding="utf-8"),
        "a note deleted": lambda: notes[1].unlink(),
        "a note added": lambda: (demo / "clients" / "Hydro-Tech.md").write_text(
            SPEC_NOTE, encoding="utf-8"),
        "a sale added": lambda: ledger.write_bytes(
            ledger.read_bytes() + ledger.read_bytes().splitlines(keepends=True)[-1]),
        "nothing": lambda: None,
    }
    reader = NoteCache(demo, watched=True)
    try:
        for step, change in steps.items():
            change()
            reader.forget([str(p.relative_to(demo).as_posix()) for p in notes])
            vault = load_vault(demo, git=False, reader=reader)
            shared = render_views(vault, TODAY, worker=worker)
            assert worker.pid, f"{step}: the worker failed and was stopped"
            alone = render_views(vault, TODAY)
            assert shared.files == alone.files, step
            assert shared.problems == alone.problems, step
    finally:
        worker.stop()
    assert not worker.pid


def test_a_dead_worker_costs_time_never_a_view(demo, monkeypatch):
    monkeypatch.setattr(views, "PARALLEL_FROM", 0)
    worker = RenderWorker()
    if not worker.start():
        pytest.skip("no second core or threads running: watch renders alone here")
    os.kill(worker.pid, 9)
    vault = load_vault(demo, git=False)
    assert render_views(vault, TODAY, worker=worker).files == render_views(vault, TODAY).files
    assert not worker.pid  # stopped, so the next rebuild does not wait on it


def test_the_split_keeps_views_sharing_book_values_together_and_both_sides_busy():
    units = views._units(big=True)
    mine, theirs = views._split(units)
    assert mine and theirs
    assert sorted(mine + theirs) == sorted(units)  # each unit once
    for side in (mine, theirs):  # a unit reusing another's work renders after it, beside it
        for follower, lead in views._TOGETHER.items():
            if follower in side:
                assert lead in side and side.index(lead) < side.index(follower), side
    assert any({"portfolio:page", "budget", "pay"} <= set(side) for side in (mine, theirs))
    costs = [sum(views._COST[u] for u in side) for side in (mine, theirs)]
    assert max(costs) - min(costs) <= max(views._COST.values()), costs  # about equal


def test_a_view_rendered_in_parts_is_the_view_rendered_whole(demo, monkeypatch):
    """Portfolio's page and picture in two processes: the same files and problems as whole,
    and a part that fails leaves the whole view out, as one failure of the whole view does."""
    from salesnotes.model.portfolio import Book
    from salesnotes.views import portfolio
    from salesnotes.views.render import EXTRA, PAGE, joined, render_one

    vault = load_vault(demo, git=False)
    book = Book.of(vault, TODAY)
    env = views.make_env(vault.root, vault.config.locale, vault.config.currency,
                         vault.config.links)
    whole = render_one(portfolio, book, env, None)
    assert set(whole.files) == {"Portfolio.md", "portfolio.svg"}
    parts = [render_one(portfolio, book, env, None, part) for part in (PAGE, EXTRA)]
    assert [set(p.files) for p in parts] == [{"Portfolio.md"}, {"portfolio.svg"}]
    assert joined(*parts) == whole
    monkeypatch.setattr(views, "PARALLEL_FROM", 0)
    assert render_views(vault, TODAY, parallel=True).files == render_views(vault, TODAY).files

    from salesnotes.views import treemap
    from salesnotes.views.render import LIGHT_PARTS, render_unit

    # the split renders the picture from treemap.py alone: the very function of the view
    module, filename = LIGHT_PARTS["portfolio"]
    assert (module, filename) == ("treemap", portfolio.FILENAME)
    assert portfolio.extra_files is treemap.extra_files
    assert render_unit("portfolio:extra", book, env, None) == parts[1]

    def broken(book):  # noqa: ANN001, ANN202
        raise RuntimeError("picture broken")

    monkeypatch.setattr(treemap, "portfolio_svg", broken)
    whole = render_one(portfolio, book, env, None)
    parts = [render_one(portfolio, book, env, None, part) for part in (PAGE, EXTRA)]
    assert parts[0].files and not parts[1].files
    assert joined(*parts) == whole == joined(parts[0], render_unit("portfolio:extra", book, env,
                                                                  None))
    assert not whole.files and "picture broken" in whole.problems[0].message
    monkeypatch.setattr(views, "PARALLEL_FROM", 10**9)
    alone = render_views(vault, TODAY)
    monkeypatch.setattr(views, "PARALLEL_FROM", 0)
    for split in (render_views(vault, TODAY), render_views(vault, TODAY, parallel=True)):
        assert split.files == alone.files and split.problems == alone.problems
        assert "Portfolio.md" not in split.files
