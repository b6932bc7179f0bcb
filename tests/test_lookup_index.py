"""The who-is-who index behind CLIENT (`.salesnotes/lookup.sqlite`): `log` finds a client on
10,000 notes without loading the vault, and the index never misses a note edited in place,
renamed, moved, added or deleted, nor one salesnotes edited itself.

Notes are dated long ago (os.utime) wherever a test needs the index to keep their stats: a note
written in the last two seconds is read again on every run (the racy rule).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import in_a_fresh_process, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.local import lookupindex, lookupwalk, store
from salesnotes.local.lookupindex import INDEX_FILE, who_is_who
from salesnotes.read.note import read_note

LONG_AGO = 1_600_000_000_000_000_000
NIP_A, NIP_B, NIP_C = "5260250274", "7740001454", "1132853869"


def note(name: str, nip: str | None = None, extra: str = "") -> str:
    return (f"---\nname: {name}\n" + (f'nip: "{nip}"\n' if nip else "") + extra
            + "last_contact: 2026-11-01\n---\n## Log\n- 2026-11-01 phone: first call\n")


def age(root: Path, stamp: int = LONG_AGO) -> None:
    """Every note as if saved long ago (not racy), folders untouched."""
    for p in (root / "clients").rglob("*.md"):
        os.utime(p, ns=(stamp, stamp))


def people(root: Path) -> dict[str, tuple[str, str | None]]:
    """rel -> (name, nip), as the index answers."""
    index = who_is_who(root)
    assert index is not None
    with index:
        return {w.rel: (w.name, w.nip) for w in index.everyone()}


def truth(root: Path) -> dict[str, tuple[str, str | None]]:
    """rel -> (name, nip), read from every note now."""
    out = {}
    for p in sorted((root / "clients").rglob("*.md")):
        rel = p.relative_to(root).as_posix()
        n = read_note(Path(rel), p.read_bytes(), summary=True).note
        assert n is not None
        out[rel] = (n.name, n.nip)
    return out


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes the index reads (every other note is vouched for by its stat)."""
    seen: list[str] = []
    real = lookupindex.read_note

    def counted(rel, data, **kw):  # noqa: ANN001, ANN202
        seen.append(str(rel))
        return real(rel, data, **kw)

    monkeypatch.setattr(lookupindex, "read_note", counted)
    return seen


@pytest.fixture
def vault(make_vault):  # noqa: ANN001, ANN201
    root = make_vault({"clients/Kraków/Acme.md": note("Acme Sp. z o.o.", NIP_A),
                       "clients/Kraków/Beta.md": note("Beta s.c.", NIP_B),
                       "clients/Tarnów/Gamma.md": note("Gamma Trade", None)})
    age(root)
    return root


def test_a_warm_index_reads_no_note_and_rewrites_nothing(vault, reads):
    assert people(vault) == truth(vault)
    index_file = store.path(vault, INDEX_FILE)
    before = index_file.stat().st_mtime_ns, index_file.read_bytes()
    reads.clear()
    assert people(vault) == truth(vault)
    assert reads == []
    assert (index_file.stat().st_mtime_ns, index_file.read_bytes()) == before


