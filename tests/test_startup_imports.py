"""What a command must not pay for at start-up: `--help` parses nothing, and a Monday review
with nothing changed imports neither the model, the views nor jinja (they are imported where a
review renders; see `salesnotes/review.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def _loaded(args: list[str]) -> set[str]:
    script = ("import sys\nfrom salesnotes.cli import cli\n"
              f"try:\n    cli({args!r}, standalone_mode=False)\n"
              "finally:\n    print(' '.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return set(done.stdout.split())


def _babel_locales_loaded(args: list[str]) -> list[str]:
    """The locales whose data babel loaded (its own cache of them) while the command ran."""
    script = ("import sys\nfrom salesnotes.cli import cli\n"
              f"try:\n    cli({args!r}, standalone_mode=False)\n"
              "finally:\n    data = sys.modules.get('babel.localedata')\n"
              "    print('\\nloaded:', *sorted(getattr(data, '_cache', {})))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return done.stdout.rsplit("\nloaded:", 1)[1].split()


def _age(root: Path) -> None:
    """An hour old, so the review state trusts the files' stats (no racy save)."""
    past = time.time() - 3600
    for folder, _, files in os.walk(root):
        if ".git" in folder or ".salesnotes" in folder:
            continue
        for name in files:
            os.utime(Path(folder, name), (past, past))


def test_help_imports_no_parser() -> None:
    loaded = _loaded(["--help"])
    assert "salesnotes.cli" in loaded
    assert loaded & {"salesnotes.read.body", "salesnotes.read.fields", "yaml", "jinja2"} == set()


def test_a_status_with_nothing_changed_reads_no_yaml_and_loads_no_model(tmp_path: Path) -> None:
    """A second `status` prints the rows it remembered: it reads neither salesnotes.yaml nor
    a catalog (no PyYAML), and loads neither the model, the note cache, the committer nor the
    note writer."""
    root = tmp_path / "vault"
    args = ["--vault", str(root), "status", "--today", "2026-11-30"]
    _loaded(["init", str(root), "--demo", "--locale", "en"])
    _age(root)
    first = _loaded(args)
    assert "salesnotes.load.vault" in first and "yaml" in first  # the first status computes
    again = _loaded(args)
    assert "salesnotes.local.reviewstate" in again
    assert again & {"yaml", "salesnotes.model.config", "salesnotes.read.note",
                    "salesnotes.load.vault", "salesnotes.model.vault", "salesnotes.model.breath",
                    "salesnotes.local.cache", "pickle", "sqlite3", "salesnotes.git.gitlog",
                    "salesnotes.edit.files", "tempfile"} == set()


def test_a_review_with_nothing_changed_imports_no_model_views_lock_library_or_committer(
        tmp_path: Path) -> None:
    """The first review renders; the second, with nothing changed, imports neither the model,
    the views nor jinja (they are imported where a review renders; see `salesnotes/review.py`).
    Its vault lock is flock(2) itself (filelock's import is a tenth of a warm review), a
    `--no-commit` review runs no git beyond HEAD, and its summary needs no note reader and no
    babel locale data (the money at stake is remembered as written, plurals come by the
    catalog's CLDR rules)."""
    root = tmp_path / "vault"
    args = ["--vault", str(root), "review", "--no-commit", "--today", "2026-11-30"]
    _loaded(["init", str(root), "--demo", "--locale", "en"])
    _age(root)
    first = _loaded(args)
    assert "jinja2" in first and "salesnotes.views" in first  # the first review renders
    again = _loaded(args)
    assert "salesnotes.local.reviewstate" in again and "salesnotes.local.lock" in again
    assert again & {"jinja2", "salesnotes.views", "salesnotes.load.vault",
                    "salesnotes.model.portfolio", "filelock", "salesnotes.git.gitlog",
                    "tempfile", "salesnotes.read.note", "salesnotes.edit.files", "sqlite3",
                    "babel.numbers", "babel.dates"} == set()
    assert _babel_locales_loaded(args) == []


def test_log_by_nip_without_a_commit_imports_no_stdnum_lock_library_or_tempfile(
        tmp_path: Path) -> None:
    """`log` after every call: the NIP typed and the note's own are vouched for by the
    who-is-who index (python-stdnum checked them when the rows were made), the vault lock is
    flock(2), the note's temp file is made without tempfile; no pickle, no committer; and a
    plainly written note is edited without ruamel.yaml (tests/test_edit_plain.py)."""
    root = tmp_path / "vault"
    _loaded(["init", str(root), "--demo", "--locale", "en"])
    _age(root)
    note = next(p for p in sorted((root / "clients").rglob("*.md"))
                if "\nnip:" in p.read_text(encoding="utf-8"))
    nip = next(line.split(":", 1)[1].strip().strip("'\"")
               for line in note.read_text(encoding="utf-8").split("\n")
               if line.startswith("nip:"))
    args = ["--vault", str(root), "log", nip, "Called", "--via", "phone", "--no-commit",
            "--today", "2026-11-30"]
    assert "stdnum" in _loaded(args)  # the first index checks every note's NIP
    again = _loaded([*args[:4], "Called again", *args[5:]])
    assert "salesnotes.local.lookupindex" in again and "salesnotes.edit.editor" in again
    assert again & {"stdnum", "filelock", "tempfile", "pickle", "salesnotes.git.gitlog",
                    "salesnotes.load.vault", "ruamel.yaml"} == set()
    assert note.read_text(encoding="utf-8").count("phone: Called") == 2
