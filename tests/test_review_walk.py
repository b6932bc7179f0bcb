"""A review sure to render (another date than the last one's) stats the notes in a forked
child while it imports its renderer: the child's key and keys are the ones made here."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import in_a_fresh_process

from salesnotes.local import reviewstate

NOTES = {f"clients/R{i % 3}/C{i}.md":
         f"---\nname: C{i}\ntier: A\nlast_contact: 2026-10-0{i % 9 + 1}\n---\n"
         for i in range(12)}
DAY = date(2026, 11, 30)


def _age(root: Path) -> None:
    """An hour old, so the review state trusts the files' stats (no racy key)."""
    past = time.time() - 3600
    for folder, _, files in os.walk(root):
        if ".git" not in folder and ".salesnotes" not in folder:
            for name in files:
                os.utime(Path(folder, name), (past, past))


def _fresh(script: str) -> str:
    return in_a_fresh_process("from datetime import date\nfrom pathlib import Path\n"
                              "from salesnotes.local import reviewstate", script)


def test_the_walk_made_in_a_child_is_the_walk_made_here(make_vault):
    root = make_vault(NOTES)
    _age(root)
    out = _fresh(f"""
root, parent, real = Path({str(root)!r}), os.getpid(), reviewstate.note_stats
reviewstate.note_stats = lambda r: real(r) if os.getpid() != parent else sys.exit("walked here")
key, walked = reviewstate.start_inputs_key(root, date(2026, 11, 30), None, ("review",))()
reviewstate.note_stats = real
here = []
assert key == reviewstate.inputs_key(root, date(2026, 11, 30), None, ("review",), walked=here)
assert walked == here and sum(len(names) for _, names, _ in walked) == 12, (walked, here)
print("ok")
""")
    assert out == "ok"


def test_a_monday_review_keyed_in_a_child_lets_the_same_day_be_skipped(make_vault):
    """The key the child made is the one a review of the same day makes here."""
    root = make_vault(NOTES)
    _age(root)
    review = [sys.executable, "-m", "salesnotes", "--vault", str(root), "review", "--no-commit",
              "--json", "--today"]
    out = _fresh(f"""
import subprocess
for day in ("2026-11-30", "2026-12-07", "2026-12-07"):
    done = subprocess.run({review!r} + [day], capture_output=True, text=True)
    print(done.stdout.replace("\\n", " "))
""")
    runs = [json.loads(line) for line in out.splitlines()]
    assert [r["skipped"] for r in runs] == [False, False, True]
    state = json.loads((root / ".salesnotes" / "review.json").read_text(encoding="utf-8"))
    assert state["day"] == "2026-12-07|None"


@pytest.mark.parametrize("sent", [b"\x00not marshal", b"i\x05\x00\x00\x00"])
def test_a_child_that_fails_costs_time_never_the_key(make_vault, monkeypatch, sent):
    root = make_vault(NOTES)
    _age(root)

    class Child:
        def result(self) -> bytes:
            return sent

    monkeypatch.setattr(reviewstate.forking, "meanwhile", lambda theirs: Child())
    key, walked = reviewstate.start_inputs_key(root, DAY, None, ("review",))()
    here: list = []
    assert key == reviewstate.inputs_key(root, DAY, None, ("review",), walked=here)
    assert walked == here and len(here) == 3
