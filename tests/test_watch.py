"""`salesnotes watch`: rebuilds after an atomic save, never loops on its own output, survives a
broken note, falls back to polling, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import errno
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path, PurePosixPath

import pytest
from conftest import SPEC_NOTE, TODAY

from salesnotes import watch as W
from salesnotes.watch import Watcher, relevant

NOTE = "clients/Hydro-Tech.md"
OTHER = "clients/Baumax.md"
OTHER_NOTE = "---\nname: Baumax\ntier: B\nlast_contact: 2026-10-01\n---\n## Log\n- 2026-10-01 x\n"


def atomic_save(path: Path, text: str) -> None:
    """What Obsidian and VS Code do: write a hidden temp file, rename it over the note."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def wait_for(condition, timeout: float = 10.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class Lines:
    """A subprocess' output lines, read by a thread so the test can wait for them."""

    def __init__(self, stream) -> None:  # noqa: ANN001
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:  # noqa: ANN001
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def drain(self) -> list[str]:
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return self.lines

    def wait(self, count: int, timeout: float = 10.0) -> bool:
        return wait_for(lambda: len(self.drain()) >= count, timeout)


def start_watch(root: Path, script: str | None = None) -> subprocess.Popen:
    """`salesnotes watch` on `root` in its own process, as a rep starts it (`script`: Python
    that ends by calling the CLI's `main`, instead of `python -m salesnotes`)."""
    run = ["-c", script] if script else ["-m", "salesnotes"]
    return subprocess.Popen(  # faulthandler: a watch that hangs shows its threads (`interrupt`)
        [sys.executable, "-X", "faulthandler", *run, "watch", "--vault", str(root), "--today",
         TODAY.isoformat()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**os.environ, "SALESNOTES_VAULT": "", "SALESNOTES_TODAY": ""})


def interrupt(proc: subprocess.Popen, err: Lines, timeout: float = 10.0) -> int:
    """Ctrl-C, as a rep stops the watch: its exit code, or a failure showing what it said if
    it is still running `timeout` seconds later (it is killed then, never left behind)."""
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # faulthandler writes where each thread stands
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        wait_for(lambda: any(line.startswith("Current thread") for line in err.drain()), 2)
        shown = "\n".join(err.drain())
        pytest.fail(f"watch still running {timeout:g} s after Ctrl-C; it said:\n{shown}")


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault({NOTE: SPEC_NOTE, OTHER: OTHER_NOTE},
                      config="owner: Jan Kowalski\nlocale: en\ngit:\n  commit: false\n")


def test_watch_rebuilds_after_an_atomic_save_and_then_stays_quiet(vault):
    portfolio = vault / "views" / "Portfolio.md"
    proc = start_watch(vault)
    out, err = Lines(proc.stdout), Lines(proc.stderr)
    try:
        assert out.wait(1), err.drain()
        assert "notes read" in out.lines[0] and "Portfolio.md" in out.lines[0]
        assert wait_for(lambda: any(line.startswith("watching") for line in err.drain()))
        before = portfolio.read_bytes()

        note = vault / NOTE
        atomic_save(note, note.read_text(encoding="utf-8").replace("Hydro-Tech Sp. z o.o.",
                                                                   "Hydro-Tech Polska"))
        assert wait_for(lambda: b"Hydro-Tech Polska" in portfolio.read_bytes()), out.drain()
        assert out.wait(2)
        assert f"{NOTE} changed" in out.lines[1] and "Portfolio.md" in out.lines[1]

        views = {p: p.stat().st_mtime_ns for p in portfolio.parent.iterdir()}
        time.sleep(2.0)  # idle: its own writes to views/ and .salesnotes/ must not rebuild
        assert out.drain() == out.lines[:2]
        assert {p: p.stat().st_mtime_ns for p in portfolio.parent.iterdir()} == views

        good = portfolio.read_bytes()
        atomic_save(note, "---\nname: Hydro-Tech Polska\ntier: [A\n---\n")  # mid-typing
        assert out.wait(3), err.drain()
        assert "views kept" in out.lines[2]
        assert wait_for(lambda: any(line.startswith(f"{NOTE}:3: malformed YAML")
                                    for line in err.drain())), err.lines
        assert portfolio.read_bytes() == good  # the last good views stay

        atomic_save(note, SPEC_NOTE)
        assert out.wait(4) and "wrote" in out.lines[3], out.lines
        assert portfolio.read_bytes() == before  # back as it was
        assert proc.poll() is None  # still watching
    finally:
        code = interrupt(proc, err)
    assert code == 0
    stderr = "\n".join(err.drain())
    assert "Traceback" not in stderr and "stopped watching" in stderr


