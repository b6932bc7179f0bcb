"""Running git: the one runner, its environment, and where a vault sits in its work tree.

Every git call runs in the vault with the repository-selecting variables of the environment
removed (`GIT_DIR`, `GIT_INDEX_FILE`, ... as a git hook or `rebase -x` sets them), so the vault's
own repository is the one used. The committing (gitlog.py), the rep's hooks (hooks.py) and the
rep's index (repindex.py) all run git through here.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from salesnotes.errors import VaultError, problem
from salesnotes.i18n import Said

SAVED = Said("err_git_saved")  # str() is the English, for messages not yet in the catalogs
# What `git rev-parse --local-env-vars` lists (git clears them itself before entering another
# repository), and the other variables that choose a repository or change what it shows.
FOREIGN_VARIABLES = frozenset({
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE", "GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX", "GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR",
    "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_QUARANTINE_PATH", "GIT_REFLOG_ACTION",
})
_FOREIGN_PATTERN = re.compile(r"GIT_CONFIG_(KEY|VALUE)_\d+")


@dataclass(frozen=True)
class Repo:
    """Where a vault sits in its git work tree."""

    root: Path  # the vault root, where messages' paths start
    git_dir: Path
    prefix: str  # the vault's folder inside the work tree: "" or "sub/dir/"
    top: Path  # the work tree's top folder (the vault root, or a folder above it)
    hooks: Path  # where git looks for hooks (core.hooksPath honoured)


def own_environ() -> dict[str, str]:
    """The environment without the variables that would point git at another repository or
    index (a hook, `rebase -x` or an IDE task sets them for its own repository)."""
    return {k: v for k, v in os.environ.items()
            if k not in FOREIGN_VARIABLES and not _FOREIGN_PATTERN.fullmatch(k)}


def git_env(**extra: str) -> dict[str, str]:
    """`own_environ()` plus plain, predictable git: C messages (we match some), literal paths,
    no prompts, no editor."""
    env = own_environ()
    env.update({
        "LC_ALL": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_LITERAL_PATHSPECS": "1",
        "GIT_OPTIONAL_LOCKS": "0",  # `git status` must not take index.lock from Obsidian Git
        "GIT_EDITOR": ":",
    })
    env.update(extra)
    return env


def run_git(root: Path, *args: str, stdin: str | None = None,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """git in the vault root with `git_env()`; text out, undecodable bytes kept as surrogates."""
    return subprocess.run(
        ["git", "-c", "core.quotepath=off", *args],
        cwd=root, env=dict(env) if env is not None else git_env(), input=stdin,
        capture_output=True, encoding="utf-8", errors="surrogateescape", check=False,
    )


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    """`run_git` started, to be `collect`ed later: git works while we do something else."""
    return subprocess.Popen(
        ["git", "-c", "core.quotepath=off", *args], cwd=root, env=git_env(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        encoding="utf-8", errors="surrogateescape")


def collect(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


_WHERE = ("rev-parse", "--is-inside-work-tree", "--absolute-git-dir", "--show-prefix",
          "--show-toplevel", "--git-path", "hooks")


def find_repo(root: Path) -> Repo | None:
    """The repository the vault root is in, or None (no folder, not a work tree)."""
    if not Path(root).is_dir():
        return None
    return repo_of(root, run_git(root, *_WHERE))


def start_find_repo(root: Path) -> subprocess.Popen[str]:
    """`find_repo` started (for a root known to be a folder), to be read by `repo_of`."""
    return start(root, *_WHERE)


def repo_of(root: Path, out: subprocess.CompletedProcess[str]) -> Repo | None:
    """The Repo a finished `find_repo` git run describes, or None."""
    lines = out.stdout.split("\n")
    if out.returncode or len(lines) < 5 or lines[0] != "true":
        return None
    return Repo(Path(root), Path(lines[1]), lines[2], Path(lines[3]), Path(root) / lines[4])


def in_git(root: Path) -> bool:
    """The vault is in a git work tree (its own, or a repository it is a folder of): a look
    for `.git`, without running git."""
    return any((p / ".git").exists() for p in (root, *root.parents))


def head(root: Path) -> str:
    """The commit HEAD names ('' outside git or before the first commit). Here rather than in
    gitlog.py: a warm `status` or review asks only this, and must not import the committer."""
    if not in_git(root):
        return ""
    return run_git(root, "rev-parse", "-q", "--verify", "HEAD").stdout.strip()


def is_repo(root: Path) -> bool:
    """True when the vault root is inside a git work tree."""
    return find_repo(root) is not None


def git_said(result: subprocess.CompletedProcess[str]) -> str:
    """git's own words on one line, for a Problem's message."""
    said = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return " | ".join(line.strip() for line in said if line.strip()) or f"exit {result.returncode}"


def hash_files(cwd: Path, names: list[str], env: Mapping[str, str], *,
                filters: bool) -> list[str]:
    """Write each file as a blob (`filters`: as `git add` would, attributes included); git
    reads the names from the top of the work tree, whatever `cwd` is."""
    if not names:
        return []
    args = ["hash-object", "-w", "--stdin-paths"] + ([] if filters else ["--no-filters"])
    done = run_git(cwd, *args, stdin="".join(f"{n}\n" for n in names), env=env)
    shas = done.stdout.split()
    if done.returncode or len(shas) != len(names):
        raise VaultError(problem(names[0], 0, f"git hash-object failed: {git_said(done)}; {SAVED}"))
    return shas
