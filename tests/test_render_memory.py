"""What keeps the render of a 100,000-client vault within its memory: the long tables written
line by line, links of a vault bigger than the link cache made without it, a cell's text
kept as the very string."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from types import SimpleNamespace

import pytest

from salesnotes.views import engine
from salesnotes.views.engine import BUILTIN, LINK_CACHE, cell, make_env, url_path


def test_the_built_in_templates_write_the_long_tables_line_by_line():
    """`{{ rows.clients() }}` or `{{ m.rows|map_rows }}` hold a whole table as one string
    (four bytes a character, for its glyphs) beside its UTF-8: the built-in templates loop over
    the `*_lines` forms instead."""
    loops = 0
    for template in BUILTIN.glob("*.md"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"\{\{ *rows\.", text), template.name
        assert "map_rows" not in text, template.name
        loops += len(re.findall(r"\{% for line in (rows\.\w+_lines\(|m\.rows\|map_lines)", text))
    assert loops == 6  # Budget 2, Checklists 3, Portfolio's map 1


@pytest.mark.parametrize("style", ["markdown", "wiki"])
def test_links_of_a_vault_over_the_link_cache_are_made_the_same_and_not_kept(style):
    small = make_env(None, "en", "PLN", style, clients=LINK_CACHE)
    big = make_env(None, "en", "PLN", style, clients=LINK_CACHE + 1)
    notes = [SimpleNamespace(path=PurePosixPath(f"clients/Łódź/{name}.md"), name=name)
             for name in ("Łódź | Co", "A*B [x] (2)", f"Plain {style} 7")]
    cached = engine._links(style, "../", True)
    before, urls = cached.cache_info().currsize, url_path.cache_info().currsize
    made = [big.filters["link"](n) for n in notes]
    assert cached.cache_info().currsize == before and url_path.cache_info().currsize == urls
    assert made == [small.filters["link"](n) for n in notes]
    assert cached.cache_info().currsize == before + len(notes)
    assert made == [big.trusted.filters["link"](n) for n in notes]


def test_a_cell_that_needs_no_change_is_kept_as_the_very_string():
    plain = "".join(["Zakład Łódź ", "sp. z o.o."])  # made at run time: not a constant
    assert cell(plain) is plain
    assert cell("a  b|c") == "a b\\|c"
    assert cell(" Zakład\n Łódź ") == "Zakład Łódź"


def test_a_view_is_compared_with_its_file_a_chunk_at_a_time(tmp_path):
    """`atomic_write` without `expect` (views/) compares chunk by chunk: the same bytes write
    nothing; a byte changed past the first chunk, or a file of another size, is written."""
    from salesnotes.edit import files

    path = tmp_path / "Budget.md"
    data = bytes(range(256)) * (files._CHUNK // 256 * 2 + 3)
    assert files.atomic_write(path, data) is True
    assert files.atomic_write(path, data) is False
    changed = data[:-5] + b"x" + data[-4:]
    assert files.atomic_write(path, changed) is True and path.read_bytes() == changed
    assert files.atomic_write(path, changed[:-1]) is True and path.read_bytes() == changed[:-1]
    assert files.atomic_write(path, changed[:-1]) is False


def test_a_review_renders_without_holding_the_notes_stats(make_vault, monkeypatch):
    """The fingerprint's walk hands each note's stat to the cache, which keys the notes by
    them; a stat result is ~800 bytes, 80 MB at 100,000 notes, so none is held past the load
    while the views are rendered."""
    import weakref
    from datetime import date

    import salesnotes.views as views
    from salesnotes.local import reviewstate
    from salesnotes.review import run_review

    class Stats(list):  # a list that can be watched by a weak reference
        pass

    walked: list[weakref.ref] = []
    note_stats, render_views = reviewstate.note_stats, views.render_views

    def watched(root):  # noqa: ANN001, ANN202
        folders = [(rel, names, Stats(stats)) for rel, names, stats in note_stats(root)]
        walked.extend(weakref.ref(stats) for _, _, stats in folders)
        return folders

    alive: list[int] = []

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        alive.append(sum(ref() is not None for ref in walked))
        return render_views(*args, **kwargs)

    monkeypatch.setattr(reviewstate, "note_stats", watched)
    # the walk made here (a test process may fork: the child's stats would never be ours)
    monkeypatch.setattr(reviewstate.forking, "meanwhile", lambda theirs: None)
    monkeypatch.setattr(views, "render_views", counting)
    root = make_vault({f"clients/R{i}/C{i}.md": f"---\nname: C{i}\ntier: A\n---\n"
                       for i in range(3)})
    result = run_review(root, date(2026, 11, 27), commit=False)
    assert len(walked) == 3 and alive == [0] and len(result.written) > 3
