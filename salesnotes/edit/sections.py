"""Where new lines go in a note's markdown body: under a heading, as a new section, or at the end.

The body is the rep's own writing, so an edit only ever *adds* whole lines (ARCHITECTURE.md,
section 4) and must put them where a reader expects them: a log entry first in its section's list,
a new section before `## Log`. Headings are ATX headings outside fenced code (a `# comment` in a
code block is not a section), matched case-insensitively; nothing is ever added after an
unclosed fence, where it would become code. These functions only compute an `Insertion`; the
note text applies it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from salesnotes.errors import Refused
from salesnotes.i18n import Said
from salesnotes.read.notefile import check_text

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")


@dataclass
class Outline:
    """Fenced lines, ATX headings (index, level) and an unclosed fence's start, if any."""

    fenced: list[bool] = field(default_factory=list)
    headings: list[tuple[int, int]] = field(default_factory=list)
    open_fence: int | None = None


class Insertion(NamedTuple):
    """New body lines: before body index `at`, or (`at` None) as a block after the body."""

    at: int | None
    lines: list[str]
    open_fence: int | None  # body index of an unclosed fence: nothing may go after it


def outline(lines: Sequence[str]) -> Outline:
    out = Outline()
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        m = _FENCE.fullmatch(line)
        if fence is not None:
            out.fenced.append(True)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1] and not m.group(
                2
            ).strip():
                fence = None
            continue
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = (m.group(1)[0], len(m.group(1)))
            out.open_fence = index
            out.fenced.append(True)
            continue
        out.fenced.append(False)
        h = _HEADING.match(line)
        if h:
            out.headings.append((index, len(h.group(1))))
    if fence is None:
        out.open_fence = None
    return out


def heading_level(heading: str) -> int:
    m = _HEADING.match(heading)
    if not m or not heading.strip("# \t") or "\n" in heading or "\r" in heading:
        raise ValueError(f"not a markdown heading: {heading!r}")
    return len(m.group(1))


def heading_index(body: Sequence[str], found: Outline, heading: str) -> int | None:
    return next((i for i, _ in found.headings if _same_heading(body[i], heading)), None)


def _same_heading(line: str, heading: str) -> bool:
    return line.rstrip().casefold() == heading.rstrip().casefold()


def _section_end(found: Outline, index: int, level: int, size: int) -> int:
    return next((i for i, lv in found.headings if i > index and lv <= level), size)


def _is_item(body: Sequence[str], found: Outline, index: int) -> bool:
    line = body[index]
    return (not found.fenced[index] and bool(_LIST_ITEM.match(line))
            and not _THEMATIC_BREAK.fullmatch(line))


def checked_lines(lines: Sequence[str]) -> list[str]:
    """New body lines, each one whole line of valid text."""
    if isinstance(lines, str):
        raise TypeError("lines must be a list of strings, not one string")
    for line in lines:
        if not isinstance(line, str):
            raise TypeError(f"lines must be strings, not {type(line).__name__}")
        if "\n" in line or "\r" in line or "\x00" in line:
            raise Refused(Said("err_edit_line_break"))
        check_text(line)
    return list(lines)


# ------------------------------------------------------------------------------ where lines go


def _section(body: Sequence[str], heading: str, level: int
             ) -> tuple[Outline, int | None, int]:
    """(outline, heading's index or None, the section's end) for the two insertions below."""
    found = outline(body)
    index = heading_index(body, found, heading)
    end = _section_end(found, index, level, len(body)) if index is not None else len(body)
    return found, index, end


def prepend_insertion(body: Sequence[str], heading: str, level: int,
                      new: list[str]) -> Insertion:
    """`new` as the first list items under `heading`; the section at the end if missing."""
    found, index, end = _section(body, heading, level)
    if index is None:
        return Insertion(None, [heading, "", *new], found.open_fence)
    items = [i for i in range(index + 1, end) if _is_item(body, found, i)]
    if items:
        return Insertion(items[0], new, found.open_fence)
    text = [i for i in range(index + 1, end) if body[i].strip()]
    if text:  # prose but no list yet: start the list after it, as its own paragraph
        return Insertion(text[-1] + 1, ["", *new], found.open_fence)
    at = index + 1
    while at < end and not body[at].strip():
        at += 1
    return Insertion(at, new, found.open_fence)


def append_insertion(body: Sequence[str], heading: str, level: int,
                     new: list[str]) -> Insertion:
    """`new` after the section's last non-blank line; the section at the end if missing."""
    found, index, end = _section(body, heading, level)
    if index is None:
        return Insertion(None, [heading, "", *new], found.open_fence)
    last = max([i for i in range(index + 1, end) if body[i].strip()], default=index)
    return Insertion(last + 1, new, found.open_fence)


def section_insertion(body: Sequence[str], start: int, heading: str, new: list[str],
                      before: str | None) -> Insertion:
    """A whole new section before the `before` heading, else at the end; `start` is the file
    line index of the body's first line, for the refusal of a section that already exists."""
    found = outline(body)
    existing = heading_index(body, found, heading)
    if existing is not None:
        raise Refused(Said("err_edit_section_exists", heading=f"'{heading.strip()}'"),
                          start + existing + 1)
    index = None
    if before is not None:
        heading_level(before)
        index = heading_index(body, found, before)
    if index is None:
        return Insertion(None, [heading, "", *new], found.open_fence)
    gap = [""] if index > 0 and body[index - 1].strip() else []
    return Insertion(index, [*gap, heading, "", *new, ""], found.open_fence)
