"""The vault's checks that span notes, made by C-level passes over every note, say what the
plain loops they replaced said: same problems, same order."""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.errors import Problem, said
from salesnotes.model.config import STATUSES, parse_config
from salesnotes.model.vault import _type_mismatches as type_mismatches
from salesnotes.model.vault import assemble, config_checks
from salesnotes.read.note import Note, read_note

CONFIG = "owner: Jan\nlocale: en\ntiers:\n  A: {cadence_days: 14}\n  B: {cadence_days: 30}\n"


def plain_config_checks(notes: list[Note], config) -> list[Problem]:
    out = []
    for n in notes:
        if n.tier is not None and n.tier not in config.tiers:
            out.append(said(n.path, n.line_of("tier"), "err_unknown_tier", tier=n.tier,
                            known=", ".join(config.tiers)))
        if n.status is not None and n.status not in STATUSES:
            out.append(said(n.path, n.line_of("status"), "err_unknown_status", status=n.status,
                            known=", ".join(STATUSES)))
    return out


def plain_type_mismatches(notes: list[Note]) -> list[Problem]:
    counted: Counter[tuple[str, str]] = Counter(kt for n in notes for kt in n.key_types.items())
    kinds: dict[str, dict[str, int]] = {}
    for (k, t), count in counted.items():
        if t != "empty":
            kinds.setdefault(k, {})[t] = count
    out = []
    for key, counts in kinds.items():
        if len(counts) < 2:
            continue
        usual, seen = max(counts.items(), key=lambda kc: kc[1])
        for n in notes:
            kind = n.key_types.get(key)
            if kind not in (None, "empty", usual):
                out.append(said(n.path, n.line_of(key), "err_type_mismatch", strict=True,
                                name=key, kind=kind, usual=usual, seen=seen))
    return out


note_text = st.fixed_dictionaries({
    "tier": st.sampled_from([None, "A", "B", "Z"]),
    "status": st.sampled_from([None, "active", "paused", "sleepy"]),
    "size": st.sampled_from([None, "12", "big", '""', "2026-01-01"]),
    "name": st.sampled_from(["Acme", "ACME", "Beta  Co", "beta co", "Gamma"]),
}).map(lambda keys: "---\n" + "".join(f"{k}: {v}\n" for k, v in keys.items() if v) + "---\n")


@settings(max_examples=80, deadline=None)
@given(st.lists(note_text, max_size=8))
def test_the_checks_say_what_the_plain_loops_said(texts: list[str]) -> None:
    config = parse_config(CONFIG.encode())[0]
    results = [read_note(PurePosixPath(f"clients/{i}.md"), t.encode(), summary=True)
               for i, t in enumerate(texts)]
    notes = [r.note for r in results if r.note is not None]
    assert config_checks(notes, config) == plain_config_checks(notes, config)
    assert type_mismatches(notes) == plain_type_mismatches(notes)
    vault = assemble(Path("."), config, [], results, [], [], {})
    assert [str(n.path) for n in vault.notes] == sorted(str(n.path) for n in notes)
