"""The rep's git hooks around a salesnotes commit, as `git commit` would run them.

salesnotes commits with plumbing (`commit-tree`), which runs no hook, yet a pre-commit hook (a
`salesnotes check`, a secrets scanner) or a commit-msg hook is the rep's rule for every commit.
So they run here: pre-commit against an index holding exactly the tree to be committed (as
`git commit --only` gives it), commit-msg on the message (which it may change), post-commit
after. A hook that fails stops the commit; the edit stays saved.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from salesnotes.errors import VaultError, said
from salesnotes.git.run import SAVED, Repo, git_said, own_environ, run_git


def before_commit(repo: Repo, tree: str, text: str, env: Mapping[str, str], where: str) -> str:
    """Run pre-commit and commit-msg; the message as commit-msg left it."""
    pre, msg = _hook(repo.hooks, "pre-commit"), _hook(repo.hooks, "commit-msg")
    if pre is None and msg is None:
        return text
    index = repo.git_dir / f"salesnotes-index-{os.urandom(16).hex()}"
    message = repo.git_dir / f"SALESNOTES_EDITMSG-{os.urandom(16).hex()}"
    try:
        hook_env = _hook_env(repo, index)
        read = run_git(repo.top, "read-tree", tree, env={**env, "GIT_INDEX_FILE": str(index)})
        if read.returncode:
            raise VaultError(said(where, 0, "err_git_failed", step="git read-tree",
                                  git=git_said(read), saved=SAVED))
        if pre is not None:
            _run(pre, [], repo, hook_env, where)
        if msg is not None:
            message.write_text(text, encoding="utf-8", errors="surrogateescape")
            _run(msg, [str(message)], repo, hook_env, where)
            text = message.read_text(encoding="utf-8", errors="surrogateescape")
        return text
    finally:
        for leftover in (index, Path(f"{index}.lock"), message):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass


def after_commit(repo: Repo) -> None:
    """post-commit, whose result changes nothing (git ignores it too)."""
    hook = _hook(repo.hooks, "post-commit")
    if hook is not None:
        subprocess.run([str(hook)], cwd=repo.top, env=_hook_env(repo, None),
                       capture_output=True, check=False)


def _hook(folder: Path, name: str) -> Path | None:
    path = folder / name
    return path if path.is_file() and os.access(path, os.X_OK) else None


def _hook_env(repo: Repo, index: Path | None) -> dict[str, str]:
    """The rep's environment for their hook, pointed at this repository (git exports GIT_DIR
    to hooks too), with the temporary index when there is one."""
    env = own_environ()
    env.update({"GIT_DIR": str(repo.git_dir), "GIT_EDITOR": ":"})
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    return env


def _run(hook: Path, args: list[str], repo: Repo, env: Mapping[str, str], where: str) -> None:
    done = subprocess.run([str(hook), *args], cwd=repo.top, env=dict(env), capture_output=True,
                          encoding="utf-8", errors="replace", check=False)
    if done.returncode:
        lines = (done.stderr.strip() or done.stdout.strip()).splitlines()
        words = " | ".join(line.strip() for line in lines if line.strip())
        words = words or f"exit {done.returncode}"
        raise VaultError(said(where, 0, "err_git_hook_failed", hook=hook.name, words=words,
                              saved=SAVED))