# Ctrl-C arriving while the watch runs a finalizer. Python runs a signal handler at the main
# thread's next step, and that step may be inside a weakref callback or a __del__ (each rebuild
# frees its writing threads, and threading's weakref callback runs for each): a KeyboardInterrupt
# raised there is printed as "Exception ignored" and dropped. Here the callback is planted where
# a rebuild frees those threads, and the Ctrl-C is raised from inside it.
CTRL_C_IN_A_FINALIZER = """
import signal, sys, weakref
from salesnotes import watch

written = watch.write_views


class Freed:
    pass


def write_views(*args, **kwargs):
    done = written(*args, **kwargs)
    freed = Freed()
    callback = weakref.ref(freed, lambda ref: signal.raise_signal(signal.SIGINT))
    del freed  # the callback runs now, and Ctrl-C lands inside it
    return done


watch.write_views = write_views
sys.argv = ["salesnotes", *sys.argv[1:]]
from salesnotes.cli import main
main()
"""


def test_ctrl_c_that_lands_in_a_finalizer_still_ends_the_watch(vault):
    proc = start_watch(vault, CTRL_C_IN_A_FINALIZER)
    out, err = Lines(proc.stdout), Lines(proc.stderr)
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"Ctrl-C was lost: the watch was still running after 20 s: {err.drain()}")
    assert code == 0
    assert wait_for(lambda: any("stopped watching" in line for line in err.drain())), err.lines
    assert any("KeyboardInterrupt" in line for line in err.lines)  # dropped by Python: real
    assert out.wait(1) and "Portfolio.md" in out.lines[0]  # the build it landed in, finished


def test_ctrl_c_while_the_watch_waits_ends_it_promptly(vault):
    watcher = Watcher(vault, lambda: TODAY, on_rebuild=lambda r: None, git=False)
    runner = threading.Thread(target=watcher.run, daemon=True)
    runner.start()
    try:
        assert wait_for(lambda: watcher._idle)  # built once, now waiting for changes
        watcher.interrupt()  # no exception into the wait: it holds the watcher's condition
        runner.join(timeout=2.0)  # the wait wakes every 0.5 s
        assert not runner.is_alive()
    finally:
        watcher.stop()
        runner.join(timeout=5)


@pytest.mark.parametrize(("path", "is_dir", "expected"), [
    ("clients/A.md", False, True),
    ("clients/Kraków/B.md", False, True),
    ("clients/Kraków", True, True),
    ("clients/notes.txt", False, False),
    ("clients/.A.md.tmp", False, False),
    ("clients/A.md~", False, False),
    ("clients/.A.md.swp", False, False),
    ("clients/4913", False, False),  # vim's probe file
    ("templates/views/Portfolio.md", False, True),
    ("templates/checklists/key-account.md", False, True),
    ("salesnotes.yaml", False, True),
    ("sales/2026-11.csv", False, True),
    ("sales/old/2025.csv", False, False),
    ("views/Portfolio.md", False, False),
    (".salesnotes/cache.sqlite", False, False),
    (".salesnotes/cache.sqlite-journal", False, False),
    (".git/index.lock", False, False),
    (".obsidian/workspace.json", False, False),
    ("README.md", False, False),
    ("Daily/2026-11-28.md", False, True),  # a daily note: its links are contacts
    ("2026-11-28.md", False, True),
    ("views/2026-11-28.md", False, False),
])
def test_only_changes_that_can_change_a_view_count(path, is_dir, expected):
    assert relevant(PurePosixPath(path), is_dir) is expected


def test_a_burst_of_changes_makes_one_or_two_rebuilds_not_hundreds(vault):
    watcher = Watcher(vault, lambda: TODAY, on_rebuild=lambda r: None, quiet=0.1, max_wait=0.6)
    batches: list[set[str]] = []
    reader = threading.Thread(target=lambda: batches.extend(
        batch for batch, _ in iter(watcher._next_batch, None)), daemon=True)
    reader.start()
    for i in range(200):  # a `git checkout` touching 200 notes over ~1 s
        watcher.changed([f"clients/n{i}.md"])
        time.sleep(0.005)
    assert wait_for(lambda: sum(map(len, batches)) == 200, 5)
    watcher.stop()
    reader.join(timeout=2)
    assert 1 <= len(batches) <= 3


def test_a_broken_note_keeps_the_last_good_views_until_it_is_fixed(vault):
    watcher = Watcher(vault, lambda: TODAY, on_rebuild=lambda r: None, git=False)
    first = watcher.build(set())
    assert "Portfolio.md" in first.written and first.kept is None
    portfolio = vault / "views" / "Portfolio.md"
    good = portfolio.read_bytes()

    atomic_save(vault / OTHER, "---\nname: Baumax Polska\ntier: [B\n---\n")
    broken = watcher.build({OTHER})
    assert broken.kept and str(broken.kept).startswith(f"{OTHER}:3: malformed YAML")
    assert [str(p) for p in broken.new_problems] == [str(broken.kept)]
    assert portfolio.read_bytes() == good and not broken.written

    atomic_save(vault / NOTE, SPEC_NOTE.replace("Hydro-Tech Sp. z o.o.", "Hydro Two"))
    still = watcher.build({NOTE})  # another note changed: still the last good views
    assert still.kept and portfolio.read_bytes() == good and not still.new_problems

    (vault / OTHER).unlink()  # deleting the broken note is a fix too
    fixed = watcher.build({OTHER})
    assert fixed.kept is None and "Portfolio.md" in fixed.written
    assert b"Hydro Two" in portfolio.read_bytes() and b"Baumax" not in portfolio.read_bytes()


