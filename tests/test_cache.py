"""The note cache: never a different result, every change seen, any broken cache shrugged off."""

from __future__ import annotations

import ast
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path, PurePosixPath

import pytest
from conftest import SPEC_NOTE, TODAY
from hypothesis import given
from hypothesis import strategies as st

from salesnotes import forking
from salesnotes.edit.vaultinit import create_vault
from salesnotes.load.vault import load_vault
from salesnotes.local import cache, notecolumns, store
from salesnotes.local.cache import CACHE_DIR, CACHE_FILE, NoteCache
from salesnotes.model.vault import read_notes
from salesnotes.read.body import Body
from salesnotes.read.note import read_note
from salesnotes.reports.status import status_rows
from salesnotes.views import render_views

OLD = 1_700_000_000  # a time long past, so no note is too fresh to store (store.RACY_NS)
EXTRA = {
    "clients/Hydro-Tech.md": SPEC_NOTE,
    "clients/broken yaml.md": "---\nname: Ok\ntier: [A\n---\n",
    "clients/crlf.md": SPEC_NOTE.replace("Hydro-Tech", "Crlf Co").replace("5260250274", "")
    .replace("\n", "\r\n"),
    "clients/bom.md": "\ufeff---\nname: Bom\nnext_contact: 2026-12-01\n---\n"
                      "## Log\n- 2026-11-01 x\n",
    "clients/deep/er/nested.md": "# no front-matter\n\n## Log\n- 2026-10-10 phone: hi\n",
}


