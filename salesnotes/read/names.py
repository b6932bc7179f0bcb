"""The one place where a client's name becomes a file name (ARCHITECTURE.md, data safety 9).

A rep types or imports names like `A/B Serwis`, `CON` or a 300-character Polish company name;
each must become a file that is valid on Windows, macOS and Linux, that Obsidian can link to,
and that cannot leave the clients folder. Every command that creates a note goes through
`client_path`, so the rules live here once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path, PurePath

from salesnotes.errors import Refused
from salesnotes.i18n import Said

SUFFIX = ".md"
# File names are capped at 120 UTF-8 bytes (ARCHITECTURE.md, data safety 9): that leaves room
# for deep vault paths under Windows' 260-character limit.
MAX_BYTES = 120
HASH_LEN = 8

# Illegal on Windows (`/ \ : * ? " < > |`) or breaking Obsidian links (`# ^ [ ]`, and `|`):
# separators become a dash, brackets and quotes their harmless look-alikes, the rest a space.
_REPLACE = str.maketrans({
    "/": "-", "\\": "-", "|": "-", ":": "-",
    '"': "'", "[": "(", "]": ")",
    "*": " ", "?": " ", "<": " ", ">": " ", "#": " ", "^": " ",
})
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[ -]*-[ -]*")  # a run of dashes: one dash, spaced if the run was
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}
# Letters without a decomposition: NFKD alone leaves `ł` as `ł`. Replaced one by one: a
# translate table looks up every character in Python objects, four times slower on a name.
_UNDECOMPOSED = (("ł", "l"), ("đ", "d"), ("ø", "o"), ("æ", "ae"), ("œ", "oe"), ("ı", "i"))
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")  # combining marks are never ASCII


class InvalidName(Refused):
    """A name that cannot become a client note file."""


class NameTaken(InvalidName):
    """Another note already has this name, up to case and Unicode form."""


def safe_filename(name: str) -> str:
    """`name` as a file name ending in `.md`, safe on every OS and in Obsidian links.

    The display name itself is kept verbatim in the note's `name:` key; this is only its file.
    """
    stem = _clean(name)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in stem):
        shown = repr(name if len(name) <= 60 else name[:60] + "…")
        raise InvalidName(Said("err_name_unusable", name=shown))
    stem = _unreserve(stem)
    if len((stem + SUFFIX).encode("utf-8")) > MAX_BYTES:
        stem = _shorten(stem, name)
    return stem + SUFFIX


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if ch.isspace() else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    text = _SPACES.sub(" ", text.translate(_REPLACE))
    text = _DASHES.sub(lambda m: " - " if " " in m.group() else "-", text)
    # leading dots hide the file, a leading dash reads as a command-line option
    text = text.lstrip(" .-").rstrip(" -")
    return unicodedata.normalize("NFC", text)  # removing a joiner can let marks compose


def _unreserve(stem: str) -> str:
    """`CON` and `COM1.md` are devices on Windows, whatever follows the first dot."""
    base, dot, rest = stem.partition(".")
    if base.rstrip(" ").upper() in _RESERVED:
        return f"{base.rstrip(' ')}_{dot}{rest}"
    return stem


def _shorten(stem: str, name: str) -> str:
    """Cut on a character boundary and add a hash of the full name, so two long names that
    share a prefix still get different files, and the same name always the same file."""
    digest = hashlib.sha1(unicodedata.normalize("NFC", name).encode("utf-8")).hexdigest()
    tail = f" {digest[:HASH_LEN]}"
    budget = MAX_BYTES - len(SUFFIX.encode()) - len(tail.encode())
    cut = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]  # never end on a mark cut from its letter
    return cut.rstrip(" -") + tail


def name_key(name: str) -> str:
    """The form under which two names are the same file somewhere (macOS, Windows, Obsidian)."""
    text = unicodedata.normalize("NFC", name)
    text = unicodedata.normalize("NFC", text.casefold())
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Search form: `Łódź Serwis` -> `lodz serwis`, so a rep can type without diacritics."""
    if text.isascii():
        return _SPACES.sub(" ", text.lower()).strip()
    folded = text.casefold()
    for letter, plain in _UNDECOMPOSED:
        if letter in folded:
            folded = folded.replace(letter, plain)
    # the marks NFKD splits off dropped from the non-ASCII runs only, and the spaces joined
    # by split (the same whitespace as `\s`): three times quicker than char by char, and the
    # Checklists and Portfolio views fold thousands of names to sort them
    bare = _NON_ASCII.sub(_unmarked, unicodedata.normalize("NFKD", folded))
    return " ".join(bare.split())


def _unmarked(run: re.Match) -> str:
    return "".join([ch for ch in run.group() if not unicodedata.combining(ch)])


def client_path(clients_dir: Path, name: str,
                existing: Iterable[str] | Mapping[str, str] = ()) -> Path:
    """The new note's path for `name`; refuses a name another note already has.

    `existing` holds the names (or vault-relative paths) of the notes already there; they are
    compared by file stem under `name_key`, so `kowalski` collides with `Kowalski.md` on Linux too.
    A bulk caller passes `taken_keys(...)` once instead, so each check is a dict lookup.
    """
    filename = safe_filename(name)
    key = name_key(_stem(filename))
    taken = existing if isinstance(existing, Mapping) else taken_keys(existing)
    if key in taken:
        raise NameTaken(Said("err_name_taken", name=repr(name), path=taken[key]))
    path = clients_dir / filename
    root = clients_dir.resolve()
    if path.resolve().parent != root:
        raise InvalidName(Said("err_name_escapes", name=repr(name)))
    return path


def taken_keys(existing: Iterable[str]) -> dict[str, str]:
    """name_key of each existing file's stem -> that file, for client_path."""
    return {name_key(_stem(PurePath(other).name)): other for other in existing}


def _stem(filename: str) -> str:
    return filename[: -len(SUFFIX)] if filename.lower().endswith(SUFFIX) else filename
