"""gitlog against real git repositories in tmp_path: what is committed, what is left alone."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from salesnotes.errors import GitBusy, VaultError
from salesnotes.git.gitlog import GitIdentityMissing, commit_paths, init_repo, is_repo
from salesnotes.git.history import ContactCommit, contact_history, last_contacts

NOTE = "clients/Hydro-Tech Sp. z o.o..md"
TRAILERS = {"Client-NIP": "5260250274", "Contact-Date": "2026-11-18", "Channel": "phone"}


@pytest.fixture(autouse=True)
def clean_git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config, no identity from the environment: each test says its own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "EMAIL", "GIT_DIR", "GIT_WORK_TREE",
                 "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_PARAMETERS"):
        monkeypatch.delenv(name, raising=False)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def new_repo(root: Path, identity: bool = True) -> Path:
    init_repo(root)
    if identity:
        git(root, "config", "user.name", "Jan Kowalski")
        git(root, "config", "user.email", "jan@example.com")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A vault with one committed note and one committed other file."""
    root = new_repo(tmp_path / "vault")
    write(root, NOTE, "# Hydro-Tech\n\n## Log\n")
    write(root, "other.md", "mine\n")
    git(root, "add", "--", NOTE, "other.md")
    git(root, "commit", "-q", "-m", "start")
    return root


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def log_contact(root: Path, line: str, when: str, via: str = "phone", **kw: object) -> str:
    """What `salesnotes log` does: append a log line, commit that note alone."""
    note = root / NOTE
    note.write_text(note.read_text(encoding="utf-8") + f"- {when} {via}: {line}\n", "utf-8")
    trailers = {"Client-NIP": "5260250274", "Contact-Date": when, "Channel": via}
    sha = commit_paths(root, [note], f"contact: Hydro-Tech Sp. z o.o. ({via})", body=line,
                       trailers=trailers, **kw)  # type: ignore[arg-type]
    assert sha is not None
    return sha


# -- is_repo / init_repo ----------------------------------------------------------------------


def test_init_repo_makes_a_main_branch(tmp_path: Path) -> None:
    root = tmp_path / "v"
    root.mkdir()
    assert not is_repo(root)
    assert not is_repo(tmp_path / "missing")
    init_repo(root)
    assert is_repo(root)
    assert git(root, "symbolic-ref", "HEAD").strip() == "refs/heads/main"


# -- commit_paths -----------------------------------------------------------------------------


