"""The adversarial suite: every adversarial case of docs/ARCHITECTURE.md through the real CLI
on a real vault.

Shared helpers for its modules: what "nothing written" and "nothing committed" mean, checked the
same way everywhere (whole-file bytes, mtime and mode of every file the rep owns; HEAD and the
index), and what a problem line must look like.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# `path:line: message`, one line, the line a number (0 = the file as a whole)
# a whole file's problem names no line (`path: message`): a made-up `:0` would send one looking
PROBLEM = re.compile(r"(?P<path>[^\n]+?)(?::(?P<line>\d+))?: (?P<message>\S[^\n]*)")
SUMMARY = re.compile(r"\d+ notes? checked, \d+ problems?")  # `check`'s last line
OWN = (".git", ".salesnotes")  # git's and salesnotes' own folders: not the rep's files

Snapshot = dict[str, tuple[bytes, int, int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file of the vault (outside .git/ and the local cache): bytes, mtime_ns, mode, inode
    (an atomic replace gives a new inode even within one mtime tick)."""
    out: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        rel_dir = Path(folder).relative_to(root)
        if rel_dir.parts[:1] and rel_dir.parts[0] in OWN:
            dirs.clear()
            continue
        for name in files:
            path = Path(folder) / name
            st = path.lstat()
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            out[(rel_dir / name).as_posix()] = (data, st.st_mtime_ns, st.st_mode, st.st_ino)
    return out


def assert_unchanged(root: Path, before: Snapshot) -> None:
    """Nothing written: the same files, each with the same bytes, mtime and mode."""
    after = snapshot(root)
    assert sorted(after) == sorted(before), "files appeared or vanished"
    for rel, (data, mtime, mode, inode) in before.items():
        assert after[rel][0] == data, f"{rel}: bytes changed"
        assert after[rel][1:] == (mtime, mode, inode), f"{rel}: rewritten (mtime, mode or inode)"


def git(root: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, check=check,
                          capture_output=True, text=True).stdout


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def git_state(root: Path) -> tuple[str, str]:
    """HEAD and the index: 'nothing committed' (and nothing staged behind the rep's back)."""
    return head(root), git(root, "ls-files", "--stage")


def problem_lines(stderr: str) -> list[re.Match[str]]:
    """Every stderr line as a problem; fails on any line that is not `path:line: message`
    (`check`'s closing count excepted). Lines end at `\\n` only: a control character inside a
    message is checked by its own tests (test_imports.py, case 22)."""
    lines = [line for line in stderr.split("\n") if line.strip() and not SUMMARY.fullmatch(line)]
    matches = [PROBLEM.fullmatch(line) for line in lines]
    bad = [line for line, m in zip(lines, matches, strict=True) if m is None]
    assert not bad, f"not path:line: message: {bad}"
    return [m for m in matches if m is not None]


def no_traceback(result) -> None:  # noqa: ANN001 - a click Result
    text = result.output + result.stderr
    assert "Traceback" not in text
    assert "internal error" not in text, text
    assert result.exit_code != 70, text


def cli_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment for a `python -m salesnotes` subprocess on `root`."""
    from conftest import TODAY

    return {**os.environ, "SALESNOTES_TODAY": TODAY.isoformat(), "SALESNOTES_VAULT": str(root),
            "GIT_AUTHOR_NAME": "Test Rep", "GIT_AUTHOR_EMAIL": "rep@example.com",
            "GIT_COMMITTER_NAME": "Test Rep", "GIT_COMMITTER_EMAIL": "rep@example.com", **extra}


PYTHON = sys.executable