def backdate(root: Path, seconds: int = OLD) -> None:
    for path in (root / "clients").rglob("*.md"):
        os.utime(path, (seconds, seconds))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo vault (180 clients, a sales ledger) plus notes that are odd or broken."""
    root = tmp_path_factory.mktemp("template") / "vault"
    create_vault(root, locale="en", demo=True, today=TODAY)
    for rel, text in EXTRA.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode("utf-8"))
    (root / "clients" / "latin2.md").write_bytes("---\nname: Łódź\n---\n".encode("cp1250"))
    return root


@pytest.fixture
def vault(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(template, root, symlinks=True)
    backdate(root)
    return root


def outputs(root: Path, **kwargs) -> tuple:  # noqa: ANN003
    """Everything a command shows: the views' bytes, their problems, the vault's, status."""
    vault = load_vault(root, git=False, **kwargs)
    rendered = render_views(vault, TODAY)
    return rendered.files, rendered.problems, vault.problems, status_rows(vault, TODAY), vault


def loaded(root: Path, **kwargs) -> tuple:  # noqa: ANN003
    """What every view and command is made from: the notes and the problems."""
    vault = load_vault(root, git=False, **kwargs)
    return vault.notes, vault.problems


def rows_in(root: Path) -> dict[str, tuple[int, int, int]]:
    """What the cache holds: its generation, and the rows stored one by one since."""
    return cache.stored(root)


def test_views_status_and_problems_are_identical_with_and_without_the_cache(vault):
    plain = outputs(vault, cache=False)
    assert not (vault / CACHE_DIR).exists()
    cold = outputs(vault)
    assert (vault / CACHE_DIR / CACHE_FILE).is_file()
    warm = outputs(vault)
    files = plain[0]
    assert "Portfolio.md" in files and len(files) >= 3
    for run in (cold, warm):
        assert run[0] == files  # every view, byte for byte
        assert run[1:4] == plain[1:4]
        assert run[4].notes == plain[4].notes
    assert any("malformed YAML" in p.message for p in plain[2])
    assert any("not UTF-8" in p.message for p in plain[2])


def test_a_warm_run_reads_no_note_and_holds_summaries(vault):
    load_vault(vault, git=False)
    reader = NoteCache(vault)
    results = reader(vault)
    assert len(reader.changes) == 0
    assert results == read_notes(vault)
    hydro = next(r.note for r in results if r.note and r.note.name == "Hydro-Tech Sp. z o.o.")
    whole = read_note(hydro.path, (vault / hydro.path).read_bytes()).note
    assert not hydro.body.whole and whole.body.whole
    assert len(whole.body.log) > 1
    assert hydro.body.log == (max(whole.body.log, key=lambda e: e.date),)
    assert hydro.body.tasks == tuple(t for t in whole.body.tasks
                                     if t.open and (t.due or t.scheduled))
    assert hydro.body.checklists == whole.body.checklists
    assert hydro.body.opportunities == whole.body.opportunities


def test_changed_added_deleted_and_renamed_notes_are_seen_on_the_next_run(vault):
    load_vault(vault, git=False)
    hydro = vault / "clients" / "Hydro-Tech.md"
    text = hydro.read_text(encoding="utf-8")
    hydro.write_text(text.replace("tier: A", "tier: B"), encoding="utf-8")  # same size
    os.utime(hydro, (OLD + 1, OLD + 1))
    new = vault / "clients" / "New One.md"
    new.write_text("---\nname: New One\n---\n", encoding="utf-8")
    os.utime(new, (OLD, OLD))
    (vault / "clients" / "bom.md").unlink()
    (vault / "clients" / "crlf.md").rename(vault / "clients" / "deep" / "Crlf moved.md")

    reader = NoteCache(vault)
    results = reader(vault)
    assert results == read_notes(vault)
    assert reader.changes.changed == ("clients/Hydro-Tech.md",)
    assert set(reader.changes.added) == {"clients/New One.md", "clients/deep/Crlf moved.md"}
    assert set(reader.changes.removed) == {"clients/bom.md", "clients/crlf.md"}
    notes = {str(r.note.path): r.note for r in results if r.note}
    assert notes["clients/Hydro-Tech.md"].tier == "B"
    assert "clients/bom.md" not in rows_in(vault) and "clients/New One.md" in rows_in(vault)
    assert outputs(vault)[:4] == outputs(vault, cache=False)[:4]


def test_a_same_size_edit_with_the_old_mtime_put_back_is_still_seen(vault):
    load_vault(vault, git=False)
    hydro = vault / "clients" / "Hydro-Tech.md"
    hydro.write_text(hydro.read_text(encoding="utf-8").replace("tier: A", "tier: C"),
                     encoding="utf-8")
    os.utime(hydro, (OLD, OLD))  # `touch -r`: mtime and size as cached; the ctime moved
    notes = {str(n.path): n for n in load_vault(vault, git=False).notes}
    assert notes["clients/Hydro-Tech.md"].tier == "C"


def test_a_note_changed_just_now_is_used_but_not_stored(vault):
    load_vault(vault, git=False)
    fresh = vault / "clients" / "Fresh.md"
    fresh.write_text("---\nname: Fresh\n---\n", encoding="utf-8")
    assert "Fresh" in {n.name for n in load_vault(vault, git=False).notes}
    assert "clients/Fresh.md" not in rows_in(vault)
    os.utime(fresh, (OLD, OLD))
    load_vault(vault, git=False)
    assert "clients/Fresh.md" in rows_in(vault)


def test_watch_can_force_a_reread_whatever_the_stat_says(vault):
    reader = NoteCache(vault)
    reader(vault)
    reader.forget(["clients/Hydro-Tech.md", "clients/not there.md"])
    reader(vault)
    assert reader.changes.changed == ("clients/Hydro-Tech.md",) and not reader.changes.added


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other version", "other parser",
                                    "bad row", "empty file", "generation garbage",
                                    "generation truncated", "generation of another version",
                                    "generation not a list", "generation without sqlite"])
def test_a_broken_or_foreign_cache_is_rebuilt_silently(vault, damage):
    expected = loaded(vault, cache=False)
    load_vault(vault, git=False)
    db = vault / CACHE_DIR / CACHE_FILE
    blob = vault / CACHE_DIR / cache.BLOB_FILE
    assert blob.is_file()
    if damage.startswith("generation"):
        damage_generation(blob, db, damage)
    elif damage == "garbage":
        db.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    elif damage == "empty file":
        db.write_bytes(b"")
    else:
        con = sqlite3.connect(db)
        with con:
            if damage == "other version":
                con.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'salesnotes'")
            elif damage == "other parser":
                con.execute("UPDATE meta SET value = '1:0123456789abcdef' WHERE key = 'schema'")
            else:
                con.execute("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, x'00ff')",
                            ("clients/Hydro-Tech.md", *rows_in(vault)["clients/Hydro-Tech.md"]))
        con.close()
    assert loaded(vault) == expected
    reader = NoteCache(vault)
    assert reader(vault) == read_notes(vault)
    assert len(reader.changes) == 0  # rebuilt by the run before: nothing to read now


def damage_generation(blob: Path, db: Path, damage: str) -> None:
    if damage == "generation garbage":
        blob.write_bytes(b"this is not a pickle")
    elif damage == "generation truncated":
        blob.write_bytes(blob.read_bytes()[: blob.stat().st_size // 2])
    elif damage == "generation of another version":
        store.write_pickles(blob, "another salesnotes", store.read_pickles(
            blob, cache._generation_version(), cache._allowed()) or [])
    elif damage == "generation not a list":
        store.write_pickle(blob, cache._generation_version(), {"clients/Hydro-Tech.md": 1})
    else:
        db.unlink()


def test_a_planted_pickle_runs_no_code(vault, tmp_path):
    load_vault(vault, git=False)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):  # noqa: ANN204
            return (Path.touch, (marker,))

    keys = rows_in(vault)
    store.write_pickle(vault / CACHE_DIR / cache.BLOB_FILE, cache._generation_version(),
                       [("clients/Hydro-Tech.md", keys["clients/Hydro-Tech.md"], Evil())])
    con = sqlite3.connect(vault / CACHE_DIR / CACHE_FILE)
    with con:
        con.execute("INSERT INTO notes VALUES (?, ?, ?, ?, ?)",
                    ("clients/bom.md", *keys["clients/bom.md"], pickle.dumps(Evil())))
    con.close()
    assert loaded(vault) == loaded(vault, cache=False)
    assert not marker.exists()


def test_a_generation_in_many_parts_is_read_whole(vault, monkeypatch):
    monkeypatch.setattr(cache, "GENERATION_PART", 2)
    load_vault(vault, git=False)
    parts = store.read_pickles(vault / CACHE_DIR / cache.BLOB_FILE, cache._generation_version(),
                               cache._allowed())
    assert parts is not None and len(parts) >= 3
    assert {len(list(notecolumns.from_columns(p))) for p in parts[:-1]} == {2}
    reader = NoteCache(vault)
    assert reader(vault) == read_notes(vault)
    assert len(reader.changes) == 0 and reader.delta == 0  # every note from the generation


def test_notes_stored_one_by_one_become_a_new_generation_past_a_bound(vault, monkeypatch):
    """A few changed notes are rows; many make one blob again, so a load stays one unpickle."""
    monkeypatch.setattr(cache, "REWRITE_ROWS", 2)
    load_vault(vault, git=False)
    blob = vault / CACHE_DIR / cache.BLOB_FILE
    first = blob.read_bytes()
    notes = sorted((vault / "clients").rglob("*.md"))
    for i, note in enumerate(notes[:3]):
        note.write_bytes(note.read_bytes() + b"\n")
        os.utime(note, (OLD + i, OLD + i))
        assert loaded(vault) == loaded(vault, cache=False)
        reader = NoteCache(vault)
        reader(vault)
        assert len(reader.changes) == 0  # every note stored, as rows or in the generation
        assert reader.delta == (i + 1 if i < 2 else 0)
    assert blob.read_bytes() != first


def test_a_cache_that_cannot_be_written_never_stops_a_run(vault):
    expected = loaded(vault, cache=False)
    (vault / CACHE_DIR).write_text("a file where the cache folder should be")
    assert loaded(vault) == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_is_read_but_not_written(vault):
    load_vault(vault, git=False)
    (vault / "clients" / "New.md").write_text("---\nname: New\n---\n", encoding="utf-8")
    backdate(vault)
    expected = loaded(vault, cache=False)
    folder = vault / CACHE_DIR
    folder.chmod(0o555)
    (folder / CACHE_FILE).chmod(0o444)
    try:
        assert loaded(vault) == expected
    finally:
        folder.chmod(0o755)
        (folder / CACHE_FILE).chmod(0o644)


def test_the_cache_folder_keeps_itself_out_of_git(make_vault):
    root = make_vault({"clients/A.md": "---\ntier: A\n---\n"}, git=True)
    backdate(root)
    load_vault(root, git=True)
    assert (root / CACHE_DIR / CACHE_FILE).is_file()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    assert status == ""


def test_a_big_cold_parse_in_two_processes_gives_the_same_notes(vault, monkeypatch):
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10)
    if not forking.can_fork():
        pytest.skip("no second core or no fork here")
    reader = NoteCache(vault)
    assert reader(vault) == read_notes(vault)
    assert len(rows_in(vault)) == len(reader.entries)


def test_a_failing_helper_process_only_costs_time(vault, monkeypatch):
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10)

    def boom(*args, **kwargs):  # noqa: ANN002, ANN003 - only the child sends with pickle.dump
        raise OSError("the child cannot send")

    monkeypatch.setattr(cache.pickle, "dump", boom)
    assert NoteCache(vault)(vault) == read_notes(vault)


def _folds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of notes of each part this process unpickles from the child, in order."""
    parent, sizes = os.getpid(), []
    real = notecolumns.from_columns

    def counted(columns):  # noqa: ANN001, ANN202
        if os.getpid() == parent:
            sizes.append(len(columns[0]) + len(columns[4]))
        return real(columns)

    monkeypatch.setattr(notecolumns, "from_columns", counted)
    return sizes


