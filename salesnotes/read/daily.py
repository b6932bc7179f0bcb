"""Daily notes: a `YYYY-MM-DD.md` linking to a client is a contact with it on that date.

Obsidian users write "called [[Hydro-Tech]]" in the day's note (the Personal CRM plugin counts
that); it is a contact like a `## Log` line. A link in an unchecked task line (`- [ ] call
[[Hydro-Tech]]`) is a plan, not a contact; a link in a code block or an HTML comment is no link.
This module only reads: which notes are daily notes, and the link targets of one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import unquote

DAILY_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.md$")
_WIKI = re.compile(r"!?\[\[([^\]|#^\n]+)(?:[#^][^\]|\n]*)?(?:\|[^\]\n]*)?\]\]")
_MARKDOWN = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)>\s]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(.)\]")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->|%%.*?%%", re.S)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[.\]\s+)?")


def daily_date(name: str) -> date | None:
    """The date a file name like `2026-11-28.md` stands for, else None."""
    m = DAILY_NAME.match(name)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def link_targets(text: str) -> list[tuple[str, str]]:
    """(target as written, the line's text) for every note a contact line links to, in order,
    each target once: a file name or path, `.md` optional."""
    found: dict[str, str] = {}
    fenced = False
    for line in _COMMENT.sub("", text).splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or _is_plan(line):
            continue
        targets = [m[1].strip() for m in _WIKI.finditer(line)]
        for m in _MARKDOWN.finditer(line):
            target = unquote(m[1])
            if "://" not in target and not target.startswith(("mailto:", "tel:", "#")):
                targets.append(target.split("#", 1)[0])
        said = _LIST_MARK.sub("", line).strip()
        for target in targets:
            if target:
                found.setdefault(target, said)
    return list(found.items())


def _is_plan(line: str) -> bool:
    """An unchecked task (`[ ]`) or any other not-done box (`[-]` cancelled, `[>]` moved)."""
    m = _TASK.match(line)
    return m is not None and m[1] not in "xX"


def target_keys(target: str) -> tuple[str, str]:
    """(folded path without `.md`, folded file stem) of a link target, to match notes by."""
    path = " ".join(unicodedata.normalize("NFC", target.replace("\\", "/")).casefold().split())
    while path.startswith(("./", "../")):
        path = path.split("/", 1)[1]
    path = path.lstrip("/")
    if path.endswith(".md"):
        path = path[:-3]
    return path, path.rsplit("/", 1)[-1]
