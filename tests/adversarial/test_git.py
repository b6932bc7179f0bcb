"""ARCHITECTURE.md adversarial cases 37-40: git in every state a rep's vault can be in.

A commit that cannot be made never costs the edit: the note keeps it, the command says why it
is not committed and exits non-zero; git's own files (index.lock, MERGE_HEAD) are never removed.
Waiting for git uses a virtual clock, so the bounded waits cost no real time.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adversarial import git, git_state, head, problem_lines, snapshot
from salesnotes.git import gitlog

NOTE = """---
name: Acme
nip: "5260250274"
tier: A
last_contact: 2026-11-18
---
# Acme

## Log
- 2026-11-18 phone: first call
"""
OTHER = "---\nname: Other\ntier: B\n---\n## Log\n"
PATH = "clients/Acme.md"
LINE = "- 2026-11-27 phone: Called"


class VirtualClock:
    """Stands in for gitlog's `time`: sleeping advances the clock instantly. `on_sleep` runs at
    each sleep (e.g. the other git program finishing)."""

    def __init__(self, on_sleep=None) -> None:  # noqa: ANN001
        self.now, self.sleeps, self.on_sleep = 1000.0, 0, on_sleep

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.sleeps += 1
        if self.on_sleep:
            self.on_sleep(self.sleeps)


@pytest.fixture
def clock(monkeypatch):
    fake = VirtualClock()
    monkeypatch.setattr(gitlog, "time", fake)
    return fake


@pytest.fixture
def vault(make_vault):
    return make_vault({PATH: NOTE, "clients/Other.md": OTHER}, git=True)


def log(run, root, who: str = "acme"):  # noqa: ANN001, ANN201
    return run("log", who, "Called", "--via", "phone", "--vault", str(root))


def edit_kept(root: Path) -> bool:
    return LINE in (root / PATH).read_text()


# ------------------------------------------------------------ 37: index.lock


def test_37_a_held_index_lock_is_waited_for_then_reported_never_deleted(vault, run, clock):
    lock = vault / ".git/index.lock"
    lock.write_bytes(b"Obsidian Git is committing")
    before = head(vault)
    result = log(run, vault)
    assert result.exit_code == 75
    [problem] = problem_lines(result.stderr)
    assert problem["path"] == PATH
    assert "vault busy" in problem["message"] and "not committed" in problem["message"]
    assert lock.read_bytes() == b"Obsidian Git is committing"
    assert 1 < clock.sleeps < 100 and clock.now - 1000 < 10  # bounded retry, seconds not minutes
    assert edit_kept(vault) and head(vault) == before


def test_37_a_lock_released_while_waiting_lets_the_commit_through(vault, run, monkeypatch):
    lock = vault / ".git/index.lock"
    lock.write_bytes(b"")
    monkeypatch.setattr(gitlog, "time", VirtualClock(
        on_sleep=lambda n: n == 3 and lock.unlink()))
    result = log(run, vault)
    assert result.exit_code == 0, result.stderr
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split("\n")[:-1] == [PATH]


def test_37_review_keeps_its_views_when_git_is_busy(vault, run, clock):
    (vault / ".git/index.lock").write_bytes(b"")
    before = head(vault)
    result = run("review", "--vault", str(vault))
    assert result.exit_code == 75
    assert (vault / "views/Portfolio.md").is_file() and head(vault) == before
    assert (vault / ".git/index.lock").exists()


# ------------------------------------------------------------ 38: no identity


@pytest.fixture
def nobody(vault, monkeypatch, tmp_path):
    """No user.name/user.email anywhere: not in the repo, the global config or the environment."""
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    git(vault, "config", "--unset", "user.name")
    git(vault, "config", "--unset", "user.email")
    return vault


def test_38_no_identity_is_a_clear_message_and_the_edit_stays(nobody, run):
    state = git_state(nobody)
    result = log(run, nobody)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert "git does not know who you are" in problem["message"]
    assert "git config --global user.email" in problem["message"]
    assert edit_kept(nobody) and git_state(nobody) == state


def test_38_review_commits_under_an_explicit_fallback_identity(nobody, run):
    result = run("review", "--vault", str(nobody))
    assert result.exit_code == 0, result.stderr
    assert git(nobody, "log", "-1", "--format=%an <%ae>") == "salesnotes <salesnotes@localhost>\n"


# ------------------------------------------------------------ 39: merges, rebases, markers


@pytest.fixture
def merging(vault):
    """A real merge stopped on a conflict in Acme's log."""
    git(vault, "checkout", "-qb", "phone")
    (vault / PATH).write_text(NOTE + "- 2026-11-20 phone: from the phone\n")
    git(vault, "commit", "-qam", "phone")
    git(vault, "checkout", "-q", "main")
    (vault / PATH).write_text(NOTE + "- 2026-11-21 visit: from the laptop\n")
    git(vault, "commit", "-qam", "laptop")
    git(vault, "merge", "phone", check=False)
    assert (vault / ".git/MERGE_HEAD").exists() and "<<<<<<<" in (vault / PATH).read_text()
    return vault


