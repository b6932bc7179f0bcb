"""The line scanner finds the same tasks as a real CommonMark parser (markdown-it-py)."""

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

from salesnotes.read.body import scan_body

_MD = MarkdownIt("commonmark").use(tasklists_plugin)

words = (st.text(alphabet="abcdefghij łódź ĄĘ 123", min_size=1, max_size=20)
         .map(str.strip).filter(bool))
task = st.builds(lambda box, w, indent: f"{' ' * indent}- [{box}] {w}",
                 st.sampled_from([" ", "x"]), words, st.sampled_from([0, 0, 2]))
plain = st.builds(lambda w: f"- {w}", words)
para = words
fence = st.builds(lambda lines: "```\n" + "\n".join(lines) + "\n```", st.lists(task, max_size=3))
quote = st.builds(lambda t: f"> {t}", task)
heading = st.sampled_from(["## Tasks", "## Log", "# Title", "### Sub"])
blocks = st.lists(st.one_of(task, task, plain, para, fence, quote, heading), max_size=25)


def oracle_tasks(text: str) -> list[str]:
    """Task items markdown-it sees outside block quotes (README: quotes are not tasks)."""
    out = []
    tokens = _MD.parse(text)
    quoted = 0
    for i, tok in enumerate(tokens):
        quoted += {"blockquote_open": 1, "blockquote_close": -1}.get(tok.type, 0)
        if quoted:
            continue
        if tok.type == "list_item_open" and "task-list-item" in (tok.attrs.get("class") or ""):
            inline = next(t for t in tokens[i:] if t.type == "inline")
            out.append(inline.content.split("] ", 1)[-1].strip() if "] " in inline.content
                       else inline.content.strip())
    return out


def with_blank_lines(parts: list[str]) -> str:
    return "\n\n".join(parts) + "\n"


@settings(max_examples=200, deadline=None)
@given(blocks)
def test_scanner_matches_markdown_it_on_tasks(parts):
    text = with_blank_lines(parts)
    expected = oracle_tasks(text)
    found = [t.text for t in scan_body(text, 1).tasks]
    assert [" ".join(e.split()) for e in expected] == found


def test_code_blocks_and_quotes_are_not_tasks():
    text = "```\n- [ ] in code\n```\n\n> - [ ] quoted\n\n    - [ ] indented code\n\n- [ ] real\n"
    assert [t.text for t in scan_body(text, 1).tasks] == ["real"]


dated_task = st.builds(lambda box, w, day, field: f"- [{box}] {w} " + (
    f"📅 2026-11-{day:02d}" if field == "emoji" else f"[{field}:: 2026-11-{day:02d}]"),
    st.sampled_from([" ", "x", "-", "/"]), words, st.integers(0, 31),
    st.sampled_from(["emoji", "due", "scheduled", "start"]))
log_line = st.builds(lambda day, w: f"- 2026-10-{day:02d} phone: {w}", st.integers(0, 31), words)
summary_blocks = st.lists(st.one_of(task, dated_task, log_line, plain, heading, fence), max_size=30)


@settings(max_examples=200, deadline=None)
@given(summary_blocks)
def test_a_summary_is_the_whole_body_filtered_with_the_same_problems(parts):
    text = "\n".join(parts) + "\n"
    whole, summary = scan_body(text, 5), scan_body(text, 5, summary=True)
    newest = max(whole.log, key=lambda e: e.date, default=None)  # the first of the newest
    assert summary.log == ((newest,) if newest else ())
    assert summary.tasks == tuple(t for t in whole.tasks if t.open and (t.due or t.scheduled))
    assert (summary.checklists, summary.opportunities) == (whole.checklists, whole.opportunities)
    assert summary.problems == whole.problems and whole.whole and not summary.whole
