"""Adversarial cases 12-15 (ARCHITECTURE.md): a note edited meanwhile, crashes mid-write, modes and
links, no-op edits; plus two real `salesnotes log` processes on one note, and the vault lock.

Fault injection is in-process (monkeypatch + CliRunner) wherever a second process is not the
point; the kill and the races use real `python -m salesnotes` processes.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from adversarial import (
    PYTHON,
    assert_unchanged,
    cli_env,
    git,
    git_state,
    problem_lines,
    snapshot,
)
from salesnotes.edit import files

NOTE = """---
name: Acme
nip: "5260250274"
tier: A
last_contact: 2026-11-18
---
# Acme

Free text.

## Log
- 2026-11-18 phone: first call
"""
PATH = "clients/Acme.md"
EXTERNAL = NOTE.replace("Free text.", "Free text, edited in Obsidian meanwhile.")


def logged(text: str, line: str = "- 2026-11-27 phone: Called") -> str:
    return (text.replace("last_contact: 2026-11-18", "last_contact: 2026-11-27")
            .replace("## Log\n", f"## Log\n{line}\n"))


def log(run, root, text: str = "Called", *extra: str):  # noqa: ANN001, ANN201
    return run("log", "acme", text, "--via", "phone", "--vault", str(root), *extra)


def folder_names(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "clients").iterdir())


# ------------------------------------------------------------ 12: the note changes meanwhile


def test_12_external_save_between_read_and_write_is_kept_and_the_edit_reapplied(
        make_vault, run, monkeypatch):
    root = make_vault({PATH: NOTE}, git=True)
    saves = []

    def obsidian_saves_once(path: Path) -> None:
        if not saves:
            saves.append(path)
            path.write_text(EXTERNAL)

    monkeypatch.setattr(files, "_before_replace", obsidian_saves_once)
    result = log(run, root)
    assert result.exit_code == 0, result.stderr
    assert (root / PATH).read_text() == logged(EXTERNAL)
    assert folder_names(root) == ["Acme.md"]
    # the commit holds the contact alone; Obsidian's edit stays the rep's, uncommitted
    assert git(root, "show", f"HEAD:{PATH}") == logged(NOTE)
    assert git(root, "status", "--porcelain") == f" M {PATH}\n"


def test_12_a_note_that_keeps_changing_aborts_with_nothing_written(make_vault, run, monkeypatch):
    root = make_vault({PATH: NOTE}, git=True)
    state = git_state(root)
    versions = iter(range(100))

    def obsidian_keeps_saving(path: Path) -> None:
        path.write_text(EXTERNAL.replace("meanwhile", f"meanwhile ({next(versions)})"))

    monkeypatch.setattr(files, "_before_replace", obsidian_keeps_saving)
    result = log(run, root)
    assert result.exit_code == 1
    assert [m[0] for m in problem_lines(result.stderr)] == [
        f"{PATH}:0: note changed while editing, nothing written"]
    assert (root / PATH).read_text() == EXTERNAL.replace("meanwhile", "meanwhile (1)")
    assert folder_names(root) == ["Acme.md"]
    assert git_state(root) == state


# ------------------------------------------------------------ 13: failures in the middle


def _is_temp_fd(fd: int) -> bool:
    try:
        return ".salesnotes-" in os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return True  # no /proc: every call fails, which is stricter still


def _fail_on_temp(real, at: str):  # noqa: ANN001, ANN202
    """`real` (os.write/fsync/replace) failing only for salesnotes' temp file of a note."""

    def fake(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        target = args[0]
        ours = _is_temp_fd(target) if isinstance(target, int) else ".salesnotes-" in str(target)
        if not ours:
            return real(*args, **kwargs)
        if at == "enospc":  # half the bytes reach the disk, then it is full
            fake.calls = getattr(fake, "calls", 0) + 1
            if fake.calls == 1:
                return real(target, bytes(args[1])[: len(args[1]) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    return fake


@pytest.mark.parametrize(("at", "function", "says"), [
    ("write", "write", "Input/output error"),
    ("enospc", "write", "No space left on device"),
    ("fsync", "fsync", "Input/output error"),
    ("replace", "replace", "Input/output error"),
])
def test_13_a_failing_write_fsync_or_replace_leaves_the_note_whole(
        make_vault, run, monkeypatch, at, function, says):
    root = make_vault({PATH: NOTE}, git=True)
    before, state = snapshot(root), git_state(root)
    monkeypatch.setattr(files.os, function, _fail_on_temp(getattr(os, function), at))
    result = log(run, root)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert [m[0] for m in problem_lines(result.stderr)] == [f"{PATH}:0: could not write: {says}"]
    assert_unchanged(root, before)
    assert git_state(root) == state


KILLER = textwrap.dedent("""
    import os, signal, sys
    from salesnotes.edit import files
    real_write = os.write

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def half_then_die(fd, data):
        if ".salesnotes-" in os.readlink(f"/proc/self/fd/{fd}"):
            real_write(fd, bytes(data)[: len(data) // 2])
            die()
        return real_write(fd, data)

    if sys.argv[1] == "mid-write":
        files.os.write = half_then_die
    else:
        files._before_replace = lambda path: die()
    from salesnotes.cli import main
    sys.argv = ["salesnotes", *sys.argv[2:]]
    main()
""")


@pytest.mark.parametrize("when", ["mid-write", "before-replace"])
def test_13_sigkill_mid_write_leaves_the_note_whole_and_no_md_temp(make_vault, run, when):
    root = make_vault({PATH: NOTE}, git=True)
    state = git_state(root)
    proc = subprocess.run([PYTHON, "-c", KILLER, when, "log", "acme", "Called"],
                          env=cli_env(root), capture_output=True, text=True, timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (root / PATH).read_text() == NOTE
    leftovers = [n for n in folder_names(root) if n != "Acme.md"]
    assert all(n.startswith(".") and n.endswith(".tmp") for n in leftovers), leftovers
    assert git_state(root) == state
    assert run("check", "--vault", str(root)).exit_code == 0  # a leftover is never a note
    assert log(run, root).exit_code == 0


# ------------------------------------------------------------ 14: modes and links


def test_14_the_notes_mode_is_kept(make_vault, run):
    root = make_vault({PATH: NOTE})
    os.chmod(root / PATH, 0o640)
    assert log(run, root, "Called", "--no-commit").exit_code == 0
    assert stat.S_IMODE(os.stat(root / PATH).st_mode) == 0o640
    assert (root / PATH).read_text() == logged(NOTE)


def test_14_a_read_only_note_is_refused_and_never_chmodded(make_vault, run):
    root = make_vault({PATH: NOTE}, git=True)
    os.chmod(root / PATH, 0o444)
    before, state = snapshot(root), git_state(root)
    result = log(run, root)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert problem["path"] == PATH and "read-only" in problem["message"]
    assert_unchanged(root, before)
    assert git_state(root) == state


def test_14_a_symlink_out_of_the_vault_is_refused_never_replaced(make_vault, run, tmp_path):
    outside = tmp_path / "elsewhere" / "Acme.md"
    outside.parent.mkdir()
    outside.write_text(NOTE)
    root = make_vault({}, git=True)
    (root / PATH).symlink_to(outside)
    before, state = snapshot(root), git_state(root)
    result = log(run, root)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert problem["path"] == PATH and "symbolic link" in problem["message"]
    assert (root / PATH).is_symlink() and outside.read_text() == NOTE
    assert_unchanged(root, before)
    assert git_state(root) == state


# ------------------------------------------------------------ 15: a no-op writes nothing

CHECKLIST = "# Key account\n\n- [ ] Decision maker identified\n- [ ] Annual plan agreed\n"


def test_15_commands_that_change_nothing_write_nothing(make_vault, run, tmp_path):
    root = make_vault({PATH: NOTE, "templates/checklists/key-account.md": CHECKLIST}, git=True)
    export = tmp_path / "clients.csv"
    export.write_text("NIP;Nazwa;Region\n5260250274;Acme;Kraków\n", encoding="utf-8")
    commands = [("import", "clients", str(export)), ("checklist", "apply", "key-account", "acme"),
                ("review",)]
    for args in commands:  # the first run of each changes something
        assert run(*args, "--vault", str(root)).exit_code == 0, args
    before, state = snapshot(root), git_state(root)
    for args in commands:
        assert run(*args, "--vault", str(root)).exit_code == 0, args
    assert_unchanged(root, before)
    assert git_state(root) == state


# ------------------------------------------------------------ two processes, one note


def _spawn(root: Path, *args: str, code: str | None = None, **env: str) -> subprocess.Popen:
    cmd = [PYTHON, "-c", code, *args] if code else [PYTHON, "-m", "salesnotes", *args]
    return subprocess.Popen(cmd, env=cli_env(root, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_race_two_log_processes_on_one_note_lose_nothing(make_vault):
    root = make_vault({PATH: NOTE}, git=True)
    procs = [_spawn(root, "log", "acme", f"call {i}", "--via", "phone") for i in (1, 2)]
    outcomes = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    text = (root / PATH).read_text()
    for i, (code, err) in enumerate(outcomes, start=1):
        line = f"- 2026-11-27 phone: call {i}"
        if code == 0:
            assert text.count(line) == 1
        else:  # refused: with a message, and then it did not land
            assert problem_lines(err) and text.count(line) == 0
    assert any(code == 0 for code, _ in outcomes)
    others = [ln for ln in text.splitlines() if "phone: call" not in ln]
    assert "\n".join(others) + "\n" == logged(NOTE, "").replace("## Log\n\n", "## Log\n")


PAUSE_BEFORE_COMMIT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from salesnotes.git import gitlog
    ready, go = Path(sys.argv[1]), Path(sys.argv[2])
    real_commit = gitlog.commit_changes

    def paused_commit(*args, **kwargs):
        ready.touch()
        while not go.exists():
            time.sleep(0.01)
        return real_commit(*args, **kwargs)

    gitlog.commit_changes = paused_commit
    from salesnotes.cli import main
    sys.argv = ["salesnotes", *sys.argv[3:]]
    main()
""")


def _wait_for(path: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def test_race_each_contact_commit_holds_its_own_line(make_vault, tmp_path):
    """Deterministic interleaving: run 1 has written its line and waits before committing
    while run 2 starts; each contact must still get its own commit with its own line."""
    root = make_vault({PATH: NOTE}, git=True)
    ready, go = tmp_path / "ready", tmp_path / "go"
    first = _spawn(root, str(ready), str(go), "log", "acme", "call 1", "--via", "phone",
                   code=PAUSE_BEFORE_COMMIT)
    _wait_for(ready)
    second = _spawn(root, "log", "acme", "call 2", "--via", "phone")
    try:
        second.wait(timeout=3)  # with the vault lock it waits for run 1 instead
    except subprocess.TimeoutExpired:
        pass
    go.touch()
    assert first.wait(timeout=60) == 0 and second.wait(timeout=60) == 0
    commits = git(root, "log", "--format=%x1e%s", "-p", "--", PATH).split("\x1e")[1:]
    added = [[ln[1:] for ln in c.splitlines() if ln.startswith("+- ")] for c in commits
             if c.startswith("contact: ")]
    assert sorted(added) == [["- 2026-11-27 phone: call 1"], ["- 2026-11-27 phone: call 2"]]
    assert git(root, "status", "--porcelain") == ""


# ------------------------------------------------------------ the vault lock itself

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from salesnotes.local.lock import vault_lock
    with vault_lock(sys.argv[1], what="salesnotes log acme"):
        Path(sys.argv[2]).touch()
        time.sleep(float(sys.argv[3]))
""")


def _hold_lock(root: Path, tmp_path: Path, seconds: float = 30) -> subprocess.Popen:
    held = tmp_path / "held"
    proc = subprocess.Popen([PYTHON, "-c", HOLDER, str(root), str(held), str(seconds)],
                            env=cli_env(root))
    _wait_for(held)
    return proc


def test_lock_a_second_holder_gets_vault_busy_with_the_pid(make_vault, tmp_path):
    from salesnotes.local.lock import VaultBusy, vault_lock

    root = make_vault({PATH: NOTE}, git=True)
    holder = _hold_lock(root, tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(VaultBusy) as busy:
            with vault_lock(root, timeout=0.3):
                pytest.fail("two holders at once")
        assert time.monotonic() - started < 5
        [problem] = busy.value.problems
        assert str(problem).startswith(".salesnotes/lock:0: vault busy: salesnotes log acme "
                                       f"(PID {holder.pid})")
        assert busy.value.exit_code == 75
    finally:
        holder.kill()
        holder.wait()
    with vault_lock(root, timeout=5):  # the kernel freed the killed holder's lock at once
        with vault_lock(root, timeout=0):  # re-entrant in one process
            pass
    assert git(root, "status", "--porcelain") == ""  # ignored by git: never committed


def test_lock_log_waits_for_another_salesnotes_then_says_who_holds_it(make_vault, tmp_path):
    root = make_vault({PATH: NOTE}, git=True)
    before, state = snapshot(root), git_state(root)
    holder = _hold_lock(root, tmp_path)
    try:
        proc = _spawn(root, "log", "acme", "Called", SALESNOTES_LOCK_TIMEOUT="0.5")
        code, err = proc.wait(timeout=60), proc.stderr.read()
    finally:
        holder.kill()
        holder.wait()
    assert code == 75
    assert f"(PID {holder.pid})" in err and "nothing was written" in err
    assert_unchanged(root, before)
    assert git_state(root) == state