def test_39_a_note_with_conflict_markers_is_not_edited(merging, run, clock):
    before, state = snapshot(merging), git_state(merging)
    result = log(run, merging)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert problem["path"] == PATH and int(problem["line"]) == 11
    assert "conflict" in problem["message"]
    assert snapshot(merging) == before and git_state(merging) == state
    assert (merging / ".git/MERGE_HEAD").exists()


def test_39_during_a_merge_another_note_is_saved_but_not_committed(merging, run, clock):
    state = git_state(merging)
    result = run("log", "other", "Called", "--via", "phone", "--vault", str(merging))
    assert result.exit_code == 75
    [problem] = problem_lines(result.stderr)
    assert "a merge is in progress" in problem["message"] and "not committed" in problem["message"]
    assert LINE in (merging / "clients/Other.md").read_text()
    assert git_state(merging) == state and (merging / ".git/MERGE_HEAD").exists()


def test_39_during_a_rebase_nothing_is_committed(vault, run, clock):
    (vault / ".git/rebase-merge").mkdir()
    state = git_state(vault)
    result = log(run, vault)
    assert result.exit_code == 75
    assert "a rebase is in progress" in result.stderr
    assert edit_kept(vault) and git_state(vault) == state


def test_39_conflict_markers_left_by_a_sync_tool_refuse_the_edit(make_vault, run):
    marked = NOTE + ("<<<<<<< laptop\n- 2026-11-21 visit: a\n=======\n- 2026-11-20 b\n"
                     ">>>>>>> phone\n")
    root = make_vault({PATH: marked}, git=True)
    before, state = snapshot(root), git_state(root)
    result = log(run, root)
    assert result.exit_code == 1
    assert problem_lines(result.stderr)[0][0].startswith(f"{PATH}:11: ")
    assert snapshot(root) == before and git_state(root) == state


# ------------------------------------------------------------ 40: no repo, detached, hooks


def test_40_not_a_repository_keeps_the_edit_and_says_so(make_vault, run):
    # Issue 4 decides against adversarial case 40's non-zero exit: a vault without git is a
    # supported setup ("No git repo: the edit is made and nothing is committed"), so `log`
    # keeps the edit, says it was not committed, and succeeds.
    root = make_vault({PATH: NOTE})
    result = log(run, root)
    assert edit_kept(root)
    assert result.exit_code == 0 and "not committed" in result.stderr


def test_40_a_detached_head_keeps_the_edit_and_reports(vault, run):
    git(vault, "checkout", "-q", "--detach")
    state = git_state(vault)
    result = log(run, vault)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert "detached" in problem["message"] and "not committed" in problem["message"]
    assert edit_kept(vault) and git_state(vault) == state


def test_40_a_failing_pre_commit_hook_keeps_the_edit_and_reports(vault, run):
    hook = vault / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint: trailing whitespace' >&2\nexit 1\n")
    hook.chmod(0o755)
    state = git_state(vault)
    result = log(run, vault)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert "git commit failed" in problem["message"] and "lint: trailing whitespace" in problem[0]
    assert edit_kept(vault) and git_state(vault) == state


# ------------------------------------------------------------ rule 14: only this run's paths


def test_commits_hold_only_this_runs_paths_and_leave_the_reps_staging_alone(vault, run):
    (vault / "clients/Other.md").write_text(OTHER + "- 2026-11-26 email: staged by the rep\n")
    git(vault, "add", "clients/Other.md")
    (vault / "notes.txt").write_text("untracked scratch\n")
    result = log(run, vault)
    assert result.exit_code == 0, result.stderr
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split("\n")[:-1] == [PATH]
    assert git(vault, "status", "--porcelain").splitlines() == [
        "M  clients/Other.md", "?? notes.txt"]
