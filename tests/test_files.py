"""The atomic writer: a failure at any step leaves the note as it was and no temp file behind
(ARCHITECTURE.md adversarial cases 11-15)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from salesnotes.edit import files
from salesnotes.edit.files import (
    FileRefused,
    FileTooLarge,
    NoteChanged,
    Snapshot,
    atomic_write,
    digest_of,
    read_snapshot,
)

ORIGINAL = b"---\ntier: A\n---\n# Acme\n"
NEW = b"---\ntier: B\n---\n# Acme\n"


@pytest.fixture
def note(tmp_path: Path) -> Path:
    path = tmp_path / "Acme.md"
    path.write_bytes(ORIGINAL)
    return path


def only_note_left(path: Path) -> None:
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


# ---------------------------------------------------------------------------- read_snapshot


def test_snapshot_holds_bytes_and_sha256(note: Path) -> None:
    snap = read_snapshot(note)
    assert snap == Snapshot(note, ORIGINAL, digest_of(ORIGINAL))
    assert len(snap.digest) == 64


def test_snapshot_refuses_file_over_the_cap(note: Path) -> None:
    with pytest.raises(FileTooLarge, match="over the"):
        read_snapshot(note, max_bytes=10)


def test_snapshot_refuses_a_50_mb_note_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "Big.md"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(FileTooLarge, match="5 MB limit"):
        read_snapshot(big)


def test_snapshot_of_missing_file_or_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="cannot read"):
        read_snapshot(tmp_path / "missing.md")
    with pytest.raises(FileRefused, match="not a regular file"):
        read_snapshot(tmp_path)


# ---------------------------------------------------------------------------- atomic_write


def test_replaces_content_and_returns_true(note: Path) -> None:
    assert atomic_write(note, NEW) is True
    assert note.read_bytes() == NEW
    only_note_left(note)


def test_same_bytes_means_no_write_and_no_mtime_change(note: Path) -> None:
    os.utime(note, ns=(1_000_000_000, 1_000_000_000))
    inode = note.stat().st_ino
    assert atomic_write(note, ORIGINAL) is False
    assert note.stat().st_mtime_ns == 1_000_000_000
    assert note.stat().st_ino == inode


def test_mode_0640_is_kept(note: Path) -> None:
    note.chmod(0o640)
    atomic_write(note, NEW)
    assert stat.S_IMODE(note.stat().st_mode) == 0o640


def test_new_file_gets_0644_under_umask_022(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "New.md"
        assert atomic_write(path, NEW) is True
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_bytes() == NEW


def test_symlink_is_refused_and_stays_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes(ORIGINAL)
    vault = tmp_path / "vault"
    vault.mkdir()
    link = vault / "Acme.md"
    link.symlink_to(outside)
    with pytest.raises(FileRefused, match="symbolic link"):
        atomic_write(link, NEW, root=vault)
    assert link.is_symlink()
    assert outside.read_bytes() == ORIGINAL
    assert [p.name for p in vault.iterdir()] == ["Acme.md"]


def test_read_only_note_is_refused_without_chmod(note: Path) -> None:
    note.chmod(0o444)
    with pytest.raises(FileRefused, match="read-only"):
        atomic_write(note, NEW)
    assert stat.S_IMODE(note.stat().st_mode) == 0o444
    assert note.read_bytes() == ORIGINAL
    only_note_left(note)


def test_read_only_note_with_same_bytes_is_a_quiet_no_op(note: Path) -> None:
    note.chmod(0o444)
    assert atomic_write(note, ORIGINAL) is False


def test_target_outside_root_is_refused(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    with pytest.raises(FileRefused, match="outside the vault"):
        atomic_write(vault / ".." / "x.md", NEW, root=vault)
    assert not (tmp_path / "x.md").exists()


def test_missing_folder_is_created_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "views" / "deep" / "Portfolio.md"
    with pytest.raises(FileRefused, match="does not exist"):
        atomic_write(path, NEW)
    assert atomic_write(path, NEW, make_parents=True) is True
    assert path.read_bytes() == NEW


def test_temp_file_is_hidden_in_the_same_folder_and_not_md(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(files, "_before_replace", lambda p: seen.extend(
        x.name for x in p.parent.iterdir() if x != p))
    atomic_write(note, NEW)
    assert len(seen) == 1
    assert seen[0].startswith(".Acme.md.salesnotes-") and seen[0].endswith(".tmp")
    assert not seen[0].endswith(".md")
    only_note_left(note)


def test_long_note_name_still_gets_a_valid_temp_name(tmp_path: Path) -> None:
    path = tmp_path / ("Ż" * 99 + ".md")  # 201 bytes
    path.write_bytes(ORIGINAL)
    assert atomic_write(path, NEW) is True
    assert path.read_bytes() == NEW


# --------------------------------------------------------------------- faults and concurrency


def fail(code: int = errno.ENOSPC):
    def raiser(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return raiser


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_fault_at_each_step_leaves_original_and_no_temp(
    note: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    monkeypatch.setattr(os, step, fail())
    with pytest.raises(FileRefused, match="could not write"):
        atomic_write(note, NEW, expect=read_snapshot(note))
    monkeypatch.undo()
    assert note.read_bytes() == ORIGINAL
    only_note_left(note)


def test_partial_write_then_enospc_leaves_original(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    calls = []

    def half_then_full(fd: int, data: bytes) -> int:
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data)[:3])

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(FileRefused, match="No space left"):
        atomic_write(note, NEW)
    monkeypatch.undo()
    assert note.read_bytes() == ORIGINAL
    only_note_left(note)


def test_interrupt_during_replace_removes_temp_and_propagates(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(note, NEW)
    monkeypatch.undo()
    assert note.read_bytes() == ORIGINAL
    only_note_left(note)


def test_folder_fsync_failure_after_replace_does_not_fail_the_write(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync
    calls = []

    def second_fails(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", second_fails)
    assert atomic_write(note, NEW) is True
    assert len(calls) == 2  # the file, then its folder
    assert note.read_bytes() == NEW


def test_obsidian_saving_meanwhile_raises_note_changed_and_keeps_its_save(
    note: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snap = read_snapshot(note)
    theirs = ORIGINAL + b"typed in Obsidian\n"
    monkeypatch.setattr(files, "_before_replace", lambda p: p.write_bytes(theirs))
    with pytest.raises(NoteChanged):
        atomic_write(note, NEW, expect=snap)
    assert note.read_bytes() == theirs
    only_note_left(note)


def test_change_before_the_call_is_caught_too(note: Path) -> None:
    snap = read_snapshot(note)
    note.write_bytes(b"changed\n")
    with pytest.raises(NoteChanged):
        atomic_write(note, NEW, expect=snap)
    assert note.read_bytes() == b"changed\n"
    only_note_left(note)


def test_note_deleted_meanwhile_is_not_recreated(note: Path) -> None:
    snap = read_snapshot(note)
    note.unlink()
    with pytest.raises(NoteChanged):
        atomic_write(note, NEW, expect=snap)
    assert not note.exists()


def test_matching_snapshot_writes(note: Path) -> None:
    assert atomic_write(note, NEW, expect=read_snapshot(note)) is True
    assert note.read_bytes() == NEW


def test_exclusive_creates_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "New.md"
    assert atomic_write(path, NEW, exclusive=True) is True
    assert path.read_bytes() == NEW
    only_note_left(path)


def test_exclusive_never_overwrites_an_existing_note(note: Path) -> None:
    with pytest.raises(FileRefused, match="already exists"):
        atomic_write(note, NEW, exclusive=True)
    assert note.read_bytes() == ORIGINAL


def test_exclusive_refuses_a_note_created_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "New.md"
    monkeypatch.setattr(files, "_before_replace", lambda p: p.write_bytes(b"theirs\n"))
    with pytest.raises(FileRefused, match="already exists"):
        atomic_write(path, NEW, exclusive=True)
    assert path.read_bytes() == b"theirs\n"
    only_note_left(path)