@pytest.fixture
def parts_of_seven(monkeypatch):  # noqa: ANN001, ANN201
    """A cold parse split in two processes even for a small vault, the child's notes sent
    back in parts of seven."""
    if not forking.can_fork():
        pytest.skip("no second core or no fork here")
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10)
    monkeypatch.setattr(cache, "SENT_PART", 7)


def test_a_child_s_notes_come_back_in_parts_each_folded_in_to_the_same_notes(
        vault, monkeypatch, parts_of_seven):
    sizes = _folds(monkeypatch)
    reader = NoteCache(vault)
    assert reader(vault) == read_notes(vault)
    assert len(sizes) > 5 and max(sizes) == 7  # many parts, none bigger than one part
    assert sum(sizes) == len(reader.entries) // 2  # every other note came from the child
    assert len(rows_in(vault)) == len(reader.entries)


def test_a_child_dying_mid_stream_leaves_its_missing_notes_to_be_parsed_here(
        vault, monkeypatch, parts_of_seven):
    """The parts that came are kept; the notes of those that never came are parsed here."""
    sizes = _folds(monkeypatch)
    parent, real_fdopen = os.getpid(), os.fdopen

    class Dying:  # the child's pipe: it dies after the second part is sent
        def __init__(self, pipe) -> None:  # noqa: ANN001
            self.pipe, self.written = pipe, 0

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc) -> None:  # noqa: ANN002
            self.pipe.close()

        def write(self, data: bytes) -> int:
            if self.written == 2:
                self.pipe.flush()
                os._exit(1)
            self.written += 1
            return self.pipe.write(data)

    def fdopen(fd, mode="r", *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        pipe = real_fdopen(fd, mode, *args, **kwargs)
        return Dying(pipe) if os.getpid() != parent and mode == "wb" else pipe

    monkeypatch.setattr(os, "fdopen", fdopen)
    reader = NoteCache(vault)
    assert reader(vault) == read_notes(vault)
    assert sizes == [7, 7]  # two parts folded in, then the child was gone
    assert len(rows_in(vault)) == len(reader.entries)


def test_a_part_not_asked_for_is_refused_and_its_notes_parsed_here(vault, monkeypatch,
                                                                    parts_of_seven):
    real = cache._in_parts

    def renamed(root, files):  # noqa: ANN001, ANN202 - the second part under other names
        for i, (rels, *rest) in enumerate(real(root, files)):
            yield (tuple(f"clients/other{n}.md" for n in range(len(rels))) if i == 1 else rels,
                   *rest)

    monkeypatch.setattr(cache, "_in_parts", renamed)
    reader = NoteCache(vault)
    assert reader(vault) == read_notes(vault)
    assert not any("other" in rel for rel in reader.entries)


def test_a_cached_body_is_equal_to_and_pickles_as_the_body_it_stands_for(vault):
    load_vault(vault, git=False)
    fresh = {str(r.note.path): r.note.body for r in read_notes(vault) if r.note}
    for result in NoteCache(vault)(vault):
        if result.note is None:
            continue
        cached, body = result.note.body, fresh[str(result.note.path)]
        assert cached == body and body == cached and hash(cached) == hash(body)
        again = pickle.loads(pickle.dumps(cached))
        assert type(again) is Body and again == body
        assert repr(cached) == repr(body)


@pytest.mark.parametrize("child", ["works", "fails"])
def test_the_ledger_read_during_a_two_process_parse_is_read_once_and_the_same(
        vault, monkeypatch, child):
    from salesnotes.model import vault as vault_module

    expected = load_vault(vault, git=False, cache=False)
    monkeypatch.setattr(cache, "PARALLEL_MIN", 10)
    if not forking.can_fork():
        pytest.skip("no second core or no fork here")
    if child == "fails":
        monkeypatch.setattr(cache.pickle, "dump", lambda *a, **k: 1 / 0)  # the child's send
    reads = []
    real = vault_module._read_sales
    monkeypatch.setattr(vault_module, "_read_sales",
                        lambda root, parser: reads.append(1) or real(root, parser))
    got = load_vault(vault, git=False)
    assert reads == [1]
    assert (got.notes, got.problems, got.sales) == (expected.notes, expected.problems,
                                                    expected.sales)
    assert got.sales


def test_the_parser_module_list_covers_every_module_a_note_is_read_with():
    folder = Path(cache.__file__).parent.parent
    seen: set[str] = set()
    todo = ["read/note"]
    while todo:
        module = todo.pop()
        seen.add(module)
        tree = ast.parse((folder / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("salesnotes"):
                base = node.module.split(".")[1:]
                names = ["/".join([*base, a.name]) for a in node.names] + ["/".join(base)]
            todo.extend(n for n in names if n and n not in seen and (folder / f"{n}.py").is_file())
    assert seen <= set(cache.PARSER_MODULES)


def test_the_cache_lists_the_notes_read_notes_lists_in_the_same_order(vault):
    from salesnotes.model.vault import iter_note_files

    (vault / "clients" / ".hidden").mkdir()
    (vault / "clients" / ".hidden" / "x.md").write_text("# hidden")
    (vault / "clients" / "notes.txt").write_text("not a note")
    (vault / "clients" / "folder.md").mkdir()
    (vault / "clients" / "link.md").symlink_to(vault / "clients" / "Hydro-Tech.md")
    (vault / "clients" / "dangling.md").symlink_to(vault / "nowhere.md")
    (vault / "clients" / "Zebra" / "a").mkdir(parents=True)
    (vault / "clients" / "Zebra" / "a" / "Deep.md").write_text("# deep")
    expected = [(str(rel), entry.path) for rel, entry in iter_note_files(vault)]
    assert [(f.rel, os.path.join(vault, f.rel)) for f in cache._scan(vault)] == expected
    assert [notecolumns.note_path(f.rel) for f in cache._scan(vault)] == [
        rel for rel, _ in iter_note_files(vault)]


def test_status_and_check_print_the_same_cold_warm_and_with_a_broken_cache(vault, run):
    def both() -> tuple[str, str, str]:
        status = run("status", "--json", "--vault", str(vault))
        check = run("check", "--vault", str(vault))
        return status.stdout, check.stdout, check.stderr

    (vault / CACHE_DIR).mkdir()
    (vault / CACHE_DIR / CACHE_FILE).write_bytes(b"\x00" * 4096)
    broken = both()
    assert (vault / CACHE_DIR / CACHE_FILE).read_bytes()[:15] == b"SQLite format 3"
    assert both() == broken
    assert "malformed YAML" in broken[2]


def test_a_long_lived_reader_stores_a_fresh_note_once_it_is_old_enough(vault, monkeypatch):
    reader = NoteCache(vault)
    reader(vault)
    fresh = vault / "clients" / "Fresh.md"
    fresh.write_text("---\nname: Fresh\n---\n", encoding="utf-8")
    reader(vault)
    assert reader.unsaved == {"clients/Fresh.md"}
    assert "clients/Fresh.md" not in rows_in(vault)
    monkeypatch.setattr(store, "RACY_NS", 0)  # as if the watch ran on for a while
    reader(vault)
    assert "clients/Fresh.md" in rows_in(vault) and not reader.unsaved


@given(st.lists(st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
                        min_size=1, max_size=12).filter(lambda p: p not in (".", "..")),
                min_size=1, max_size=4))
def test_a_cached_note_path_is_the_one_pathlib_makes(parts):
    """The generation makes each note's path from its parts on Python 3.11 (faster than
    parsing them again): it must be the very path the constructor gives."""
    rel = "/".join(["clients", *parts])
    fast, slow = notecolumns.note_path(rel), PurePosixPath(rel)
    assert (fast, str(fast), fast.parts, hash(fast)) == (slow, str(slow), slow.parts, hash(slow))
    assert (fast.name, fast.stem, fast.suffix, fast.parent) == (
        slow.name, slow.stem, slow.suffix, slow.parent)
    assert all(a is b for a, b in zip(fast.parts[:-1], slow.parts[:-1], strict=True))  # shared
    assert str(fast) is rel  # its text is the rel it was made from, not a copy


def test_a_note_from_the_generation_is_no_bigger_than_a_fresh_one(vault):
    """Every field in field order, as __init__ sets them: notes share one key table."""
    fresh = {str(n.path): n for n in loaded(vault)[0]}
    cached = loaded(vault)[0]
    assert cached == tuple(fresh.values())
    for note in cached:
        assert sys.getsizeof(note.__dict__) <= sys.getsizeof(fresh[str(note.path)].__dict__)
        assert sys.getsizeof(note.body.__dict__) <= sys.getsizeof(
            fresh[str(note.path)].body.__dict__)


def test_a_review_checks_the_notes_by_its_fingerprints_walk_not_a_second_one(vault, monkeypatch):
    """The review's fingerprint hands its stats on: the cache makes no walk of its own, and
    sees a changed note all the same."""
    from salesnotes.review import run_review

    backdate(vault)
    run_review(vault, TODAY, commit=False)  # stores every note
    note = vault / "clients" / "Hydro-Tech.md"
    note.write_text(note.read_text(encoding="utf-8").replace("Hydro-Tech", "Hydro-Nowa"),
                    encoding="utf-8")
    os.utime(note, (OLD + 60, OLD + 60))

    def no_walk(root: Path) -> list:
        raise AssertionError("a second walk")

    monkeypatch.setattr(cache, "_scan", no_walk)
    result = run_review(vault, TODAY + timedelta(days=3), commit=False)  # a Monday
    assert "Hydro-Nowa Sp. z o.o." in {n.name for n in result.vault.notes}
    assert result.vault.notes == load_vault(vault, git=False, cache=False).notes


def test_a_note_gone_between_listing_and_stat_is_read_as_the_reader_reads_it(vault):
    """A stat walk's None (the note vanished after it was listed) keys nothing: the note is
    read again, as without the cache."""
    folders = [(rel, names, cache.stat_keys([None if n == "Hydro-Tech.md" else st
                                             for n, st in zip(names, stats, strict=True)]))
               for rel, names, stats in cache.note_stats(vault)]
    files = cache._files(folders)
    assert [f.rel for f in files] == [f.rel for f in cache._scan(vault)]
    assert [f.key is None for f in files].count(True) == 1
    assert NoteCache(vault, stats=folders)(vault) == read_notes(vault)


def plain_note_folders(root: Path) -> list[tuple[str, list[str]]]:
    """note_folders as first written: one entry at a time."""
    out, stack = [], [(os.path.join(root, "clients"), "clients")]
    while stack:
        folder, rel = stack.pop()
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        notes = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, f"{rel}/{entry.name}"))
            elif entry.name.endswith(".md") and entry.is_file():
                notes.append(entry.name)
        if notes:
            out.append((rel, notes))
    return out


def test_the_notes_listed_are_the_plain_walks(vault):
    """Hidden files and folders, other files, a folder named .md, links to a note, to a folder
    and to nowhere: listed (or not) as the plain walk lists them, in its order."""
    from salesnotes.model.where import note_folders

    clients = vault / "clients"
    for folder in (".hidden", "folder.md", "Zebra/a", "b/.c", "b/d"):
        (clients / folder).mkdir(parents=True)
    for rel in (".hidden/x.md", ".secret.md", "notes.txt", "Zebra/a/Deep.md", "b/.c/e.md",
                "b/d/f.md", "b/MD.MD"):
        (clients / rel).write_text("# x")
    (clients / "link.md").symlink_to(clients / "Hydro-Tech.md")
    (clients / "dangling.md").symlink_to(vault / "nowhere.md")
    (clients / "linked folder").symlink_to(clients / "b", target_is_directory=True)
    (clients / "linked.md").symlink_to(clients / "b", target_is_directory=True)
    listed = [(rel, [e.name for e in entries]) for rel, entries in note_folders(vault)]
    assert listed == plain_note_folders(vault)
    assert ("clients/b/d", ["f.md"]) in listed
    assert all(rel != "clients/linked folder" for rel, _ in listed)
