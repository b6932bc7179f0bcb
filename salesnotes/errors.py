"""Problems are values; one exception type for work that cannot go on.

Following beancount: a problem with a note is collected, not raised, so one broken note never
hides the rest of the portfolio. Only the CLI turns problems into stderr lines and exit codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salesnotes.i18n import Labels, Said


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong at a place the user can open: `path:line: message`."""

    path: PurePosixPath  # relative to the vault root, as the user sees it
    line: int  # 1-based; 0 when the file as a whole is at fault
    message: str
    strict: bool = False  # only reported by `check --strict`
    # the file as a whole, shown `path: message`: a made-up line 0 would send the rep looking
    whole_file: bool = field(default=False, compare=False)
    # The message as the catalog knows it, when it does: the CLI says it in the vault's
    # language; `message` is the English text (JSON output and the tests read it).
    said: Said | None = field(default=None, compare=False)

    def __str__(self) -> str:
        if self.whole_file:
            return _shown(f"{self.path}: {self.message}")
        return _shown(f"{self.path}:{self.line}: {self.message}")

    def told(self, t: Labels) -> str:
        """`path:line: message` in the words of `t`'s locale."""
        if self.whole_file:
            return _shown(f"{self.path}: {self.text(t)}")
        return _shown(f"{self.path}:{self.line}: {self.text(t)}")

    def text(self, t: Labels) -> str:
        """The message alone in the words of `t`'s locale (English when the catalog lacks it)."""
        return self.message if self.said is None else t.say(self.said.key, **self.said.fields)

    def as_json(self) -> dict[str, object]:
        return {"path": str(self.path), "line": self.line, "message": self.message}

    def as_row(self) -> list[Any]:
        """The problem as a JSON list, to remember between runs in any language."""
        return [str(self.path), self.line, self.message,
                self.said.as_json() if self.said else None, self.whole_file]

    @classmethod
    def from_row(cls, row: list[Any]) -> Problem:
        # i18n loads the label catalogs (PyYAML): only when a problem is said
        from salesnotes.i18n import Said

        path, line, message, *more = row
        said, whole_file = (*more, None, False)[:2]
        return cls(PurePosixPath(path), line, message, whole_file=bool(whole_file),
                   said=Said.from_json(said) if said else None)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _shown(text: str) -> str:
    """Control characters from a user's file, escaped: never a split line or a terminal code."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", text)


class Refused(ValueError):
    """Text or a request the core refuses, and why: the one exception of reading and editing (a
    note's bytes, its YAML, a front-matter value, an amount, an import's cell, an edit, a
    contact that cannot be true). `said` is the catalog's message, which the command says in
    the vault's language (`message`, like str(), is the English); `line` is 1-based within the
    text read, 0 when the text as a whole is refused or no line applies; whoever knows the file
    turns it into a `Problem` at its path."""

    def __init__(self, said: Said, line: int = 0, *, detail: str = "") -> None:
        super().__init__(said)
        self.said = said
        self.line = line
        self.detail = detail  # for an edit that failed its own verification: which check

    def __str__(self) -> str:
        # said in English only when shown: reading a note tries a date on values that are not
        # one (a quoted NIP), and saying each refusal at once would load the catalog every time
        return str(self.said)

    @property
    def message(self) -> str:
        return str(self.said)


class VaultError(Exception):
    """Work cannot go on; says where and why. Exit code 1 unless told otherwise."""

    exit_code = 1

    def __init__(self, *problems: Problem) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class UsageProblem(VaultError):
    """The user asked for something that cannot be done as asked (exit 2)."""

    exit_code = 2


class GitBusy(VaultError):
    """git is held by someone else (index.lock, merge in progress): EX_TEMPFAIL."""

    exit_code = 75


def problem(path: str | PurePath, line: int, message: str) -> Problem:
    return Problem(PurePosixPath(path), line, message)


def file_problem(path: str | PurePath, message: str | Said) -> Problem:
    """A problem of a whole file (unreadable, too big, not XLSX): no line to name."""
    if isinstance(message, str):
        return Problem(PurePosixPath(path), 0, message, whole_file=True)
    return Problem(PurePosixPath(path), 0, str(message), whole_file=True, said=message)


def said(path: str | PurePath, line: int, key: str, /, *, strict: bool = False,
         **fields: Any) -> Problem:
    """A problem whose message is the catalog's `key`: English in `message`, any locale by
    `told`."""
    # i18n loads the label catalogs (PyYAML): only when a problem is said
    from salesnotes.i18n import Said

    return saying(path, line, Said(key, **fields), strict)


def saying(path: str | PurePath, line: int, message: Said, strict: bool = False) -> Problem:
    return Problem(PurePosixPath(path), line, str(message), strict, said=message)
