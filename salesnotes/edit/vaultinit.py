"""A new vault from `vault_template/`: the shared files, then the chosen language laid over them.

`salesnotes init` must never damage an existing folder: it refuses a vault or a folder with
content, and creates every file exclusively, so nothing that exists is ever overwritten. It returns
the paths it wrote so the caller commits exactly those (never `git add -A`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path, PurePosixPath

from salesnotes.edit.demo import demo_files
from salesnotes.edit.templates import LOCALES, template_files
from salesnotes.errors import UsageProblem, problem, said

CONFIG = "salesnotes.yaml"
# A folder holding only these still counts as empty (a fresh clone, an Obsidian vault just made).
IGNORABLE = {".git", ".obsidian", ".DS_Store"}
# Obsidian keeps one type per property name for the whole vault and otherwise guesses it from the
# first note it sees (a NIP of digits becomes a number); a new vault says what each key is.
OBSIDIAN_TYPES = {
    "name": "text", "nip": "text", "vat_id": "text", "tier": "text", "status": "text",
    "region": "text", "potential": "number", "budget": "number", "last_contact": "date",
    "next_contact": "date", "next_step": "text", "competitor": "text", "checklists": "multitext",
    "owner": "text", "branch": "text", "group": "text", "phone": "text", "email": "text",
    "tags": "tags", "aliases": "aliases",
}


def create_vault(target: Path, *, locale: str, demo: bool, today: date) -> list[Path]:
    """Write a new vault into `target`; returns the written files, for the caller's commit."""
    if locale not in LOCALES:
        message = f"unknown locale {locale!r} (known: {', '.join(LOCALES)})"
        raise UsageProblem(problem(target, 0, message))
    _refuse_existing(target)
    files = template_files(locale)
    if demo:
        files.update({rel: text.encode("utf-8") for rel, text in demo_files(today, locale).items()})
    if not (target / ".obsidian").exists():  # the rep's own Obsidian settings are theirs
        files[".obsidian/types.json"] = obsidian_types()
    return [_create(target, rel, data) for rel, data in sorted(files.items())]


def obsidian_types() -> bytes:
    """`.obsidian/types.json` as Obsidian writes it: `{"types": {key: type}}`."""
    return (json.dumps({"types": OBSIDIAN_TYPES}, indent=2) + "\n").encode("utf-8")


def _refuse_existing(target: Path) -> None:
    if (target / CONFIG).exists():
        raise UsageProblem(said(target / CONFIG, 0, "err_vault_exists"))
    if target.exists() and not target.is_dir():
        raise UsageProblem(said(target, 0, "err_not_a_folder"))
    if target.is_dir():
        extra = sorted(p.name for p in target.iterdir() if p.name not in IGNORABLE)
        if extra:
            shown = ", ".join(extra[:5]) + (", ..." if len(extra) > 5 else "")
            raise UsageProblem(said(target, 0, "err_folder_not_empty", files=shown))


def _create(target: Path, rel: str, data: bytes) -> Path:
    """Exclusive create: a file that appeared meanwhile is reported, never overwritten."""
    path = target.joinpath(*PurePosixPath(rel).parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("xb") as out:
            out.write(data)
    except FileExistsError:
        raise UsageProblem(said(path, 0, "err_exists_not_overwritten")) from None
    return path
