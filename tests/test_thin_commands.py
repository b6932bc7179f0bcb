"""`log`, `new` and `init` as the core does them: functions that return what they did, so the
commands only print it (tests/test_architecture.py checks that no command runs git work or
reads the clock or the vault itself)."""

import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import SPEC_NOTE, git_init

from salesnotes.edit.addclient import add_client, commit_added
from salesnotes.edit.newclient import NewClient
from salesnotes.edit.recordcontact import commit_recorded, record_contact
from salesnotes.edit.vaultinit import commit_vault, create_vault, own_repository
from salesnotes.errors import UsageProblem

NOTE = "clients/Hydro-Tech.md"
DAY = date(2026, 11, 27)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def test_a_contact_is_recorded_then_committed_and_each_step_says_what_it_did(make_vault):
    root = make_vault({NOTE: SPEC_NOTE}, git=True)
    done = record_contact(root, "hydro", "Called the buyer", "phone", None, None, today=DAY)
    assert (done.wrote, str(done.note.path), done.contact.when) == (True, NOTE, DAY)
    assert done.commit and done.cadence_days > 0
    assert "- 2026-11-27 phone: Called the buyer" in (root / NOTE).read_text()
    assert git(root, "status", "--short") == f" M {NOTE}\n"  # recorded, not yet committed
    committed = commit_recorded(root, done, today=DAY)
    assert committed.sha == git(root, "rev-parse", "HEAD").strip()
    again = record_contact(root, "hydro", "Called the buyer", "phone", None, None, today=DAY)
    assert again.wrote is False


def test_a_contact_that_cannot_be_true_is_a_usage_problem_at_its_note(make_vault):
    root = make_vault({NOTE: SPEC_NOTE})
    before = (root / NOTE).read_bytes()
    with pytest.raises(UsageProblem) as caught:
        record_contact(root, "hydro", "Later", "phone", date(2026, 12, 1), None, today=DAY)
    assert str(caught.value.problems[0].path) == NOTE
    assert (root / NOTE).read_bytes() == before


def test_a_new_client_is_written_then_committed(make_vault):
    root = make_vault({NOTE: SPEC_NOTE}, git=True)
    added = add_client(root, NewClient("Zakład Serwis", tier="A"), DAY)
    assert added.rel == Path("clients/Zakład Serwis.md") and added.path.is_file()
    assert added.commit
    sha = commit_added(root, added, "Zakład Serwis")
    assert sha == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "show", "--name-only", "--format=", "HEAD").strip() == str(added.rel)


def test_a_new_vault_inside_another_repository_becomes_its_own(tmp_path: Path):
    outer = tmp_path / "project"
    outer.mkdir()
    git_init(outer)
    vault = (outer / "vault").resolve()
    written = create_vault(vault, locale="en", demo=False, today=DAY)
    assert own_repository(vault) == outer.resolve()
    assert own_repository(vault) is None  # its own now
    subprocess.run(["git", "config", "user.name", "Rep"], cwd=vault, check=True)
    subprocess.run(["git", "config", "user.email", "rep@example.com"], cwd=vault, check=True)
    assert commit_vault(vault, written) == ()
    assert git(vault, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(outer, "status", "--porcelain") == "?? vault/\n"  # nothing in the outer one
