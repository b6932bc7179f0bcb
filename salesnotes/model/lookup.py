"""CLIENT on the command line -> one note, by the one rule every command and suggestion shares.

A rep types what they remember: `hydromont`, `swiatek`, `phu`, `zar serwis`. Matching only from
the start of a name picked `Hydromont s.c.` for `hydromont` while `Z.U.H. Hydromont ...` (tier A)
was there too, and `log` committed the call to the wrong note. So, in order:

1. a NIP in any written form, the exact file name or path, or the exact name or alias;
2. else every client one of whose words (name, aliases, file name; case, Polish letters and
   punctuation such as `P.H.U.` folded) starts with each typed word, in any order.

One match is that client; several are all listed and nothing changes (exit 2); none gives
suggestions scored on the same folded words. Never a silent pick.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Protocol, TypeVar

from salesnotes.errors import Refused, UsageProblem, saying
from salesnotes.i18n import Said
from salesnotes.read.fields import parse_nip
from salesnotes.read.names import fold

# Inside a word these join its parts (`Żar-Serwis` is `zar`, `serwis` and `zarserwis`); any
# other punctuation just vanishes (`P.H.U.` is `phu`, `s.c.` is `sc`).
_JOINERS = re.compile(r"[-/_&+,;:()\[\]{}<>\"'|\\]+")
_NOT_WORD = re.compile(r"[^\w]+")
SUGGEST_CUTOFF = 0.7
MAX_LISTED = 30


class Client(Protocol):
    """What matching reads: a full Note or the who-is-who index's small row."""

    @property
    def path(self) -> PurePosixPath: ...
    @property
    def name(self) -> str: ...
    @property
    def nip(self) -> str | None: ...
    @property
    def tier(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


C = TypeVar("C", bound=Client)


def words(text: str) -> frozenset[str]:
    """The folded words a client is found by."""
    return _words(fold(text))


@lru_cache(maxsize=65536)
def _words(folded: str) -> frozenset[str]:
    out: set[str] = set()
    for chunk in folded.split():
        parts = [_NOT_WORD.sub("", p) for p in _JOINERS.split(chunk)]
        out.update(p for p in parts if p)
        whole = _NOT_WORD.sub("", chunk)
        if whole:
            out.add(whole)
    return frozenset(out)


def typed_words(query: str) -> list[str]:
    """The words of what the rep typed; each must start a word of the client."""
    out: list[str] = []
    for chunk in fold(query).split():
        out.extend(p for p in (_NOT_WORD.sub("", part) for part in _JOINERS.split(chunk)) if p)
    return out


def search_text(name: str, aliases: Iterable[str], rel: str) -> str:
    """Every word of the name, aliases and file name, each after a space: `" " + typed in it`
    asks "does a word start with typed?" in one C-level search, 10,000 clients in milliseconds
    (folding 10,000 names per `log` cost more than the whole 0.3 s budget)."""
    found = set(words(name)) | words(_stem(rel))
    for alias in aliases:
        found |= words(alias)
    return "".join(f" {w}" for w in sorted(found))


def client_words(client: Client) -> str:
    """The client's search_text: from the who-is-who index when it has it."""
    try:
        kept = client.words  # type: ignore[attr-defined]
    except AttributeError:
        kept = None
    if kept is not None:
        return kept
    return search_text(client.name, client.aliases, _file_names(client)[0])


def find_client(notes: Sequence[C], query: str) -> C:
    """The one client `query` names; UsageProblem (exit 2) when it names none or several."""
    if not fold(query.strip()):
        _refuse(Said("err_empty_client"))
    for exact in (_by_nip, _by_file):
        hits = exact(notes, query)
        if len(hits) == 1:
            return hits[0]
        if hits:
            _ambiguous(query, hits)
    if query.strip().lower().endswith(".md"):  # a file name in another case: its stem
        query = query.strip()[:-3]
    typed = typed_words(query)
    # an exact name or alias is made of the same words, so it is among these candidates
    needles = [f" {t}" for t in typed]
    candidates = [c for c in notes if _has_all(needles, client_words(c))] if typed else []
    hits = _by_name(candidates, query)
    if len(hits) == 1:
        return hits[0]
    if hits:
        _ambiguous(query, hits)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        _ambiguous(query, candidates)
    close = suggestions(notes, query)
    hint = (Said("err_did_you_mean", names=", ".join(repr(c.name) for c in close))
            if close else "")
    _refuse(Said("err_no_client", query=repr(query), hint=hint))
    raise AssertionError  # pragma: no cover - _refuse raises


def suggestions(notes: Iterable[C], query: str, n: int = 3) -> list[C]:
    """Clients whose words come close to every typed word (a typo, a letter missing)."""
    typed = typed_words(query)
    if not typed:
        return []
    clients = [(c, client_words(c).split()) for c in notes]
    every = {w for _, own in clients for w in own}
    scores = [_closeness(t, every) for t in typed]
    scored = []
    for c, own in clients:
        score = min(max((s.get(w[: len(t) + 1], 0.0) for w in own), default=0.0)
                    for t, s in zip(typed, scores, strict=True))
        if score >= SUGGEST_CUTOFF:
            scored.append((-score, c.name, str(c.path), c))
    scored.sort(key=lambda s: s[:3])
    return [s[3] for s in scored[:n]]


def _closeness(typed: str, every: set[str]) -> dict[str, float]:
    """How close `typed` comes to the start of each word (its first len+1 letters), for the
    starts that come close at all: each distinct start is compared once, not once per client."""
    # difflib only for suggestions, after a query found no client: `log` never pays for it
    import difflib

    out: dict[str, float] = {}
    m = difflib.SequenceMatcher(b=typed)
    for start in {w[: len(typed) + 1] for w in every}:
        if start.startswith(typed):
            out[start] = 1.0
            continue
        m.set_seq1(start)
        if m.real_quick_ratio() >= SUGGEST_CUTOFF and m.quick_ratio() >= SUGGEST_CUTOFF:
            out[start] = m.ratio()
    return out


def matches(typed: list[str], client: Client) -> bool:
    """Does each typed word start some word of the client?"""
    return _starts_words(typed, client_words(client))


def _starts_words(typed: list[str], text: str) -> bool:
    return _has_all([f" {t}" for t in typed], text)


def _has_all(needles: list[str], text: str) -> bool:
    for needle in needles:
        if needle not in text:
            return False
    return True


def _by_nip(notes: Sequence[C], query: str) -> list[C]:
    nip = typed_nip(query)
    return [c for c in notes if c.nip == nip] if nip else []


def _by_file(notes: Sequence[C], query: str) -> list[C]:
    """The vault path, file name or stem as typed (plain text tests: no path objects)."""
    q = query.strip().replace("\\", "/")
    if not q:
        return []
    ends = (f"/{q}", f"/{q}.md")
    return [c for c in notes if (rel := _file_names(c)[0]) == q or rel.endswith(ends)]


def _by_name(notes: Sequence[C], query: str) -> list[C]:
    q = fold(query)
    out = []
    for c in notes:
        rel, name, stem = _file_names(c)
        if q in (fold(c.name), fold(stem), fold(name), fold(rel)) or any(
                q == fold(a) for a in c.aliases):
            out.append(c)
    return out


def _file_names(client: Client) -> tuple[str, str, str]:
    """(vault path, file name, stem) as text; from `Who.rel` without making 10,000 paths."""
    rel = getattr(client, "rel", None) or str(client.path)
    name = rel.rpartition("/")[2]
    return rel, name, _stem(name)


def _stem(rel: str) -> str:
    name = rel.rpartition("/")[2]
    return name[:-3] if name.endswith(".md") and len(name) > 3 else name


def typed_nip(query: str) -> str | None:
    """The NIP the rep typed, in compact digits; None when the query is not one."""
    if sum(c.isdigit() for c in query) < 10:
        return None
    try:
        return parse_nip(query)
    except Refused:
        return None


def describe(client: Client) -> Said:
    """One line a rep can tell clients apart by: name, NIP, tier, region, file."""
    # python-stdnum only when a NIP is checked or described
    from stdnum.pl import nip as stdnip

    return Said("err_client_line", name=client.name, path=str(client.path),
                nip=(Said("err_client_nip", nip=stdnip.format(client.nip)) if client.nip
                     else Said("err_client_no_nip")),
                tier=(Said("err_client_tier", tier=client.tier) if client.tier
                      else Said("err_client_no_tier")),
                region=client.region or Said("err_client_no_region"))


def _ambiguous(query: str, hits: Sequence[Client]) -> None:
    ranked = sorted(hits, key=lambda c: (fold(c.name), str(c.path)))
    listed = tuple(part for c in ranked[:MAX_LISTED] for part in ("\n  ", describe(c)))
    more = (Said("err_and_more", n=len(hits) - MAX_LISTED) if len(hits) > MAX_LISTED else "")
    _refuse(Said("err_ambiguous_client", query=repr(query), n=len(hits), listed=listed,
                 more=more))


def _refuse(message: Said) -> None:
    raise UsageProblem(saying("clients", 0, message))
