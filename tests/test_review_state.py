"""A review whose inputs did not change is skipped, and skipping never changes a result."""

import os
import shutil

from conftest import SPEC_NOTE, TODAY

from salesnotes.review import run_review

NOTE = "clients/Hydro-Tech Sp. z o.o..md"


def age(root, seconds=3600):
    """Files saved just now are 'racy' (they may change within one mtime tick), so reviews of
    them are never skipped; the tests make their inputs an hour old, as a rep's would be."""
    import time

    then = time.time_ns() - seconds * 10**9
    for p in root.rglob("*"):
        if p.is_file() and ".git" not in p.parts and "views" not in p.parts:
            os.utime(p, ns=(then, then))


def views_bytes(root):
    return {p.name: p.read_bytes() for p in sorted((root / "views").iterdir())}


def test_a_note_saved_just_now_is_never_skipped(make_vault):
    root = make_vault({NOTE: SPEC_NOTE})
    run_review(root, TODAY)
    assert not run_review(root, TODAY).skipped  # it may still change within this mtime tick


def test_unchanged_vault_is_skipped_and_a_change_renders_again(make_vault):
    root = make_vault({NOTE: SPEC_NOTE, "clients/B.md": "---\ntier: B\n---\n"}, git=True)
    age(root)
    first = run_review(root, TODAY)
    assert not first.skipped and first.written
    second = run_review(root, TODAY)
    assert second.skipped and not second.written and second.summary == first.summary
    assert second.sha is None
    path = root / NOTE
    path.write_text(path.read_text().replace("tier: A", "tier: C"))
    age(root, 60)
    third = run_review(root, TODAY)
    assert not third.skipped and third.written
    # the same bytes as a review from scratch (no state, no cache)
    fresh = root.parent / "fresh" / root.name  # week.ics names the vault by its folder
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".salesnotes", "views"))
    run_review(fresh, TODAY, commit=False)
    assert views_bytes(fresh) == views_bytes(root)


def test_other_date_deleted_view_or_no_commit_run_are_not_skipped(make_vault):
    root = make_vault({NOTE: SPEC_NOTE}, git=True)
    age(root)
    run_review(root, TODAY, commit=False)
    committed = run_review(root, TODAY)  # the --no-commit run left views uncommitted
    assert committed.sha is not None
    assert not run_review(root, TODAY.replace(day=28)).skipped
    (root / "views" / "Pay.md").unlink()
    again = run_review(root, TODAY.replace(day=28))
    assert not again.skipped and (root / "views" / "Pay.md").exists()


def test_hand_edited_view_is_noticed(make_vault):
    root = make_vault({NOTE: SPEC_NOTE})
    age(root)
    run_review(root, TODAY)
    view = root / "views" / "Portfolio.md"
    before = view.read_bytes()
    view.write_bytes(before + b"\nmy scribble\n")
    os.utime(view, ns=(1, 1))
    result = run_review(root, TODAY)
    assert not result.skipped and view.read_bytes() == before


def test_rendering_in_a_forked_child_gives_the_same_bytes(make_vault, monkeypatch):
    from salesnotes import views
    from salesnotes.load.vault import load_vault

    files = {f"clients/C{i:02d}.md": SPEC_NOTE.replace("Hydro-Tech Sp. z o.o.", f"Client {i}")
             .replace('"5260250274"', '""') for i in range(30)}
    root = make_vault(files)
    vault = load_vault(root, git=False)
    monkeypatch.setattr(views, "PARALLEL_FROM", 0)
    forked = views.render_views(vault, TODAY, parallel=True)
    alone = views.render_views(vault, TODAY, parallel=False)
    assert list(forked.files) == list(alone.files) and forked.files == alone.files
    assert forked.problems == alone.problems
    # 6 views, Clients.base, week.ics, portfolio.svg, budget.svg (no pay plan: no pay.svg)
    assert len(forked.files) == 10


def test_status_remembered_gives_the_same_rows_and_follows_changes(make_vault, run):
    import json

    root = make_vault({NOTE: SPEC_NOTE, "clients/B.md": "---\ntier: Q\n---\n"})
    first = run("status", "--json", "--vault", str(root))
    assert (root / ".salesnotes" / "status.json").is_file()
    again = run("status", "--json", "--vault", str(root))
    assert again.stdout == first.stdout and again.exit_code == first.exit_code == 1
    table = run("status", "--vault", str(root))  # remembered: the run before computed it
    (root / ".salesnotes" / "status.json").unlink()
    assert run("status", "--vault", str(root)).stdout == table.stdout  # computed again
    # an output file left by another run (a crash between writes) is never shown
    out = root / ".salesnotes" / "status-out.txt"
    out.write_text("another key\n[]", encoding="utf-8")
    assert run("status", "--json", "--vault", str(root)).stdout == first.stdout
    for name in ("status-rows.txt", "status-table.txt"):  # all of them: computed again
        (root / ".salesnotes" / name).write_text("another key\n[]", encoding="utf-8")
    assert run("status", "--json", "--vault", str(root)).stdout == first.stdout
    assert run("status", "--vault", str(root)).stdout == table.stdout
    (root / "clients/B.md").write_text("---\ntier: A\nlast_contact: 2026-11-26\n---\n")
    changed = run("status", "--json", "--vault", str(root))
    rows = {r["file"]: r for r in json.loads(changed.stdout)["clients"]}
    assert rows["clients/B.md"]["tier"] == "A" and rows["clients/B.md"]["breath"] == "ok"
    assert changed.exit_code == 0
