"""The right repository and the right content: what a salesnotes commit holds, through the real
CLI and real git. A commit holds salesnotes' change applied to the committed version of the
file; the rep's own uncommitted edits and staged files stay as they were; git variables from the
environment never redirect it; a contact always gets its `contact:` commit, once.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from datetime import date
from pathlib import Path, PurePosixPath

import pytest
from conftest import commits, git_init
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOTE = """---
name: Acme
nip: "5260250274"
tier: A
last_contact: 2026-11-18
---
# Acme

Rep's notes.

## Log
- 2026-11-18 phone: first call
"""
PATH = "clients/Acme.md"
LINE = "- 2026-11-27 phone: Called about Q1"


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, check=True,
                          capture_output=True, text=True, env=env).stdout


def show(root: Path, rev: str, path: str = PATH) -> str:
    return git(root, "show", f"{rev}:{path}")


def log(run, root: Path, *extra: str, text: str = "Called about Q1", env=None):  # noqa: ANN001, ANN201
    return run("log", "acme", text, "--via", "phone", "--vault", str(root), *extra, env=env)


@pytest.fixture
def vault(make_vault) -> Path:  # noqa: ANN001
    return make_vault({PATH: NOTE, "clients/Other.md": "---\nname: Other\n---\n"}, git=True)


def rep_edits(root: Path) -> None:
    """The rep's own work in progress: an uncommitted edit in the note, another file staged."""
    note = root / PATH
    note.write_text(note.read_text().replace("Rep's notes.", "Rep's notes. DRAFT, not ready"))
    (root / "clients/Other.md").write_text("---\nname: Other\n---\nstaged by the rep\n")
    git(root, "add", "clients/Other.md")


# -- what a commit holds --------------------------------------------------------------------


def test_log_commits_only_its_line_and_leaves_the_reps_edits_and_staging(vault, run):
    rep_edits(vault)
    result = log(run, vault)
    assert result.exit_code == 0, result.output
    assert "committed" in result.output

    committed = show(vault, "HEAD")
    assert LINE in committed and "last_contact: 2026-11-27" in committed
    assert "DRAFT" not in committed  # the rep's own edit is not in the contact commit
    assert committed == NOTE.replace("2026-11-18\n---", "2026-11-27\n---").replace(
        "## Log\n", f"## Log\n{LINE}\n")
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split() == [PATH]
    # the rep's index: their staged file still staged, the note's draft still a plain diff
    assert git(vault, "diff", "--cached", "--name-only").split() == ["clients/Other.md"]
    assert git(vault, "show", ":clients/Other.md").endswith("staged by the rep\n")
    diff = git(vault, "diff", "--", PATH)
    assert "+Rep's notes. DRAFT, not ready" in diff and f"+{LINE}" not in diff
    assert "DRAFT" in (vault / PATH).read_text() and LINE in (vault / PATH).read_text()


def test_a_note_the_rep_staged_keeps_their_staged_version_plus_the_line(vault, run):
    note = vault / PATH
    note.write_text(note.read_text().replace("Rep's notes.", "Staged work."))
    git(vault, "add", PATH)
    note.write_text(note.read_text().replace("Staged work.", "Staged work. And more."))
    assert log(run, vault).exit_code == 0
    assert "Staged work" not in show(vault, "HEAD") and LINE in show(vault, "HEAD")
    staged = git(vault, "show", f":{PATH}")
    assert "Staged work.\n" in staged and LINE in staged  # still staged as the rep left it
    assert git(vault, "diff", "--cached", "--name-only").split() == [PATH]
    assert "+Staged work.\n" in git(vault, "diff", "--cached")
    assert f"+{LINE}" not in git(vault, "diff", "--cached")


def test_a_note_new_since_head_is_committed_as_it_is_on_disk(vault, run):
    (vault / "clients/Fresh.md").write_text("---\nname: Fresh Sp. z o.o.\n---\n# Fresh\n")
    result = run("log", "fresh", "First call", "--vault", str(vault))
    assert result.exit_code == 0, result.output
    committed = show(vault, "HEAD", "clients/Fresh.md")
    assert committed == (vault / "clients/Fresh.md").read_text()
    assert "- 2026-11-27 other: First call" in committed
    assert git(vault, "status", "--porcelain") == ""


