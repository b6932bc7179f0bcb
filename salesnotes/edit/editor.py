"""Byte-preserving edits of a client note: splice values and lines, never re-serialise.

A rep's note is years of hand-written work, so an edit may change exactly the value spans and
lines it means to, and nothing else (ARCHITECTURE.md, data safety 1, 2, 4 and 7). The work is split:
`notefile` reads the file's dialect (BOM, CRLF or LF, final newline, strict UTF-8) by the
reader's own rules, `yamlspans` locates each front-matter value, `yamltokens` writes a value's
YAML text, `sections` finds where new body lines go. This module holds them together in
`NoteText`, whose `to_bytes()` re-reads its own result and refuses to return it unless
untouched keys, comments and body lines are identical and the changed keys read back, under
YAML 1.1 and 1.2, as the values the caller asked for; `edit_note` then writes the note atomically.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath

from salesnotes.edit import sections, yamlspans, yamltokens
from salesnotes.edit.files import FileRefused, NoteChanged, atomic_write, read_snapshot
from salesnotes.edit.yamlspans import Entry
from salesnotes.edit.yamltokens import Intent
from salesnotes.edit.yamltokens import plain_ok as _plain_ok
from salesnotes.errors import Refused, VaultError, said, saying
from salesnotes.i18n import Said
from salesnotes.read import notefile
from salesnotes.read.notefile import FM_LINE0

# `_plain_ok` is looked up here at each call: a test replaces it with a broken quoting rule to
# see the read-back verification catch it.

VERIFY_FAILED = Said("err_edit_verify")


class NoteText:
    """A note's text with safe, verified edits; `to_bytes()` gives the new bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        read = notefile.note_file(data)  # the reader's own rules: never read fine, then refused
        if (unkeepable := read.unkeepable()) is not None:
            raise Refused(unkeepable[1], unkeepable[0])
        self.bom, self.newline = read.bom, read.newline
        self._had_newline = "\n" in read.text
        self._lines, self.final_newline = notefile.split_lines(read.text)
        self._fm_end = read.front_matter_end
        self._entries = self._located()
        if self._fm_end is not None:
            yamlspans.cross_check(self._fm_text(), self._entries)
        self._orig_lines = list(self._lines)
        self._orig_fm_end = self._fm_end
        self._orig_entries = list(self._entries)
        self._orig_final_newline = self.final_newline
        self._intent: dict[str, Intent] = {}
        self._removed: set[str] = set()
        self._body_added: list[str] = []

    # ---- reading

    @property
    def has_front_matter(self) -> bool:
        return self._fm_end is not None

    def keys(self) -> list[str]:
        return [e.key for e in self._entries]

    def get(self, key: str) -> str | None:
        """The raw source text of `key`'s value (quotes included); None when absent."""
        entry = self._find(key)
        return None if entry is None else self._fm_text()[entry.start : entry.end]

    def has_section(self, heading: str) -> bool:
        sections.heading_level(heading)
        body = self._body()
        return sections.heading_index(body, sections.outline(body), heading) is not None

    # ---- front-matter edits

    def set_scalar(self, key: str, value: str | date | Decimal | int, *,
                   after_key: str | None = None) -> None:
        """Set one top-level key, replacing only its value's span (comments stay)."""
        entry = self._find(key)
        token, intent = yamltokens.scalar_token(value, entry.style if entry else "", _plain_ok)
        if entry is None:
            self._insert_key(key, token, after_key)
        elif entry.kind == "block":
            self._set_fm_text(yamlspans.replace_block(self._fm_text(), entry, token))
        else:
            self._refuse_map(entry)
            intent = Intent(intent.kind, intent.value, self._replace_span(entry, token))
        self._intent[key] = intent
        self._removed.discard(key)

    def set_list(self, key: str, items: Sequence[str], *, after_key: str | None = None) -> None:
        """Set a list key: a new key is a flow list; an existing list keeps its style."""
        if isinstance(items, str):
            raise TypeError("items must be a list of strings, not one string")
        entry = self._find(key)
        intent = Intent("list", list(items))
        if entry is not None and entry.kind == "block" and items:
            tokens = yamltokens.list_items(items, False, _plain_ok)
            self._set_fm_text(yamlspans.replace_block_items(self._fm_text(), entry, tokens))
        else:
            flow = "[" + ", ".join(yamltokens.list_items(items, True, _plain_ok)) + "]"
            if entry is None:
                self._insert_key(key, flow, after_key)
            elif entry.kind == "block":
                self._set_fm_text(yamlspans.replace_block(self._fm_text(), entry, flow))
            else:
                self._refuse_map(entry)
                intent = Intent("list", list(items), self._replace_span(entry, flow))
        self._intent[key] = intent
        self._removed.discard(key)

    def remove_key(self, key: str) -> bool:
        """Delete exactly the key's lines (a block list's item lines too)."""
        entry = self._find(key)
        if entry is None:
            return False
        fm = self._fm_lines()
        del fm[entry.key_line : entry.last_line + 1]
        self._set_fm_lines(fm)
        self._intent.pop(key, None)
        if any(e.key == key for e in self._orig_entries):
            self._removed.add(key)
        return True

    # ---- body edits

    def prepend_to_section(self, heading: str, lines: Sequence[str]) -> None:
        """Insert `lines` as the first list items under `heading`; add the section if missing."""
        level, new = sections.heading_level(heading), sections.checked_lines(lines)
        if new:
            self._insert(sections.prepend_insertion(self._body(), heading, level, new))

    def insert_section(self, heading: str, lines: Sequence[str], *,
                       before: str | None = "## Log") -> None:
        """Insert a whole new section before the `before` heading, else at the end."""
        sections.heading_level(heading)
        new = sections.checked_lines(lines)
        body, start = self._body(), self._body_start()
        self._insert(sections.section_insertion(body, start, heading, new, before))

    def append_to_section(self, heading: str, lines: Sequence[str]) -> None:
        """Add `lines` after the section's last non-blank line; add the section if missing."""
        level, new = sections.heading_level(heading), sections.checked_lines(lines)
        if new:
            self._insert(sections.append_insertion(self._body(), heading, level, new))

    # ---- output

    def to_bytes(self) -> bytes:
        """The new bytes, after checking that only the intended spans and lines changed."""
        data = notefile.render(self._lines, final_newline=self.final_newline,
                               newline=self.newline, bom=self.bom)
        if data != self._data:
            problem = self._verification_problem(data)
            if problem:
                raise Refused(VERIFY_FAILED, detail=problem)
        return data

    # ---- front-matter internals

    def _located(self) -> list[Entry]:
        return [] if self._fm_end is None else yamlspans.parse_front_matter(self._fm_text())

    def _fm_lines(self) -> list[str]:
        return [] if self._fm_end is None else self._lines[1 : self._fm_end]

    def _fm_text(self) -> str:
        return "".join(line + "\n" for line in self._fm_lines())

    def _set_fm_lines(self, fm: list[str]) -> None:
        assert self._fm_end is not None
        self._lines[1 : self._fm_end] = fm
        self._fm_end = 1 + len(fm)
        try:
            self._entries = self._located()
        except Refused as e:
            raise Refused(VERIFY_FAILED, detail=f"edit broke the YAML: {e.message}") from None

    def _set_fm_text(self, text: str) -> None:
        self._set_fm_lines(text.split("\n")[:-1])

    def _find(self, key: str) -> Entry | None:
        return next((e for e in self._entries if e.key == key), None)

    def _refuse_map(self, entry: Entry) -> None:
        if entry.kind == "map":
            raise Refused(Said("err_edit_nested", key=entry.key),
                              FM_LINE0 + entry.key_line)

    def _replace_span(self, entry: Entry, token: str) -> str:
        """Splice `token` over the value span; returns the rest of the line, which must stay."""
        text, tail = yamlspans.replace_span(self._fm_text(), entry, token)
        self._set_fm_text(text)
        return tail

    def _insert_key(self, key: str, token: str, after_key: str | None) -> None:
        line = yamlspans.key_line(key, token)
        if self._fm_end is None:
            if not self._lines:
                self.final_newline = True
            self._lines[0:0] = ["---", "---"]
            self._fm_end = 1
            self._set_fm_lines([line])
            return
        fm = self._fm_lines()
        after = self._find(after_key) if after_key else None
        fm.insert(after.last_line + 1 if after else len(fm), line)
        self._set_fm_lines(fm)

    # ---- body internals

    def _body_start(self) -> int:
        return 0 if self._fm_end is None else self._fm_end + 1

    def _body(self) -> list[str]:
        return self._lines[self._body_start() :]

    def _insert(self, insertion: sections.Insertion) -> None:
        """Add the lines where `insertion` says; at the end after one blank line, keeping the
        final-newline choice. Nothing goes after an unclosed fence, where it would be code."""
        start, fence, block = self._body_start(), insertion.open_fence, list(insertion.lines)
        if fence is not None and (insertion.at is None or insertion.at > fence):
            raise Refused(Said("err_edit_unclosed_fence"), start + fence + 1)
        if insertion.at is not None:
            self._lines[start + insertion.at : start + insertion.at] = block
        else:
            while block and block[-1] == "":
                block.pop()
            if not self._lines:
                self.final_newline = True
            elif self._lines[-1].strip():
                block.insert(0, "")
            self._lines.extend(block)
        self._body_added.extend(block)

    # ---- verification (ARCHITECTURE.md, data safety 2)

    def _verification_problem(self, data: bytes) -> str | None:
        try:
            new = NoteText(data)
        except Refused as e:
            return f"result does not read back: {e.message} (line {e.line})"
        if new.bom != self.bom:
            return "BOM changed"
        if self._had_newline and new.newline != self.newline:
            return "line endings changed"
        if self._orig_lines and new.final_newline != self._orig_final_newline:
            return "final newline changed"
        return self._front_matter_problem(new) or self._body_problem(new)

    def _delimiter_problem(self, new: NoteText) -> str | None:
        old_lines, new_lines = self._orig_lines, new._lines
        if self._orig_fm_end is not None:
            if new._fm_end is None:
                return "front-matter lost"
            if (new_lines[0], new_lines[new._fm_end]) != (old_lines[0],
                                                          old_lines[self._orig_fm_end]):
                return "front-matter delimiters changed"
        elif new._fm_end is not None and not self._intent:
            return "front-matter appeared"
        return None

    def _front_matter_problem(self, new: NoteText) -> str | None:
        if problem := self._delimiter_problem(new):
            return problem
        old_lines = self._orig_lines
        old_fm = [] if self._orig_fm_end is None else old_lines[1 : self._orig_fm_end]
        new_fm = new._fm_lines()
        old_keys = [e.key for e in self._orig_entries]
        kept = [k for k in old_keys if k not in self._removed]
        new_keys = [e.key for e in new._entries]
        if [k for k in new_keys if k in old_keys] != kept:
            return "key order changed"
        if set(new_keys) != set(kept) | set(self._intent):
            return "unexpected keys"
        old_by, new_by = {e.key: e for e in self._orig_entries}, {e.key: e for e in new._entries}
        owned, unowned = yamlspans.owned, yamlspans.unowned
        for key in kept:
            if key not in self._intent and owned(old_fm, old_by[key]) != owned(new_fm, new_by[key]):
                return f"untouched key '{key}' changed"
        if unowned(old_fm, self._orig_entries) != unowned(new_fm, new._entries):
            return "front-matter comments or blank lines changed"
        for key, intent in self._intent.items():
            problem = yamltokens.intent_problem(new._fm_text(), new_fm, new_by[key], intent)
            if problem:
                return problem
        return None

    def _body_problem(self, new: NoteText) -> str | None:
        old_start = 0 if self._orig_fm_end is None else self._orig_fm_end + 1
        old_body, new_body = self._orig_lines[old_start:], new._body()
        extra, matched = [], 0
        for line in new_body:
            if matched < len(old_body) and line == old_body[matched]:
                matched += 1
            else:
                extra.append(line)
        if matched != len(old_body):
            return "body lines lost or changed"
        if Counter(extra) != Counter(self._body_added):
            return "unexpected body lines"
        return None


