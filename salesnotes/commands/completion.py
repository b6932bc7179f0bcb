"""Shell completion of CLIENT: the client names the typed words would find.

Completion runs on every Tab, before any command: it must be quick and must never print a
traceback into the rep's shell, so any trouble (no vault yet, a broken note) offers nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.shell_completion import CompletionItem


def complete_client(ctx: click.Context, param: click.Parameter,
                    incomplete: str) -> list[CompletionItem]:
    """Names of the clients whose words start with what is typed so far (any order)."""
    # imported when the command runs: --help imports every command module
    from salesnotes.local.lookupindex import who_is_who
    from salesnotes.model.lookup import matches, typed_words
    from salesnotes.model.where import find_root

    try:
        given = ctx.find_root().meta.get("salesnotes.vault")
        root = find_root(given, os.environ.get("SALESNOTES_VAULT") or None, Path.cwd())
        index = who_is_who(root)
        if index is None:
            return []
        with index:
            people = index.everyone()
    except Exception:  # noqa: BLE001 - completion offers nothing rather than a traceback
        return []
    typed = typed_words(incomplete)
    names = sorted({w.name for w in people if matches(typed, w)})
    return [CompletionItem(n, help=None) for n in names]