def test_a_committed_version_that_cannot_take_the_edit_gets_a_contact_commit_alone(vault, run):
    note = vault / PATH
    note.write_text(NOTE.replace("tier: A", "tier: [A"))  # broken YAML, committed
    git(vault, "commit", "-qam", "broken")
    note.write_text(NOTE)  # fixed on disk, not committed yet
    before = git(vault, "rev-parse", "HEAD").strip()
    result = log(run, vault)
    assert result.exit_code == 0, result.output
    assert f"{PATH}:0: its committed version cannot take this change" in result.stderr
    assert git(vault, "rev-parse", "HEAD~1").strip() == before
    assert git(vault, "show", "--name-only", "--format=", "HEAD").strip() == ""  # no file
    assert "Contact-Date: 2026-11-27" in git(vault, "log", "-1", "--format=%B")
    assert LINE in note.read_text() and "tier: A" in note.read_text()  # the edit is kept
    assert "tier: [A" in show(vault, "HEAD")  # nothing of the rep's committed


def test_checklist_apply_commits_only_its_lines_not_the_reps_staged_file(make_vault, run):
    checklist = "# Onboarding\n\n- [ ] Contract signed\n"
    root = make_vault({"templates/checklists/onboarding.md": checklist, PATH: NOTE,
                       "clients/Other.md": "---\nname: Other\n---\n"}, git=True)
    rep_edits(root)
    result = run("checklist", "apply", "onboarding", "acme", "--vault", str(root))
    assert result.exit_code == 0, result.output
    committed = show(root, "HEAD")
    assert "- [ ] Contract signed" in committed and "DRAFT" not in committed
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [PATH]
    assert git(root, "diff", "--cached", "--name-only").split() == ["clients/Other.md"]
    diff = git(root, "diff", "--", PATH)
    assert "+Rep's notes. DRAFT" in diff and "Contract signed" not in diff


def test_review_and_new_leave_the_reps_staging_alone(vault, run):
    rep_edits(vault)
    assert run("new", "Beta Sp. z o.o.", "--vault", str(vault)).exit_code == 0
    assert run("review", "--vault", str(vault)).exit_code in (0, 1)
    assert git(vault, "diff", "--cached", "--name-only").split() == ["clients/Other.md"]
    assert "DRAFT" not in show(vault, "HEAD")
    assert git(vault, "status", "--porcelain", "--", "views", "clients/Beta Sp. z o.o..md") == ""


# -- the right repository -------------------------------------------------------------------


def test_init_inside_another_repository_makes_the_vault_its_own(tmp_path, run):
    outer = tmp_path / "project"
    outer.mkdir()
    git_init(outer)
    (outer / "README.md").write_text("the project\n")
    git(outer, "add", "README.md")
    git(outer, "commit", "-qm", "project")
    result = run("init", str(outer / "demo-vault"), "--locale", "en")
    assert result.exit_code == 0, result.output
    assert "own git repository" in result.output + result.stderr
    assert commits(outer) == 1 and git(outer, "diff", "--cached", "--name-only") == ""
    vault = outer / "demo-vault"
    assert (vault / ".git").is_dir()
    assert git(vault, "rev-parse", "--show-toplevel").strip() == str(vault)
    assert commits(vault) == 1 and git(vault, "status", "--porcelain") == ""


def test_init_in_a_fresh_clone_commits_there(tmp_path, run):
    root = tmp_path / "clone"
    root.mkdir()
    git_init(root)
    result = run("init", str(root), "--locale", "en")
    assert result.exit_code == 0, result.output
    assert "own git repository" not in result.output + result.stderr
    assert commits(root) == 1


@pytest.mark.parametrize("variable", ["GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"])
def test_git_variables_from_the_environment_are_ignored(vault, run, tmp_path, variable):
    other = tmp_path / "other"
    other.mkdir()
    git_init(other)
    (other / "x.md").write_text("x\n")
    git(other, "add", "x.md")
    git(other, "commit", "-qm", "other")
    foreign_index = tmp_path / "foreign-index"
    foreign_index.write_bytes((other / ".git/index").read_bytes())
    value = {"GIT_DIR": str(other / ".git"), "GIT_INDEX_FILE": str(foreign_index),
             "GIT_WORK_TREE": str(other)}[variable]
    before = commits(vault)
    result = log(run, vault, env={variable: value, "GIT_OBJECT_DIRECTORY": str(tmp_path / "no"),
                                  "GIT_CEILING_DIRECTORIES": str(vault.parent)})
    assert result.exit_code == 0, result.output
    assert commits(vault) == before + 1 and LINE in show(vault, "HEAD")
    assert commits(other) == 1 and git(other, "status", "--porcelain") == ""
    assert foreign_index.read_bytes() == (other / ".git/index").read_bytes()
    assert git(vault, "status", "--porcelain") == ""


