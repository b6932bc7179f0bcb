"""A new vault from `vault_template/`: the shared files, then the chosen language laid over them.

`salesnotes init` must never damage an existing folder: it refuses a vault or a folder with
content, and creates every file exclusively, so nothing that exists is ever overwritten. It returns
the paths it wrote so that `commit_vault` commits exactly those (never `git add -A`), in the
vault's own repository (`own_repository`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path, PurePosixPath

from salesnotes.edit.demo import demo_files
from salesnotes.edit.templates import LOCALES, template_files
from salesnotes.errors import Problem, UsageProblem, VaultError, said
from salesnotes.git import gitlog

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
        raise UsageProblem(said(target, 0, "err_unknown_locale", locale=repr(locale),
                                known=", ".join(LOCALES)))
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


def own_repository(directory: Path) -> Path | None:
    """Make the vault its own repository when there is none, or when the folder sits inside
    another one (a clone of a project, a dotfiles repository), so that no commit of the vault
    ever lands in a repository that is not the vault's. The other repository's top folder
    when the vault sits inside one, else None."""
    outer = gitlog.find_repo(directory)
    if outer is not None and outer.top.resolve() == directory:
        return None
    gitlog.init_repo(directory)
    own = gitlog.find_repo(directory)
    if own is None or own.top.resolve() != directory:
        raise VaultError(said(".", 0, "err_init_no_own_repo"))
    return outer.top if outer is not None else None


def commit_vault(directory: Path, written: list[Path]) -> tuple[Problem, ...]:
    """The new vault's first commit; without a git identity it is made as salesnotes, and
    the returned problems say how to set one."""
    try:
        gitlog.commit_paths(directory, written, "salesnotes: new vault")
    except gitlog.GitIdentityMissing as e:
        gitlog.commit_paths(directory, written, "salesnotes: new vault", fallback_identity=True)
        return e.problems
    return ()
