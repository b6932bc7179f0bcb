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
    mine, theirs = (sorted(v.__name__.rsplit(".", 1)[1] for v in side)
                    for side in views._split(views.available_views()))
    assert mine and theirs
    assert any({"portfolio", "budget"} <= set(side) for side in (mine, theirs))