def test_a_commit_goes_to_the_current_branch(vault, run):
    git(vault, "switch", "-q", "-c", "autumn")
    main = git(vault, "rev-parse", "main").strip()
    assert log(run, vault).exit_code == 0
    assert git(vault, "rev-parse", "main").strip() == main
    assert LINE in show(vault, "autumn")
    reflog = git(vault, "reflog", "-1", "--format=%gs", "autumn")
    assert reflog.startswith("commit: contact: Acme (phone)")


def test_an_unborn_head_gets_a_first_commit_of_the_note_alone(make_vault, run):
    root = make_vault({PATH: NOTE, "clients/Other.md": "---\nname: Other\n---\n"})
    git_init(root)
    result = log(run, root)
    assert result.exit_code == 0, result.output
    assert commits(root) == 1
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [PATH]
    assert git(root, "status", "--porcelain", "--", PATH) == ""


# -- another tool commits first: Obsidian Git ------------------------------------------------


def obsidian_git(tmp_path: Path, vault: Path, *, when: str) -> dict[str, str]:
    """A `git` on PATH that, like Obsidian Git's auto-commit, commits everything (`add -A`) once:
    as soon as the note holds the new line (`when="written"`), or just as salesnotes is about to
    commit (`when="commit-tree"`, so its branch moves under it)."""
    real = shutil.which("git")
    assert real
    bin_dir = tmp_path / "obsidian-bin"
    bin_dir.mkdir()
    flag = tmp_path / "obsidian-committed"
    trigger = ('case " $* " in *" commit-tree "*) go=1;; *) go=0;; esac' if when == "commit-tree"
               else f'go=0; grep -q "Called about Q1" "{vault / PATH}" && go=1')
    script = bin_dir / "git"
    script.write_text(f"""#!/bin/sh
{trigger}
if [ "$go" = 1 ] && [ ! -e "{flag}" ]; then
  touch "{flag}"
  (cd "{vault}" && "{real}" add -A && "{real}" commit -qm "vault backup") >/dev/null 2>&1
fi
exec "{real}" "$@"
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    import os

    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "OBSIDIAN_FLAG": str(flag)}


@pytest.mark.parametrize("when", ["written", "commit-tree"])
def test_a_contact_committed_first_by_obsidian_git_still_gets_its_contact_commit(
        vault, run, tmp_path, when):
    rep_edits(vault)
    env = obsidian_git(tmp_path, vault, when=when)
    result = log(run, vault, env=env)
    assert result.exit_code == 0, result.output
    assert Path(env["OBSIDIAN_FLAG"]).exists()  # the other tool did commit in between
    subjects = git(vault, "log", "--format=%s").splitlines()
    assert subjects[:2] == ["contact: Acme (phone)", "vault backup"]
    assert git(vault, "show", "--name-only", "--format=", "HEAD").strip() == ""  # empty commit
    contacts = git(vault, "log", "--grep", "^contact:", "--format=%(trailers:key=Contact-Date,"
                                                       "valueonly)%(trailers:key=Channel,valueonly)")
    assert contacts.split() == ["2026-11-27", "phone"]
    assert show(vault, "HEAD").count(LINE) == 1
    assert (vault / PATH).read_text().count(LINE) == 1
    assert git(vault, "status", "--porcelain") == ""


# -- retries --------------------------------------------------------------------------------


class InstantClock:
    """gitlog's `time` with sleeps that cost nothing: a held lock is given up on at once."""

    now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_retry_after_saved_not_committed_adds_nothing_and_commits(vault, run, monkeypatch):
    from salesnotes.git import gitlog

    lock = vault / ".git/index.lock"
    lock.write_text("")
    with monkeypatch.context() as patched:
        patched.setattr(gitlog, "time", InstantClock())
        first = log(run, vault)
    lock.unlink()
    assert first.exit_code == 75, first.output
    assert "saved but not committed" in first.stderr
    assert commits(vault) == 1 and (vault / PATH).read_text().count(LINE) == 1

    again = log(run, vault)
    assert again.exit_code == 0, again.output
    assert "already in the note" in again.output and "committed" in again.output
    assert (vault / PATH).read_text().count(LINE) == 1
    assert commits(vault) == 2 and show(vault, "HEAD").count(LINE) == 1
    assert git(vault, "status", "--porcelain") == ""

    third = log(run, vault)  # once more, everything already done: no second contact commit
    assert third.exit_code == 0 and "already committed" in third.output
    assert commits(vault) == 2


def test_the_same_text_on_another_day_is_a_new_contact(vault, run):
    assert log(run, vault).exit_code == 0
    assert run("log", "acme", "Called about Q1", "--via", "phone", "--date", "2026-11-26",
               "--vault", str(vault)).exit_code == 0
    text = (vault / PATH).read_text()
    assert LINE in text and "- 2026-11-26 phone: Called about Q1" in text
    assert commits(vault) == 3


SALES = ("Data;Numer;NIP;Kontrahent;Wartość netto\n"
         "2026-03-05;FV/1/03/2026;526-025-02-74;Acme;1 000,00\n"
         "2026-04-02;FV/2/04/2026;526-025-02-74;Acme;250,50\n")


def import_while_git_is_busy(run, vault: Path, source: Path, monkeypatch):  # noqa: ANN001, ANN201
    from salesnotes.git import gitlog

    (vault / ".git/index.lock").write_text("")
    with monkeypatch.context() as patched:
        patched.setattr(gitlog, "time", InstantClock())
        result = run("import", "sales", str(source), "--vault", str(vault))
    (vault / ".git/index.lock").unlink()
    return result


def test_a_reimport_commits_the_ledger_a_first_run_left_uncommitted(vault, run, tmp_path,
                                                                    monkeypatch):
    source = tmp_path / "sprzedaz.csv"
    source.write_text(SALES, encoding="utf-8")
    first = import_while_git_is_busy(run, vault, source, monkeypatch)
    assert first.exit_code == 75, first.output
    assert (vault / "sales/2026-03.csv").is_file() and commits(vault) == 1

    again = run("import", "sales", str(source), "--vault", str(vault))
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output and "committed" in again.output
    assert commits(vault) == 2
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split() == [
        "sales/2026-03.csv", "sales/2026-04.csv"]
    assert git(vault, "status", "--porcelain") == ""

    third = run("import", "sales", str(source), "--vault", str(vault))
    assert third.exit_code == 0 and commits(vault) == 2


def test_a_reimport_leaves_a_ledger_month_edited_by_hand_uncommitted(vault, run, tmp_path,
                                                                     monkeypatch):
    source = tmp_path / "sprzedaz.csv"
    source.write_text(SALES, encoding="utf-8")
    assert import_while_git_is_busy(run, vault, source, monkeypatch).exit_code == 75
    march = vault / "sales/2026-03.csv"
    march.write_bytes(march.read_bytes().replace(b"\n", b"\r\n"))  # saved by a spreadsheet
    result = run("import", "sales", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.output
    assert git(vault, "show", "--name-only", "--format=", "HEAD").split() == [
        "sales/2026-04.csv"]
    assert git(vault, "status", "--porcelain") == "?? sales/2026-03.csv\n"


def test_import_clients_commits_its_values_not_the_reps_draft(vault, run, tmp_path):
    rep_edits(vault)
    source = tmp_path / "klienci.csv"
    source.write_text("NIP,Nazwa,Segment,Miasto\n526-025-02-74,Acme,B,Kraków\n", encoding="utf-8")
    result = run("import", "clients", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.output
    committed = show(vault, "HEAD")
    assert "tier: B" in committed and "region: Kraków" in committed
    assert "DRAFT" not in committed
    assert git(vault, "diff", "--cached", "--name-only").split() == ["clients/Other.md"]
    assert "+Rep's notes. DRAFT" in git(vault, "diff", "--", PATH)


CLIENTS = ("NIP,Nazwa,Segment,Miasto\n526-025-02-74,Acme,B,Kraków\n"
           "123-456-32-18,Beta Sp. z o.o.,C,Tarnów\n")


def test_a_reimport_of_clients_commits_the_notes_a_first_run_left_uncommitted(
        vault, run, tmp_path, monkeypatch):
    """Git busy at the first run: the notes are written (one updated, one created) and the
    run says "saved, not committed". The re-run changes nothing and commits them: the updated
    note as its committed version with the file's values (the rep's draft stays out, their
    staged file stays staged), the created one whole; a third run has nothing to commit."""
    from salesnotes.git import gitlog

    rep_edits(vault)
    source = tmp_path / "klienci.csv"
    source.write_text(CLIENTS, encoding="utf-8")
    (vault / ".git/index.lock").write_text("")
    with monkeypatch.context() as patched:
        patched.setattr(gitlog, "time", InstantClock())
        first = run("import", "clients", str(source), "--vault", str(vault))
    (vault / ".git/index.lock").unlink()
    assert first.exit_code == 75, first.output
    assert "saved but not committed" in first.stderr
    beta = next(p for p in (vault / "clients").glob("*.md") if p.name.startswith("Beta"))
    assert "tier: B" in (vault / PATH).read_text() and commits(vault) == 1

    again = run("import", "clients", str(source), "--vault", str(vault))
    assert again.exit_code == 0, again.output
    assert "committed" in again.output
    assert commits(vault) == 2
    rel = beta.relative_to(vault).as_posix()
    assert sorted(git(vault, "show", "--name-only", "--format=", "HEAD").split("\n")[:-1]) == \
        sorted([PATH, rel])
    committed = show(vault, "HEAD")
    assert "tier: B" in committed and "region: Kraków" in committed and "DRAFT" not in committed
    assert show(vault, "HEAD", rel) == beta.read_text()
    assert git(vault, "diff", "--cached", "--name-only").split() == ["clients/Other.md"]
    assert "+Rep's notes. DRAFT" in git(vault, "diff", "--", PATH)

    third = run("import", "clients", str(source), "--vault", str(vault))
    assert third.exit_code == 0, third.output
    assert commits(vault) == 2


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.integers(min_value=7, max_value=12),
       draft=st.text(alphabet="abcżółć #-*[]:", min_size=1, max_size=30).map(str.strip)
       .filter(lambda t: t and not t.startswith(("#", "-", "*", "<", ">"))))
def test_any_uncommitted_line_of_the_rep_stays_out_of_the_contact_commit(tmp_path_factory, at,
                                                                          draft):
    from salesnotes.edit import contactlog
    from salesnotes.read.note import read_note

    root = tmp_path_factory.mktemp("v")
    (root / "clients").mkdir()
    (root / PATH).write_text(NOTE)
    git_init(root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    lines = NOTE.split("\n")
    lines.insert(at, draft)  # anywhere in the body, before or after the log
    (root / PATH).write_text("\n".join(lines))
    note = read_note(PurePosixPath(PATH), (root / PATH).read_bytes()).note
    assert note is not None
    contact = contactlog.make_contact("Called about Q1", "phone", date(2026, 11, 27), None)
    contactlog.log_contact(root, note, contact)
    done = contactlog.commit_contact(root, note, contact)
    assert done.sha and not done.kept_back and not done.empty
    committed = show(root, "HEAD")
    assert draft not in committed.split("\n") and committed.count(LINE) == 1
    added = [ln[1:] for ln in git(root, "diff", "-U0", "HEAD").splitlines()
             if ln.startswith("+") and not ln.startswith("+++")]
    assert added == [draft]  # what is left uncommitted is exactly the rep's own line


def test_the_pre_commit_hook_checks_exactly_what_the_commit_holds(vault, run):
    assert run("hook", "install", "--vault", str(vault)).exit_code == 0
    (vault / "clients/Other.md").write_text("---\nname: [broken\n---\n")  # the rep's, staged
    git(vault, "add", "clients/Other.md")
    result = log(run, vault)  # the hook sees the commit's own index: Acme's line, not Other
    assert result.exit_code == 0, result.output
    assert LINE in show(vault, "HEAD")
    assert git(vault, "diff", "--cached", "--name-only").split() == ["clients/Other.md"]

    (vault / "clients/Fresh.md").write_text("---\nname: Fresh\nnip: \"1234567890\"\n---\n")
    refused = run("log", "fresh", "First call", "--vault", str(vault))
    assert refused.exit_code == 1, refused.output
    assert "pre-commit hook says" in refused.stderr and "saved but not committed" in refused.stderr
    assert "First call" in (vault / "clients/Fresh.md").read_text()
    assert git(vault, "log", "-1", "--format=%s").startswith("contact: Acme")


def test_a_vault_kept_in_a_folder_of_a_larger_repository(tmp_path, run):
    top = tmp_path / "dotfiles"
    vault = top / "sales vault"
    (vault / "clients").mkdir(parents=True)
    (vault / "salesnotes.yaml").write_text("owner: Jan\nlocale: en\n")
    (vault / PATH).write_text(NOTE)
    (top / "bashrc").write_text("alias ll='ls -l'\n")
    git_init(top)
    git(top, "add", "-A")
    git(top, "commit", "-qm", "start")
    rep_edits(vault)
    result = log(run, vault)
    assert result.exit_code == 0, result.output
    assert git(top, "show", "--name-only", "--format=", "HEAD").split("\n")[:-1] == [
        f"sales vault/{PATH}"]
    assert "DRAFT" not in show(top, "HEAD", f"sales vault/{PATH}")
    assert git(top, "diff", "--cached", "--name-only").split("\n")[:-1] == [
        "sales vault/clients/Other.md"]
    assert git(top, "status", "--porcelain", "--", f"sales vault/{PATH}") == (
        f' M "sales vault/{PATH}"\n')


def test_init_with_git_dir_in_the_environment_makes_and_commits_its_own(tmp_path, run):
    other = tmp_path / "other"
    other.mkdir()
    git_init(other)
    result = run("init", str(tmp_path / "v"), "--locale", "en",
                 env={"GIT_DIR": str(other / ".git"), "GIT_WORK_TREE": str(other)})
    assert result.exit_code == 0, result.output
    assert commits(tmp_path / "v") == 1
    assert subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=other,
                          capture_output=True).returncode != 0  # still no commit there


def test_an_index_held_after_the_commit_is_said_not_hidden(vault, run, tmp_path, monkeypatch):
    from salesnotes.git import gitlog, repindex

    real = shutil.which("git")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "git"
    script.write_text(f"""#!/bin/sh
case " $* " in *" update-index "*) touch "{vault}/.git/index.lock";; esac
exec "{real}" "$@"
""")
    script.chmod(0o755)
    import os

    monkeypatch.setattr(repindex, "_WAIT", 0.1)
    monkeypatch.setattr(gitlog, "time", InstantClock())
    result = log(run, vault, env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    (vault / ".git/index.lock").unlink()
    assert result.exit_code == 0, result.output
    assert "committed" in result.output and LINE in show(vault, "HEAD")
    assert "git's index could not follow" in result.stderr
    assert f"git reset -q -- '{PATH}'" in result.stderr
    git(vault, "reset", "-q", "--", PATH)  # what the message says to do
    assert git(vault, "status", "--porcelain") == ""


def test_a_damaged_repository_is_a_message_not_an_internal_error(vault, run):
    tree = git(vault, "rev-parse", "HEAD^{tree}").strip()
    obj = vault / ".git/objects" / tree[:2] / tree[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"not a git object")
    result = log(run, vault)
    assert result.exit_code == 1, result.output
    assert "git failed" in result.stderr and "saved but not committed" in result.stderr
    assert LINE in (vault / PATH).read_text()


def test_import_clients_says_which_note_its_commit_had_to_leave_out(vault, run, tmp_path):
    note = vault / PATH
    note.write_text(NOTE.replace("tier: A", "tier: [A"))  # broken YAML, committed
    git(vault, "commit", "-qam", "broken")
    note.write_text(NOTE)  # fixed on disk, not committed
    source = tmp_path / "klienci.csv"
    source.write_text("NIP,Nazwa,Miasto\n526-025-02-74,Acme,Kraków\n", encoding="utf-8")
    result = run("import", "clients", str(source), "--vault", str(vault))
    assert result.exit_code == 0, result.output
    assert f"note: {PATH}:0: its committed version cannot take this change" in result.stderr
    assert "region: Kraków" in note.read_text()
    assert "tier: [A" in show(vault, "HEAD")
