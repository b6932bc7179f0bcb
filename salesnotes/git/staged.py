"""What a commit is about to hold, for a pre-commit hook: the staged client notes, as staged.

Unlike every other git call of salesnotes, these keep the environment git gives a hook: during
`git commit --only` (salesnotes' own commits, Obsidian Git's) git points GIT_INDEX_FILE at the
index being committed, and that index, not the rep's, is what the commit holds. The content
checked is the staged blob, never the working file, which may hold edits not in the commit.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

from salesnotes.errors import VaultError, saying
from salesnotes.i18n import Said

CLIENTS = "clients"
CONFIG = "salesnotes.yaml"


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    result = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, env=env,
                            input=stdin, capture_output=True, check=False)
    if result.returncode:
        said = result.stderr.decode("utf-8", "replace").strip() or f"exit {result.returncode}"
        raise VaultError(saying(".", 0, Said("err_git_cmd_failed", cmd=args[0], why=said)))
    return result.stdout


def staged_notes(root: Path) -> tuple[list[tuple[PurePosixPath, bytes]], bool]:
    """(vault path, staged bytes) of each client note the next commit adds or changes; and
    whether it changes salesnotes.yaml (whose problems then count too)."""
    listed = _git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR",
                  "--relative", "--", CLIENTS, CONFIG)
    names = [n.decode("utf-8", "surrogateescape") for n in listed.split(b"\0") if n]
    config = CONFIG in names
    names = [n for n in names if n.endswith(".md") and n.startswith(f"{CLIENTS}/")]
    if not names:
        return [], config
    prefix = _git(root, "rev-parse", "--show-prefix").decode("utf-8", "surrogateescape").strip()
    query = "".join(f":{prefix}{n}\n" for n in names).encode("utf-8", "surrogateescape")
    blobs = _blobs(_git(root, "cat-file", "--batch", stdin=query))
    return list(zip((PurePosixPath(n) for n in names), blobs, strict=True)), config


def _blobs(out: bytes) -> list[bytes]:
    """`git cat-file --batch` output: `<sha> blob <size>\\n<bytes>\\n` per object."""
    blobs = []
    at = 0
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].split()
        size = int(header[2]) if len(header) == 3 else 0
        blobs.append(out[end + 1:end + 1 + size])
        at = end + 1 + size + (1 if len(header) == 3 else 0)
    return blobs