# ----------------------------------------------------------------------------- editing a file


def edit_note(path: Path, root: Path, change: Callable[[NoteText], None]) -> bool:
    """Apply `change` to the note at `path` and write it atomically; False when nothing changed.

    If the note changes on disk meanwhile (Obsidian saved it), the change is applied once more
    to the fresh text; `change` must therefore be re-applicable. Refusals become VaultError.
    """
    path, rel = Path(path), _relative(Path(path), Path(root))
    _refuse_unsafe_path(path, Path(root), rel)
    for _attempt in range(2):
        try:
            snapshot = read_snapshot(path)
            if not snapshot.data:
                raise Refused(Said("err_edit_empty"))
            note = NoteText(snapshot.data)
            change(note)
            data = note.to_bytes()
            if data == snapshot.data:
                return False
            return atomic_write(path, data, expect=snapshot, root=Path(root))
        except NoteChanged:
            continue
        except Refused as e:
            raise VaultError(saying(rel, e.line, e.said)) from e
        except FileRefused as e:
            raise VaultError(saying(rel, 0, e.said)) from e
    raise VaultError(said(rel, 0, "err_note_changed"))


def _relative(path: Path, root: Path) -> PurePosixPath:
    """The path as the user sees it in the vault (falls back to the path as given)."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        inside = absolute.relative_to(Path(os.path.normpath(root.absolute())))
        return PurePosixPath(inside.as_posix())
    except ValueError:
        return PurePosixPath(path.as_posix())


def _refuse_unsafe_path(path: Path, root: Path, rel: PurePosixPath) -> None:
    if path.is_symlink():
        raise VaultError(said(rel, 0, "err_symlink"))
    if not path.resolve().is_relative_to(root.resolve()):
        raise VaultError(said(rel, 0, "err_outside_not_edited"))


def edit_bytes(rel: PurePosixPath, change: Callable[[NoteText], None]) -> Callable[[bytes], bytes]:
    """The same edit as a function of a note's bytes, for another version of the note (git's
    committed one); a refusal is a VaultError at `rel`, as `edit_note` gives it."""

    def redo(data: bytes) -> bytes:
        try:
            text = NoteText(data)
            change(text)
            return text.to_bytes()
        except Refused as e:
            raise VaultError(saying(rel, e.line, e.said)) from e

    return redo