def test_a_note_edited_in_place_is_seen_though_its_folder_did_not_move(vault, reads, run):
    people(vault)
    folder = vault / "clients/Kraków"
    folder_mtime = folder.stat().st_mtime_ns
    beta = folder / "Beta.md"
    with open(beta, "r+b") as f:  # in place, as Obsidian saves: same inode, folder untouched
        f.truncate(0)
        f.write(note("Beta Nowa s.c.", NIP_C).encode())
    os.utime(beta, ns=(LONG_AGO + 10**9, LONG_AGO + 10**9))
    assert folder.stat().st_mtime_ns == folder_mtime
    reads.clear()
    assert people(vault) == truth(vault)
    assert reads == ["clients/Kraków/Beta.md"]  # that note alone
    result = run("log", NIP_C, "called", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 0, result.output
    assert "- 2026-11-27 other: called" in beta.read_text()
    gone = run("log", NIP_B, "called", "--vault", str(vault), "--no-commit")
    assert gone.exit_code == 2 and "no client" in gone.output.lower()


def test_a_same_size_edit_with_its_mtime_put_back_is_seen_by_its_ctime(vault):
    people(vault)
    acme = vault / "clients/Kraków/Acme.md"
    old = acme.read_text()
    new = old.replace(NIP_A, NIP_C)
    assert len(new) == len(old)
    acme.write_text(new)
    os.utime(acme, ns=(LONG_AGO, LONG_AGO))  # `touch -r`, `rsync -t`: mtime and size as before
    assert people(vault)["clients/Kraków/Acme.md"] == ("Acme Sp. z o.o.", NIP_C)


def test_renamed_moved_added_and_deleted_notes(vault, run):
    people(vault)
    (vault / "clients/Kraków/Acme.md").rename(vault / "clients/Kraków/Acme2.md")
    (vault / "clients/Tarnów/Gamma.md").rename(vault / "clients/Kraków/Gamma.md")
    (vault / "clients/Nowy Sącz").mkdir()
    (vault / "clients/Nowy Sącz/Delta.md").write_text(note("Delta", NIP_C))
    (vault / "clients/Kraków/Beta.md").unlink()
    assert people(vault) == truth(vault)
    assert set(truth(vault)) == {"clients/Kraków/Acme2.md", "clients/Kraków/Gamma.md",
                                 "clients/Nowy Sącz/Delta.md"}
    for query, path in ((NIP_A, "clients/Kraków/Acme2.md"), ("gamma", "clients/Kraków/Gamma.md"),
                        (NIP_C, "clients/Nowy Sącz/Delta.md")):
        result = run("log", query, "called", "--vault", str(vault), "--no-commit")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(path)
    result = run("log", NIP_B, "called", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 2


def test_a_second_log_after_salesnotes_own_edit_finds_the_same_note(vault, run):
    acme = vault / "clients/Kraków/Acme.md"
    first = run("log", NIP_A, "first", "--vault", str(vault), "--no-commit")
    assert first.exit_code == 0, first.output
    age(vault, LONG_AGO + 5 * 10**9)  # the edit is now old enough to be kept with its stat
    second = run("log", "acme", "second", "--vault", str(vault), "--no-commit")
    assert second.exit_code == 0, second.output
    assert people(vault) == truth(vault)
    third = run("log", NIP_A, "third", "--vault", str(vault), "--no-commit")  # right away
    assert third.exit_code == 0, third.output
    text = acme.read_text()
    assert [ln for ln in text.splitlines() if ln.startswith("- 2026-11-27")] == [
        "- 2026-11-27 other: third", "- 2026-11-27 other: second", "- 2026-11-27 other: first"]


def test_a_nip_two_notes_hold_lists_both_and_changes_nothing(vault, run):
    (vault / "clients/Tarnów/Gamma.md").write_text(note("Gamma Trade", NIP_A))
    people(vault)
    before = snapshot(vault)
    result = run("log", NIP_A, "called", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 2
    assert "Acme Sp. z o.o." in result.output and "Gamma Trade" in result.output
    assert snapshot(vault) == before


def test_a_row_that_lies_never_sends_the_contact_to_the_wrong_note(vault, run):
    people(vault)
    con = sqlite3.connect(store.path(vault, INDEX_FILE))
    con.execute("UPDATE who SET nip = ? WHERE rel = ?", (NIP_C, "clients/Kraków/Acme.md"))
    con.commit()
    con.close()
    before = snapshot(vault)
    result = run("log", NIP_C, "called", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 2  # the note read whole says otherwise: the vault decides
    assert snapshot(vault) == before


@pytest.mark.parametrize("damage", ["garbage", "other version", "empty"])
def test_a_broken_or_foreign_index_is_rebuilt(vault, run, damage):
    people(vault)
    index_file = store.path(vault, INDEX_FILE)
    if damage == "garbage":
        index_file.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    elif damage == "empty":
        index_file.write_bytes(b"")
    else:
        con = sqlite3.connect(index_file)
        con.execute("UPDATE meta SET value = 'an older salesnotes'")
        con.execute("UPDATE who SET name = 'Stale'")
        con.commit()
        con.close()
    result = run("log", "beta", "called", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 0, result.output
    assert people(vault) == truth(vault)
    con = sqlite3.connect(index_file)
    assert con.execute("SELECT count(*) FROM who").fetchone() == (3,)
    con.close()


def test_an_index_that_cannot_be_written_is_built_in_memory(vault):
    store.make_folder(store.folder(vault))
    store.path(vault, INDEX_FILE).mkdir()  # not a file sqlite can open
    assert people(vault) == truth(vault)


def test_a_broken_note_gives_no_index_and_log_names_it(vault, run):
    (vault / "clients/Tarnów/Broken.md").write_text("---\nname: [x\n---\n")
    assert who_is_who(vault) is None
    result = run("log", "broken", "called", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 1
    assert "clients/Tarnów/Broken.md" in result.output


def test_today_must_be_a_date(vault, run):
    result = run("log", "acme", "called", "--vault", str(vault), "--today", "2026-13-01")
    assert result.exit_code == 2 and "'2026-13-01' is not a YYYY-MM-DD date" in result.output
    ok = run("log", "acme", "called", "--vault", str(vault), "--today", "2026-11-20",
             "--no-commit")
    assert ok.exit_code == 0 and "- 2026-11-20 other: called" in ok.output


# Whatever happens to the notes between two runs, the index answers what reading every note
# answers.
_NAMES = ["Acme", "Beta", "Gamma", "Delta"]
_NIPS = [NIP_A, NIP_B, NIP_C, None]
_step = st.tuples(st.sampled_from(["write", "write same size", "rename", "move", "delete"]),
                  st.integers(0, 3), st.integers(0, 3), st.booleans())


@settings(max_examples=12, deadline=None)
@given(steps=st.lists(st.lists(_step, max_size=3), min_size=1, max_size=4))
def test_the_index_always_answers_what_the_notes_say(steps):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "salesnotes.yaml").write_text("owner: Jan Kowalski\nlocale: en\n")
        for sub in ("clients/A", "clients/B"):
            (root / sub).mkdir(parents=True)
        for i, name in enumerate(_NAMES):
            (root / f"clients/A/{name}.md").write_text(note(name, _NIPS[i]))
        age(root)
        stamp = LONG_AGO
        for batch in steps:
            assert people(root) == truth(root)
            for kind, which, value, _ in batch:
                _change(root, kind, which, value)
            stamp += 10**9
            if all(old for *_, old in batch):  # saved long ago (kept with their stats), else racy
                age(root, stamp)
        assert people(root) == truth(root)


def _change(root: Path, kind: str, which: int, value: int) -> None:
    files = sorted((root / "clients").rglob("*.md"))
    if not files:
        return
    target = files[which % len(files)]
    if kind == "write":
        target.write_text(note(_NAMES[value], _NIPS[value]))
    elif kind == "write same size":
        text = target.read_text()
        target.write_text(text.replace("first call", "frist call") if "first" in text
                          else text.replace("frist call", "first call"))
    elif kind == "rename":
        target.rename(target.with_name(f"R{value}-{target.name}"))
    elif kind == "move":
        other = "B" if target.parent.name == "A" else "A"
        target.rename(root / "clients" / other / target.name)
    else:
        target.unlink()


def test_log_without_a_commit_loads_neither_the_vault_model_nor_git(vault):
    """What `log` must not pay for on every call: the vault model, git, the note cache,
    strptime, difflib (each is imported where it is needed)."""
    script = ("import sys\n"
              "from salesnotes.cli import cli\n"
              f"cli(['log', '{NIP_A}', 'called', '--no-commit', '--vault', sys.argv[1]],"
              " standalone_mode=False)\n"
              "print(' '.join(sorted(sys.modules)))\n")
    people(vault)  # a first index may come from the note cache; every later run pays the same
    done = subprocess.run([sys.executable, "-c", script, str(vault)], capture_output=True,
                          text=True, check=True)
    loaded = set(done.stdout.split())
    assert "salesnotes.local.lookupindex" in loaded and "salesnotes.edit.editor" in loaded
    assert loaded & {"salesnotes.model.vault", "salesnotes.load.vault", "salesnotes.local.cache",
                     "salesnotes.git.gitlog", "salesnotes.git.history", "_strptime",
                     "difflib"} == set()


def test_the_walk_by_folder_lists_what_note_folders_lists(vault, tmp_path):
    """The index's own walk (each folder opened once, its notes stat-ed relative to it) keeps
    `where.note_folders`' rule: hidden names skipped, subfolders walked, a link to a folder
    not followed, a link to a note taken, a folder named like a note walked, other files left."""
    clients = vault / "clients"
    (clients / "Kraków" / "deep" / "deeper").mkdir(parents=True)
    (clients / "Kraków" / "deep" / "deeper" / "Delta.md").write_text(note("Delta"))
    (clients / ".hidden").mkdir()
    (clients / ".hidden" / "Ghost.md").write_text(note("Ghost"))
    (clients / "Kraków" / ".draft.md").write_text(note("Draft"))
    (clients / "Kraków" / "photo.png").write_bytes(b"\x89PNG")
    (clients / "Odd.md").mkdir()
    (clients / "Odd.md" / "Inner.md").write_text(note("Inner"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Far.md").write_text(note("Far"))
    (clients / "linked").symlink_to(outside, target_is_directory=True)
    (clients / "Tarnów" / "Link.md").symlink_to(clients / "Kraków" / "Acme.md")
    (clients / "Tarnów" / "Dangling.md").symlink_to(clients / "nowhere.md")
    by_folder = lookupwalk._listings(vault, by_descriptor=True)
    assert lookupwalk._BY_FOLDER
    assert by_folder == lookupwalk._listings(vault, by_descriptor=False)
    assert by_folder is not None
    listed = {f"{folder}/{name}" for folder, listing in by_folder.items()
              for name in listing.names}
    assert listed == {"clients/Kraków/Acme.md", "clients/Kraków/Beta.md",
                      "clients/Tarnów/Gamma.md", "clients/Tarnów/Link.md",
                      "clients/Kraków/deep/deeper/Delta.md", "clients/Odd.md/Inner.md"}
    acme = (clients / "Kraków" / "Acme.md").stat()
    link = by_folder["clients/Tarnów"]
    at = link.names.index("Link.md")
    assert (link.mtimes[at], link.sizes[at]) == (acme.st_mtime_ns, acme.st_size)


def _forked(script: str) -> None:
    out = in_a_fresh_process("import time\nfrom pathlib import Path\n"
                             "from salesnotes.local import lookupwalk", script)
    assert out == "ok", out


def test_the_walk_made_in_a_child_is_the_walk_made_here(vault):
    """`log` stats the notes in a forked child while it imports its editor: the child's walk,
    sent back as bytes, is the one this process would make (and is not made here)."""
    _forked(f"""
root = Path({str(vault)!r})
parent, real = os.getpid(), lookupwalk.walk
lookupwalk.walk = lambda r: real(r) if os.getpid() != parent else sys.exit("walked here")
with lookupwalk.walked_meanwhile(root) as walked:
    there = walked()
here = real(root)
assert there is not None and here is not None and there.folders
assert there.folders == here.folders
assert {{f: x.listing() for f, x in there.folders.items()}} == lookupwalk._listings(root)
print("ok")
""")


def test_a_child_that_fails_costs_time_never_the_answer(vault, run, monkeypatch):
    def broken(done):  # noqa: ANN001, ANN202 - runs in the child only: the parent walks itself
        raise RuntimeError("child died")

    made_here = []
    real_walk = lookupwalk.walk

    def walk(root):  # noqa: ANN001, ANN202 - counted here, not in the child (its own memory)
        made_here.append(root)
        return real_walk(root)

    monkeypatch.setattr(lookupwalk, "_plain", broken)
    monkeypatch.setattr(lookupwalk, "walk", walk)
    with lookupwalk.walked_meanwhile(vault) as walked:
        there = walked()
    assert made_here == [vault]  # the child failed: the walk was made here
    here = real_walk(vault)
    assert there is not None and here is not None and there.folders == here.folders
    result = run("log", NIP_B, "Called", "--via", "phone", "--vault", str(vault), "--no-commit")
    assert result.exit_code == 0, result.output
    assert "phone: Called" in (vault / "clients/Kraków/Beta.md").read_text(encoding="utf-8")


def test_the_child_holds_none_of_our_descriptors_so_never_the_vault_lock(tmp_path):
    _forked(f"""
lock = os.open({str(tmp_path / "lock")!r}, os.O_CREAT | os.O_RDWR)
def still_open():
    try:
        os.fstat(lock)
    except OSError:
        return b"closed"
    return b"open"
child = forking.meanwhile(still_open)
assert child.result() == b"closed"
os.fstat(lock)  # here it stays open
print("ok")
""")


def test_a_child_never_asked_is_stopped_and_reaped():
    _forked("""
child = forking.meanwhile(lambda: time.sleep(30) or b"late")
pid, started = child._pid, time.monotonic()
child.close()
assert time.monotonic() - started < 5
try:
    os.waitpid(pid, os.WNOHANG)
except ChildProcessError:
    print("ok")
""")