def test_a_broken_config_keeps_the_views_and_the_watch_goes_on(vault):
    watcher = Watcher(vault, lambda: TODAY, on_rebuild=lambda r: None, git=False)
    watcher.build(set())
    config = vault / "salesnotes.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text("owner: [unclosed\n", encoding="utf-8")
    rebuild = watcher.build({"salesnotes.yaml"})
    assert rebuild.kept and str(rebuild.kept).startswith("salesnotes.yaml:")
    assert rebuild.others == ("salesnotes.yaml",)
    config.write_text(good, encoding="utf-8")
    assert watcher.build({"salesnotes.yaml"}).kept is None


def test_inotify_limits_fall_back_to_polling(vault, monkeypatch):
    class Exhausted:
        def schedule(self, *args, **kwargs):  # noqa: ANN002, ANN003
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(W, "_native_observer", Exhausted)
    monkeypatch.setattr(W, "POLL_INTERVAL", 0.2)
    notices: list[str] = []
    watcher = Watcher(vault, lambda: TODAY, on_rebuild=lambda r: None, on_notice=notices.append,
                      quiet=0.05)
    watcher.start()
    try:
        from watchdog.observers.polling import PollingObserver

        assert isinstance(watcher.observer, PollingObserver)
        assert len(notices) == 1 and "polling" in str(notices[0])
        time.sleep(0.3)  # the poller's first snapshot
        atomic_save(vault / OTHER, OTHER_NOTE.replace("tier: B", "tier: A"))
        assert wait_for(lambda: OTHER in watcher._pending, 5)
    finally:
        watcher.stop()


def test_other_observer_errors_are_not_hidden(vault, monkeypatch):
    class Broken:
        def schedule(self, *args, **kwargs):  # noqa: ANN002, ANN003
            raise OSError(errno.EACCES, "permission denied")

    monkeypatch.setattr(W, "_native_observer", Broken)
    watcher = Watcher(vault, lambda: TODAY, on_rebuild=lambda r: None)
    with pytest.raises(OSError):
        watcher.start()


def test_a_save_reaches_the_file_cache_at_once_and_the_views_after_the_quiet_period(vault):
    from salesnotes.local import cache

    rebuilds: list = []
    watcher = Watcher(vault, lambda: TODAY, on_rebuild=rebuilds.append, git=False, quiet=1.0)
    watcher.start()
    runner = threading.Thread(target=watcher.run, daemon=True)
    runner.start()
    try:
        assert wait_for(lambda: len(rebuilds) == 1)

        def stored_size() -> int:
            return cache.stored(vault)[OTHER][2]  # (mtime, ctime, size)

        text = OTHER_NOTE.replace("name: Baumax", "name: Baumax Polska Group")
        atomic_save(vault / OTHER, text)
        assert wait_for(lambda: stored_size() == len(text.encode()), 0.9)  # not waiting 1 s
        assert len(rebuilds) == 1
        assert wait_for(lambda: len(rebuilds) == 2, 5)
        assert rebuilds[1].notes.changed == (OTHER,) and "Portfolio.md" in rebuilds[1].written
    finally:
        watcher.stop()
        runner.join(timeout=5)


def test_a_big_vaults_watch_renders_with_its_worker_and_leaves_no_process_behind(make_vault):
    from salesnotes.views import PARALLEL_FROM

    notes = {f"clients/r{i % 20}/Client {i:04d}.md":
             f"---\nname: Client {i:04d}\ntier: C\nnext_contact: 2026-12-{1 + i % 28:02d}\n---\n"
             for i in range(PARALLEL_FROM)}  # enough clients for the render worker
    root = make_vault({**notes, NOTE: SPEC_NOTE},
                      config="owner: Jan Kowalski\nlocale: en\ngit:\n  commit: false\n")
    portfolio = root / "views" / "Portfolio.md"
    proc = start_watch(root)
    out, err = Lines(proc.stdout), Lines(proc.stderr)
    try:
        assert out.wait(1, timeout=60), err.drain()
        children = _children(proc.pid)
        if sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1:
            assert len(children) == 1  # the render worker
        note = root / NOTE
        atomic_save(note, note.read_text(encoding="utf-8").replace("Hydro-Tech Sp. z o.o.",
                                                                   "Hydro-Tech Polska"))
        assert wait_for(lambda: b"Hydro-Tech Polska" in portfolio.read_bytes(), 30), out.drain()
        assert out.wait(2, timeout=30) and "wrote" in out.lines[1], (out.lines, err.drain())
        assert _children(proc.pid) == children  # the same worker, alive all along
    finally:
        code = interrupt(proc, err)
    assert code == 0, err.drain()
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in children)


def _children(pid: int) -> list[int]:
    """The process' children on Linux ([] elsewhere, where the worker is not forked either)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except OSError:
        return True