def test_commit_touches_only_the_given_path(repo: Path) -> None:
    write(repo, "other.md", "mine, staged\n")
    git(repo, "add", "other.md")
    write(repo, "loose.md", "untracked, not ours\n")
    write(repo, NOTE, "# Hydro-Tech\n\n## Log\n- 2026-11-18 phone: Q1 plan\n")
    new = write(repo, "clients/Łódź Sp. z o.o..md", "# Łódź\n")

    sha = commit_paths(repo, [repo / NOTE, Path("clients/Łódź Sp. z o.o..md")], "salesnotes: x")

    assert sha == head(repo)
    files = git(repo, "-c", "core.quotepath=off", "show", "--name-only", "--format=", sha)
    assert files.split("\n")[:-1] == [NOTE, "clients/Łódź Sp. z o.o..md"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["other.md"]
    assert git(repo, "show", ":other.md") == "mine, staged\n"  # the user's staging is kept
    assert git(repo, "status", "--porcelain").splitlines() == ["M  other.md", "?? loose.md"]
    assert new.read_text(encoding="utf-8") == "# Łódź\n"


def test_message_body_and_trailers_read_back(repo: Path) -> None:
    write(repo, NOTE, "changed\n")
    body = "spoke to the buyer\n# not a comment: kept\nQ1 plan in December"
    sha = commit_paths(repo, [repo / NOTE], "contact: Hydro-Tech Sp. z o.o. (phone)",
                       body=body, trailers=TRAILERS)
    assert sha
    assert git(repo, "log", "-1", "--format=%s").strip() == "contact: Hydro-Tech Sp. z o.o. (phone)"
    said = git(repo, "log", "-1", "--format=%(trailers:only,unfold)").strip().splitlines()
    assert said == ["Client-NIP: 5260250274", "Contact-Date: 2026-11-18", "Channel: phone"]
    value = git(repo, "log", "-1", "--format=%(trailers:key=Contact-Date,valueonly)").strip()
    assert value == "2026-11-18"
    assert git(repo, "log", "-1", "--format=%b").startswith(body + "\n\nClient-NIP:")


def test_no_change_gives_none_and_no_commit(repo: Path) -> None:
    before = head(repo)
    assert commit_paths(repo, [repo / NOTE], "salesnotes: nothing") is None
    assert commit_paths(repo, [], "salesnotes: nothing") is None
    assert commit_paths(repo, [repo / "never-existed.md"], "salesnotes: nothing") is None
    write(repo, ".gitignore", "ignored.md\n")
    write(repo, "ignored.md", "x\n")
    assert commit_paths(repo, [repo / "ignored.md"], "salesnotes: ignored") is None
    assert head(repo) == before


def test_a_staged_change_undone_in_the_file_is_no_commit(repo: Path) -> None:
    before = head(repo)
    write(repo, NOTE, "staged by the user\n")
    git(repo, "add", NOTE)
    write(repo, NOTE, "# Hydro-Tech\n\n## Log\n")  # the file is back to what HEAD has
    assert commit_paths(repo, [repo / NOTE], "salesnotes: nothing") is None
    assert head(repo) == before
    assert git(repo, "show", f":{NOTE}") == "staged by the user\n"


def test_a_deleted_note_is_committed_as_a_deletion(repo: Path) -> None:
    (repo / "other.md").unlink()
    sha = commit_paths(repo, [repo / "other.md"], "salesnotes: remove")
    assert sha and git(repo, "show", "--name-status", "--format=", sha).split() == ["D", "other.md"]


def test_not_a_repo_gives_none(tmp_path: Path) -> None:
    write(tmp_path / "plain", "a.md", "x\n")
    assert commit_paths(tmp_path / "plain", [tmp_path / "plain" / "a.md"], "x") is None


def test_index_lock_waits_then_reports_busy_and_keeps_the_lock(repo: Path) -> None:
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    write(repo, NOTE, "edited\n")
    started = time.monotonic()
    with pytest.raises(GitBusy) as caught:
        commit_paths(repo, [repo / NOTE], "salesnotes: x", wait_seconds=0.3)
    assert 0.25 <= time.monotonic() - started < 3
    assert caught.value.exit_code == 75
    assert ".git/index.lock is held" in str(caught.value)
    assert "saved but not committed" in str(caught.value)
    assert lock.exists()
    assert (repo / NOTE).read_text() == "edited\n"
    lock.unlink()
    assert commit_paths(repo, [repo / NOTE], "salesnotes: x")


def test_a_lock_released_within_the_wait_lets_the_commit_through(repo: Path) -> None:
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    write(repo, NOTE, "edited\n")
    release = subprocess.Popen(["sh", "-c", f"sleep 0.2; rm '{lock}'"])
    try:
        assert commit_paths(repo, [repo / NOTE], "salesnotes: x", wait_seconds=5)
    finally:
        release.wait()


def test_merge_in_progress_is_busy(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    write(repo, "other.md", "side\n")
    git(repo, "commit", "-q", "-am", "side")
    git(repo, "checkout", "-q", "main")
    write(repo, "other.md", "main\n")
    git(repo, "commit", "-q", "-am", "main")
    merge = subprocess.run(["git", "merge", "-q", "side"], cwd=repo, capture_output=True)
    assert merge.returncode != 0 and (repo / ".git" / "MERGE_HEAD").exists()
    write(repo, NOTE, "edited during the merge\n")
    with pytest.raises(GitBusy, match="a merge is in progress"):
        commit_paths(repo, [repo / NOTE], "salesnotes: x", wait_seconds=0.1)


@pytest.mark.parametrize("state", ["rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD"])
def test_rebase_or_cherry_pick_in_progress_is_busy(repo: Path, state: str) -> None:
    marker = repo / ".git" / state
    marker.mkdir() if state.startswith("rebase") else marker.write_text(head(repo) + "\n")
    write(repo, NOTE, "edited\n")
    with pytest.raises(GitBusy, match="in progress"):
        commit_paths(repo, [repo / NOTE], "salesnotes: x", wait_seconds=0.05)


def test_conflict_markers_are_refused(repo: Path) -> None:
    text = "# Hydro\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> side\n"
    write(repo, NOTE, text)
    before = head(repo)
    with pytest.raises(VaultError) as caught:
        commit_paths(repo, [repo / NOTE], "salesnotes: x")
    assert not isinstance(caught.value, GitBusy)
    assert str(caught.value.problems[0]).startswith(f"{NOTE}:2: git conflict markers")
    assert head(repo) == before and (repo / NOTE).read_text() == text


def test_missing_identity_says_how_to_set_it(tmp_path: Path) -> None:
    root = new_repo(tmp_path / "v", identity=False)
    note = write(root, NOTE, "mine\n")
    with pytest.raises(GitIdentityMissing) as caught:
        commit_paths(root, [note], "salesnotes: x")
    assert 'git config --global user.name "Jan Kowalski"' in str(caught.value)
    assert "user.email" in str(caught.value)
    assert note.read_text() == "mine\n"
    assert git(root, "status", "--porcelain").split() == ["??", "clients/"]  # nothing staged
    sha = commit_paths(root, [note], "salesnotes: x", fallback_identity=True)
    assert sha and git(root, "log", "-1", "--format=%an <%ae>").strip() == (
        "salesnotes <salesnotes@localhost>")


def test_identity_from_the_environment_is_enough(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = new_repo(tmp_path / "v", identity=False)
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Anna Nowak")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "anna@example.com")
    assert commit_paths(root, [write(root, "a.md", "x\n")], "salesnotes: x")


def test_detached_head_is_refused(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    write(repo, NOTE, "edited\n")
    with pytest.raises(VaultError, match="detached"):
        commit_paths(repo, [repo / NOTE], "salesnotes: x")
    assert (repo / NOTE).read_text() == "edited\n"


def test_failing_pre_commit_hook_is_reported_and_nothing_is_staged(repo: Path) -> None:
    hook = write(repo, ".git/hooks/pre-commit", "#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = head(repo)
    new = write(repo, "clients/New.md", "new\n")
    with pytest.raises(VaultError, match="hook says no"):
        commit_paths(repo, [new], "salesnotes: x")
    assert head(repo) == before and new.read_text() == "new\n"
    assert git(repo, "diff", "--cached", "--name-only") == ""


def test_paths_built_from_a_relative_root_are_taken_from_the_current_folder(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.parent)
    write(repo, NOTE, "edited\n")
    write(repo, "new.md", "new\n")
    sha = commit_paths(Path("vault"), [Path("vault") / NOTE, Path("new.md")], "salesnotes: x")
    assert sha and git(repo, "show", "--name-only", "--format=", sha).split("\n")[:-1] == [
        NOTE, "new.md"]


def test_a_folder_is_not_a_path_to_commit(repo: Path) -> None:
    with pytest.raises(ValueError):
        commit_paths(repo, [repo / "clients"], "salesnotes: x")
    with pytest.raises(VaultError, match="outside the vault"):
        commit_paths(repo, [repo.parent / "elsewhere.md"], "salesnotes: x")


# -- contact_history --------------------------------------------------------------------------


def test_contact_history_keeps_a_contact_whose_log_line_was_deleted(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-10-02T23:30:00-02:00")  # UTC: Oct 3rd
    first = log_contact(repo, "plant tour", "2026-10-02", via="visit")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-18T10:00:00+01:00")
    second = log_contact(repo, "spoke to the buyer\n\nQ1 plan in December", "2026-11-18")
    write(repo, NOTE, "# Hydro-Tech\n\n## Log\n")  # the rep tidies the log away
    assert commit_paths(repo, [repo / NOTE], "salesnotes: tidy")
    write(repo, "other.md", "x\n")
    assert commit_paths(repo, [repo / "other.md"], "contact: Someone (email)", body="no trailers")

    history = contact_history(repo)

    assert set(history) == {NOTE, "other.md"}
    assert history[NOTE] == [
        ContactCommit(second, NOTE, date(2026, 11, 18), "phone", "5260250274",
                      "Hydro-Tech Sp. z o.o.", "spoke to the buyer\n\nQ1 plan in December",
                      date(2026, 11, 18)),
        ContactCommit(first, NOTE, date(2026, 10, 2), "visit", "5260250274",
                      "Hydro-Tech Sp. z o.o.", "plant tour", date(2026, 10, 3)),
    ]
    other = history["other.md"][0]
    assert (other.name, other.channel, other.contact_date, other.text) == (
        "Someone", "email", None, "no trailers")
    assert last_contacts(history) == {NOTE: date(2026, 11, 18)}


def test_contact_history_of_an_empty_repo_or_no_repo_is_empty(tmp_path: Path) -> None:
    assert contact_history(tmp_path) == {}
    root = new_repo(tmp_path / "v")
    assert contact_history(root, root / ".salesnotes" / "contacts.json") == {}


def test_incremental_refresh_reads_only_new_commits(repo: Path) -> None:
    cache = repo / ".salesnotes" / "contacts.json"
    log_contact(repo, "first", "2026-11-02")
    assert [c.text for c in contact_history(repo, cache)[NOTE]] == ["first"]
    data = json.loads(cache.read_text())
    assert data["head"] == head(repo)
    data["history"][NOTE][0][5] = "from the cache"  # proves the next call did not re-read it
    cache.write_text(json.dumps(data))

    log_contact(repo, "second", "2026-11-09")
    assert [c.text for c in contact_history(repo, cache)[NOTE]] == ["second", "from the cache"]
    assert json.loads(cache.read_text())["head"] == head(repo)
    assert [c.text for c in contact_history(repo, cache)[NOTE]] == ["second", "from the cache"]


def test_rewritten_history_or_a_corrupt_cache_rebuilds(repo: Path) -> None:
    cache = repo / ".salesnotes" / "contacts.json"
    log_contact(repo, "first", "2026-11-02")
    contact_history(repo, cache)
    data = json.loads(cache.read_text())
    data["history"][NOTE][0][5] = "stale"
    cache.write_text(json.dumps(data))
    git(repo, "commit", "-q", "--amend", "-m", "contact: Hydro-Tech Sp. z o.o. (email)",
        "-m", "amended", "-m", "Contact-Date: 2026-11-03\nChannel: email")
    rebuilt = contact_history(repo, cache)[NOTE]
    assert [(c.text, c.channel) for c in rebuilt] == [("amended", "email")]

    cache.write_text("{not json")
    assert [c.text for c in contact_history(repo, cache)[NOTE]] == ["amended"]
    cache.write_text(json.dumps({"version": 1, "head": head(repo), "prefix": "", "history": 3}))
    assert [c.text for c in contact_history(repo, cache)[NOTE]] == ["amended"]


def test_vault_in_a_subfolder_of_the_repo(tmp_path: Path) -> None:
    top = new_repo(tmp_path / "repo")
    vault = top / "sales vault"
    write(top, "README.md", "top\n")
    note = write(vault, "clients/Ada.md", "# Ada\n")
    sha = commit_paths(vault, [note, Path("clients/Ada.md")], "contact: Ada (sms)",
                       trailers={"Contact-Date": "2026-11-20", "Channel": "sms"})
    assert sha
    assert git(top, "show", "--name-only", "--format=", sha).split("\n")[:-1] == [
        "sales vault/clients/Ada.md"]
    assert git(top, "status", "--porcelain").splitlines() == ["?? README.md"]
    git(top, "add", "README.md")
    git(top, "commit", "-q", "-m", "contact: Top (phone)", "-m", "Contact-Date: 2026-11-21")

    cache = vault / ".salesnotes" / "contacts.json"
    for _ in range(2):
        history = contact_history(vault, cache)
        assert list(history) == ["clients/Ada.md"]
        assert history["clients/Ada.md"][0].contact_date == date(2026, 11, 20)

    lock = top / ".git" / "index.lock"
    lock.write_text("")
    write(vault, "clients/Ada.md", "# Ada\nmore\n")
    with pytest.raises(GitBusy) as caught:
        commit_paths(vault, [note], "salesnotes: x", wait_seconds=0.05)
    assert str(caught.value).startswith("clients/Ada.md:0: vault busy: ../.git/index.lock is held")


def test_last_contact_dates_follow_new_commits_and_rewritten_history(tmp_path):
    from salesnotes.git.history import last_contact_dates

    root = tmp_path / "v"
    (root / "clients").mkdir(parents=True)
    note = root / "clients" / "a.md"
    note.write_text("x\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="T",
               GIT_COMMITTER_EMAIL="t@e")

    def git(*args):
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                              text=True, env=env).stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "start")

    def contact(day):
        note.write_text(note.read_text() + day + "\n")
        git("commit", "-qam", f"contact: A (phone)\n\ncall\n\nContact-Date: {day}\nChannel: phone")

    state = root / ".salesnotes" / "git-last.json"
    contact("2026-11-02")
    assert last_contact_dates(root, state) == {"clients/a.md": date(2026, 11, 2)}
    contact("2026-11-20")
    assert last_contact_dates(root, state) == {"clients/a.md": date(2026, 11, 20)}
    git("reset", "-q", "--hard", "HEAD~1")  # history rewritten: the later contact is gone
    assert last_contact_dates(root, state) == {"clients/a.md": date(2026, 11, 2)}
    state.write_text("{broken")
    assert last_contact_dates(root, state) == {"clients/a.md": date(2026, 11, 2)}
