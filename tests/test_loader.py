"""The model reads files and nothing else; the loader above it adds the cache and git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import SPEC_NOTE

from salesnotes.load.vault import load_vault
from salesnotes.model import vault as model


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def commit_contact(root: Path) -> None:
    note = root / "clients" / "Hydro.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n- 2026-11-20 phone: called\n",
                    encoding="utf-8")
    subprocess.run(["git", "commit", "-q", "-a", "-m", "contact: Hydro (phone)",
                    "-m", "Called.", "-m", "Contact-Date: 2026-11-20\nChannel: phone"],
                   cwd=root, check=True, capture_output=True)


def test_the_model_runs_no_git_and_writes_nothing(make_vault, monkeypatch):
    root = make_vault({"clients/Hydro.md": SPEC_NOTE}, git=True)
    commit_contact(root)
    before = snapshot(root)

    def no_git(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError(f"the model ran a process: {args}")

    monkeypatch.setattr(subprocess, "run", no_git)
    monkeypatch.setattr(subprocess, "Popen", no_git)
    vault = model.load_vault(root)
    assert [n.name for n in vault.notes] == ["Hydro-Tech Sp. z o.o."]
    assert vault.git_contacts == {}
    assert snapshot(root) == before


def test_the_loader_adds_git_contacts_and_the_cache_and_gives_the_same_vault(make_vault):
    root = make_vault({"clients/Hydro.md": SPEC_NOTE}, git=True)
    commit_contact(root)
    plain = model.load_vault(root)
    loaded = load_vault(root)
    assert loaded.git_contacts == {"clients/Hydro.md": plain.notes[0].last_contact.replace(day=20)}
    assert (loaded.notes, loaded.problems) == (plain.notes, plain.problems)
    assert (root / ".salesnotes" / "cache.sqlite").is_file()


@pytest.mark.parametrize("strict", [False, True])
def test_check_writes_nothing(make_vault, run, strict):
    root = make_vault({"clients/Hydro.md": SPEC_NOTE,
                       "clients/Broken.md": "---\nname: [\n---\n"}, git=True)
    commit_contact(root)
    before = snapshot(root)
    result = run("check", "--vault", str(root), *(["--strict"] if strict else []))
    assert result.exit_code == 1 and "clients/Broken.md" in result.stderr
    assert snapshot(root) == before
    assert not (root / ".salesnotes").exists()


def test_git_is_started_before_the_notes_are_read_and_always_collected(make_vault, monkeypatch):
    """The contact log's git runs are started first, side by side, and read after the notes
    (they run on the other core meanwhile); a load that fails still collects them."""
    from salesnotes.errors import VaultError
    from salesnotes.git import run as gitrun

    root = make_vault({"clients/Hydro.md": SPEC_NOTE}, git=True)
    commit_contact(root)
    events: list[str] = []
    started: list[subprocess.Popen[str]] = []
    start = gitrun.start

    def recorded_start(*args: object) -> subprocess.Popen[str]:
        events.append("git")
        started.append(start(*args))  # type: ignore[arg-type]
        return started[-1]

    def reader(at: Path, progress: object = None, *, meanwhile: object = None) -> list:
        events.append("notes")
        return model.read_notes(at, meanwhile=meanwhile)  # type: ignore[arg-type]

    monkeypatch.setattr(gitrun, "start", recorded_start)
    loaded = load_vault(root, reader=reader)
    assert events == ["git", "git", "notes"]
    assert loaded.git_contacts == {"clients/Hydro.md": loaded.notes[0].last_contact.replace(day=20)}
    assert all(p.returncode == 0 for p in started)

    started.clear()
    (root / "salesnotes.yaml").write_text("tiers: [\n", encoding="utf-8")
    with pytest.raises(VaultError):
        load_vault(root, reader=reader)
    assert len(started) == 2 and all(p.returncode is not None for p in started)
