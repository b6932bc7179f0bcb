"""`salesnotes new`: one client note from the vault's template, under a safe file name.

Refuses a duplicate name (case- and NFC-insensitively, as macOS and Windows would collide) or a
duplicate NIP, naming the note that already holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath

from salesnotes.edit.templates import template_files
from salesnotes.edit.yamltext import yaml_str
from salesnotes.errors import Problem, Refused, UsageProblem, VaultError, saying
from salesnotes.i18n import Said
from salesnotes.model.config import STATUSES, Config
from salesnotes.model.vault import CLIENTS, Vault
from salesnotes.read.fields import parse_nip
from salesnotes.read.names import InvalidName, NameTaken, client_path, name_key
from salesnotes.read.notefile import MAX_NOTE_BYTES
from salesnotes.sandbox import TemplateLimit, render_limited
from salesnotes.views.engine import _budgeted_range, limited_environment

TEMPLATE = PurePosixPath("templates/client.md")
_LONE_CR = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class NewClient:
    name: str
    nip: str | None = None
    tier: str | None = None
    status: str = "active"
    region: str | None = None
    extra: tuple[tuple[str, object], ...] = ()  # more front-matter keys, e.g. from an import


def plan_note(vault: Vault, client: NewClient, today: date,
              taken_names: dict[str, str] | None = None, taken_nips: dict[str, str] | None = None,
              existing_files: dict[str, str] | None = None) -> tuple[Path, bytes]:
    """Where the note goes and its bytes; raises UsageProblem when it must not be created.

    A bulk caller (an import) passes what it has already planned as taken, and the file names
    of the clients folder once, so planning 5,000 notes stays linear.
    """
    cfg = vault.config
    nip = _nip(client.nip)
    tier = client.tier or cfg.default_tier
    if tier not in cfg.tiers:
        _refuse(Said("err_unknown_tier", tier=tier, known=", ".join(cfg.tiers)))
    if client.status not in STATUSES:
        _refuse(Said("err_unknown_status", status=client.status, known=", ".join(STATUSES)))
    nips = taken_nips if taken_nips is not None else {n.nip: str(n.path) for n in vault.notes
                                                      if n.nip}
    if nip and nip in nips:
        _refuse(Said("err_nip_taken", nip=nip, path=nips[nip]))
    names = taken_names if taken_names is not None else {name_key(n.name): str(n.path)
                                                          for n in vault.notes}
    if name_key(client.name) in names:
        _refuse(Said("err_name_taken", name=repr(client.name),
                     path=names[name_key(client.name)]))
    clients = vault.root / CLIENTS
    existing: Iterable[str] | Mapping[str, str]
    if existing_files is not None:
        existing = existing_files
    else:
        existing = [p.name for p in clients.rglob("*.md")] if clients.is_dir() else []
    try:
        path = client_path(clients, client.name, existing)
    except (InvalidName, NameTaken) as e:
        _refuse(e.said)
    text = render_note(vault.root, cfg, client, nip, tier, today)
    return path, text.encode("utf-8")


def render_note(root: Path, cfg: Config, client: NewClient, nip: str | None, tier: str,
                today: date) -> str:
    # jinja2 only when a template is rendered (not for log, status or check)
    from jinja2 import TemplateError

    source = root / TEMPLATE
    if source.is_file():
        text = source.read_text(encoding="utf-8")
    else:
        text = _builtin_template(cfg.locale)

    try:
        template = _compiled(text)
        template.environment.globals["range"] = _budgeted_range()  # a fresh budget per note
        text = render_limited(template, dict(
            name=client.name, nip=nip or "", tier=tier, status=client.status,
            region=client.region or "", today=today.isoformat(), extra=dict(client.extra)),
            max_output=MAX_NOTE_BYTES)
    except TemplateLimit as e:
        raise VaultError(saying(TEMPLATE, e.line, Said("err_tpl_no_note", message=e.said))
                         ) from None
    except TemplateError as e:
        raise VaultError(saying(TEMPLATE, _line(e), Said("err_tpl", why=str(e)))) from None
    # A CR typed in a name would be a lone CR wherever the template shows the name: a note
    # whose line endings no edit could keep. It becomes a space, as in the note's file name.
    return _LONE_CR.sub(" ", text)


@lru_cache(maxsize=2)
def _builtin_template(locale: str) -> str:
    return template_files(locale)[str(TEMPLATE)].decode("utf-8")


@lru_cache(maxsize=4)
def _compiled(text: str):  # noqa: ANN202 - a jinja2 Template
    """The client template compiled once per text (an import renders thousands of notes)."""
    # jinja2 only when a template is rendered (not for log, status or check)
    from jinja2 import StrictUndefined


    env = limited_environment(undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["yaml_str"] = yaml_str
    return env.from_string(text)


def _line(e: Exception) -> int:
    """The template line of an error jinja raised while rendering (its rewritten traceback
    points into the template), or of a syntax error."""
    line = getattr(e, "lineno", 0) or 0
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _nip(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return parse_nip(text)
    except Refused as e:
        _refuse(e.said)
    return None  # pragma: no cover


def _refuse(message: str | Said) -> None:
    if isinstance(message, str):
        raise UsageProblem(Problem(PurePosixPath(CLIENTS), 0, message))
    raise UsageProblem(saying(CLIENTS, 0, message))
