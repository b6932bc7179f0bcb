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
    note_stats, render_and_write = reviewstate.note_stats, views.render_and_write

    def watched(root):  # noqa: ANN001, ANN202
        folders = [(rel, names, Stats(stats)) for rel, names, stats in note_stats(root)]
        walked.extend(weakref.ref(stats) for _, _, stats in folders)
        return folders

    alive: list[int] = []

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        alive.append(sum(ref() is not None for ref in walked))
        return render_and_write(*args, **kwargs)

    monkeypatch.setattr(reviewstate, "note_stats", watched)
    # the walk made here (a test process may fork: the child's stats would never be ours)
    monkeypatch.setattr(reviewstate.forking, "meanwhile", lambda theirs: None)
    monkeypatch.setattr(views, "render_and_write", counting)
    root = make_vault({f"clients/R{i}/C{i}.md": f"---\nname: C{i}\ntier: A\n---\n"
                       for i in range(3)})
    result = run_review(root, date(2026, 11, 27), commit=False)
    assert len(walked) == 3 and alive == [0] and len(result.written) > 3


@pytest.mark.parametrize("forked", [False, True])
def test_a_review_writes_each_view_as_soon_as_it_is_rendered(make_vault, monkeypatch, forked):
    """`render_and_write` hands a whole view's files to the writer before the next view is
    rendered, and keeps no bytes: the same files and bytes as `render_views`, then
    `write_views`. A forked child writes its own whole views (they never come back through
    the pipe); a view rendered in two parts (Portfolio's page and picture, on a big vault)
    is handed over here once both are there."""
    from datetime import date

    import salesnotes.views as views
    from salesnotes import forking
    from salesnotes.load.vault import load_vault

    if forked and not forking.can_fork():
        pytest.skip("needs fork and a second core")
    today = date(2026, 11, 27)
    note = "---\nname: C{i}\ntier: A\nbudget: {budget}\n---\n- [ ] call 📅 2026-11-20\n"
    root = make_vault({f"clients/R{i % 3}/C{i}.md": note.format(i=i, budget=1000 * i)
                       for i in range(12)})
    vault = load_vault(root, git=False)
    monkeypatch.setattr(views, "PARALLEL_FROM", 0 if forked else 10**6)
    monkeypatch.setattr(views, "MEMORY_SPLIT_FROM", 0)
    expected = views.render_views(vault, today)
    events: list[tuple[str, object]] = []
    render_unit, put = views.render_unit, views._Writer.put

    def rendering(unit, *args):  # noqa: ANN001, ANN002, ANN202
        events.append(("render", unit))
        return render_unit(unit, *args)

    def putting(self, files):  # noqa: ANN001, ANN202
        events.append(("put", sorted(files)))
        return put(self, files)

    monkeypatch.setattr(views, "render_unit", rendering)
    monkeypatch.setattr(views._Writer, "put", putting)
    rendered, written = views.render_and_write(vault, today, parallel=forked)
    assert rendered.files == {} and sorted(rendered.handed) == sorted(expected.files)
    assert rendered.problems == expected.problems
    assert sorted(p.name for p in written.written) == sorted(expected.files)
    for name, data in expected.files.items():
        assert (root / "views" / name).read_bytes() == data
    here = [unit for kind, unit in events if kind == "render"]
    assert here and (forked or len(here) == len(views.VIEW_MODULES))
    for i, (kind, unit) in enumerate(events):  # a whole view: handed before the next render
        if kind == "render" and ":" not in str(unit):
            assert events[i + 1][0] == "put", events
    put_here = {n for kind, names in events if kind == "put" for n in names}
    if forked:  # the children wrote their own views: their bytes never came back here
        assert put_here == {"Budget.md", "budget.svg", "Pay.md"} & set(expected.files)
    else:
        assert put_here == set(expected.files)
    again, rewritten = views.render_and_write(vault, today, parallel=forked)
    assert rewritten.written == [] and len(rewritten.unchanged) == len(expected.files)


def test_a_review_whose_render_child_fails_writes_every_view(make_vault, monkeypatch):
    """A child that fails may have written some of its views: they are rendered here again,
    and every view is reported written, as this review wrote each of them (once or twice)."""
    from datetime import date

    import salesnotes.views as views
    from salesnotes import forking
    from salesnotes.load.vault import load_vault

    if not forking.can_fork():
        pytest.skip("needs fork and a second core")
    today = date(2026, 11, 27)
    root = make_vault({f"clients/C{i}.md": f"---\nname: C{i}\ntier: A\n---\n" for i in range(6)})
    vault = load_vault(root, git=False)
    monkeypatch.setattr(views, "PARALLEL_FROM", 0)
    monkeypatch.setattr(views, "MEMORY_SPLIT_FROM", 0)
    expected = views.render_views(vault, today)
    in_two = forking.in_two

    def failing(theirs, mine):  # noqa: ANN001, ANN202
        def write_then_fail():  # noqa: ANN202
            theirs()  # writes the child's views
            raise RuntimeError("child failed")

        return in_two(write_then_fail, mine)

    monkeypatch.setattr(forking, "in_two", failing)
    rendered, written = views.render_and_write(vault, today, parallel=True)
    assert sorted(p.name for p in written.written) == sorted(expected.files)
    assert sorted(rendered.handed) == sorted(expected.files) and not rendered.problems
    for name, data in expected.files.items():
        assert (root / "views" / name).read_bytes() == data


def test_a_review_of_very_many_clients_renders_in_three_processes(make_vault, monkeypatch):
    """Past MEMORY_SPLIT_FROM clients the render is split by memory: Budget and Pay here,
    Portfolio in one child, the other views in another, each process writing its own views;
    the same files and bytes."""
    from datetime import date

    import salesnotes.views as views
    from salesnotes import forking
    from salesnotes.load.vault import load_vault

    assert sorted(u for g in views._BY_MEMORY for u in g) == sorted(views.VIEW_MODULES)
    if not forking.can_fork():
        pytest.skip("needs fork and a second core")
    today = date(2026, 11, 27)
    root = make_vault({f"clients/C{i}.md": f"---\nname: C{i}\ntier: A\nbudget: {i}000\n---\n"
                       for i in range(8)})
    vault = load_vault(root, git=False)
    expected = views.render_views(vault, today)
    monkeypatch.setattr(views, "PARALLEL_FROM", 0)
    monkeypatch.setattr(views, "MEMORY_SPLIT_FROM", 0)
    rendered_here: list[str] = []
    forks: list[int] = []
    render_unit, in_two = views.render_unit, forking.in_two

    def rendering(unit, *args):  # noqa: ANN001, ANN002, ANN202
        rendered_here.append(unit)  # a child's list is its own: only this process's stay
        return render_unit(unit, *args)

    def forking_(theirs, mine):  # noqa: ANN001, ANN202
        forks.append(1)
        return in_two(theirs, mine)

    monkeypatch.setattr(views, "render_unit", rendering)
    monkeypatch.setattr(forking, "in_two", forking_)
    rendered, written = views.render_and_write(vault, today, parallel=True)
    assert len(forks) == 2 and rendered_here == ["budget", "pay"]
    assert sorted(rendered.handed) == sorted(expected.files) and not rendered.problems
    assert sorted(p.name for p in written.written) == sorted(expected.files)
    for name, data in expected.files.items():
        assert (root / "views" / name).read_bytes() == data
