"""Adversarial cases 34-36 (ARCHITECTURE.md): a real `salesnotes watch` process while editors save
notes.

The watcher prints one stdout line per rebuild, so the tests count lines: one save, one rebuild;
idle, none. Kept short: one watcher per test, quiet periods of a fraction of a second.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adversarial import PROBLEM, PYTHON, cli_env

NOTE = "---\nname: Acme\ntier: A\nlast_contact: 2026-11-18\n---\n# Acme\n\n## Log\n"
OTHER = "---\nname: Beta\ntier: B\n---\n# Beta\n"
SETTLE = 0.9  # longer than the watcher's quiet period (0.3 s) plus a small rebuild


class Watch:
    """A running `salesnotes watch`: its stdout lines (one per rebuild) and stderr lines."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen([PYTHON, "-m", "salesnotes", "watch"], env=cli_env(root),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines.put),
                         daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.errors.append),
                         daemon=True).start()

    @staticmethod
    def _read(stream, put) -> None:  # noqa: ANN001
        for line in stream:
            put(line.rstrip("\n"))

    def rebuild(self, timeout: float = 10) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no rebuild within {timeout} s; stderr: {self.errors}")

    def rebuilds_within(self, seconds: float) -> list[str]:
        """Every rebuild line that appears in the next `seconds`."""
        deadline, found = time.monotonic() + seconds, []
        while (left := deadline - time.monotonic()) > 0:
            try:
                found.append(self.lines.get(timeout=left))
            except queue.Empty:
                break
        return found

    def said(self, predicate, timeout: float = 5) -> bool:  # noqa: ANN001
        """Whether a stderr line satisfying `predicate` arrives (stderr is a separate pipe, so
        it may trail the rebuild line it belongs to)."""
        deadline = time.monotonic() + timeout
        while not any(predicate(e) for e in list(self.errors)):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=10)


@pytest.fixture
def watching(make_vault) -> Iterator[tuple[Path, Watch]]:
    root = make_vault({"clients/Acme.md": NOTE, "clients/Beta.md": OTHER}, git=True)
    watch = Watch(root)
    first = watch.rebuild(timeout=20)
    assert "2 notes read" in first and "wrote" in first, first
    yield root, watch
    assert watch.stop() == 0  # still alive, stops cleanly on SIGTERM


def view_stats(root: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (root / "views").iterdir()}


def saved(text: str, n: int) -> str:
    """The note with another tier: a change every view shows."""
    tier = "ABC"[n % 3]
    lines = [f"tier: {tier}" if line.startswith("tier: ") else line for line in text.split("\n")]
    return "\n".join(lines)


def atomic_rename(path: Path, text: str) -> None:
    """Obsidian / VS Code: write a hidden temp file, rename it over the note."""
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temp.write_text(text)
    os.replace(temp, path)


def vim_backup_swap(path: Path, text: str) -> None:
    """vim's `backupcopy=no`: move the note to a backup, write a new file, drop the backup."""
    swap = path.with_name(f".{path.name}.swp")
    swap.write_text("vim swap")
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text)
    backup.unlink()
    swap.unlink()


def sed_in_place(path: Path, text: str) -> None:
    """`sed -i`: a temp file `sedXXXXXX` beside the note, renamed over it."""
    tier = next(line for line in text.splitlines() if line.startswith("tier: "))
    subprocess.run(["sed", "-i", f"s/^tier: .*$/{tier}/", str(path)], check=True)


def test_34_each_kind_of_atomic_save_is_exactly_one_rebuild(watching):
    root, watch = watching
    note = root / "clients/Acme.md"
    for n, save in enumerate((atomic_rename, vim_backup_swap, sed_in_place), start=1):
        expected = saved(note.read_text(), n)
        save(note, expected)
        assert note.read_text() == expected
        line = watch.rebuild()
        assert "clients/Acme.md changed" in line and "wrote" in line, (save.__name__, line)
        assert watch.rebuilds_within(SETTLE) == [], save.__name__  # exactly one
    assert not [p.name for p in (root / "clients").iterdir() if p.name not in (
        "Acme.md", "Beta.md")]


def test_35_own_writes_and_idle_time_cause_no_rebuild(watching):
    root, watch = watching
    stats = view_stats(root)
    assert watch.rebuilds_within(2 * SETTLE) == []  # idle after writing its views: quiet
    os.utime(root / "views/Portfolio.md")  # anything under views/ is salesnotes' own
    (root / ".salesnotes").mkdir(exist_ok=True)
    (root / ".salesnotes/scratch").write_text("x")
    assert watch.rebuilds_within(SETTLE) == []
    stats["Portfolio.md"] = view_stats(root)["Portfolio.md"]
    (root / "clients/Beta.md").write_text(OTHER)  # saved without a change
    line = watch.rebuild()
    assert "views unchanged" in line, line
    assert view_stats(root) == stats  # unchanged output is not rewritten


def test_36_a_broken_or_deleted_note_never_stops_the_watch(watching):
    root, watch = watching
    good = (root / "views/Portfolio.md").read_bytes()
    (root / "clients/Acme.md").write_text(NOTE.replace("tier: A", 'tier: "A'))  # mid-typing
    line = watch.rebuild()
    assert "views kept" in line, line
    assert (root / "views/Portfolio.md").read_bytes() == good  # the last good view stays
    assert watch.said(lambda e: PROBLEM.fullmatch(e) and e.startswith("clients/Acme.md:3: "))
    (root / "clients/Acme.md").write_text(saved(NOTE, 7))  # typing finished ...
    time.sleep(0.33)  # ... the quiet period ends, the rebuild starts ...
    (root / "clients/Beta.md").unlink()  # ... and a note vanishes while it reads the vault
    lines = [watch.rebuild()]
    while "Beta.md removed" not in " ".join(lines):
        lines.append(watch.rebuild())
    assert len(lines) <= 2 and all("wrote" in ln or "unchanged" in ln for ln in lines), lines
    assert "Beta" not in (root / "views/Portfolio.md").read_text()
    assert "| B |" in (root / "views/Portfolio.md").read_text()  # Acme's new tier
    assert watch.proc.poll() is None
    assert not [e for e in watch.errors if "Traceback" in e or "internal error" in e]
