"""The note editor: only the intended spans and lines change (adversarial cases 1-15)."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest
import yaml

from salesnotes.edit import files
from salesnotes.edit.editor import VERIFY_FAILED, NoteText, edit_note
from salesnotes.errors import Problem, Refused, VaultError

TODAY = date(2026, 11, 27)
NEXT = date(2026, 12, 11)
LOG_LINE = "- 2026-11-27 visit: plant tour"
LONG = "Offer for the Q1 pump order, incl. installation, commissioning and a 5-year service plan"

RICH = f"""---
# Client card, kept by hand
name: 'Hydro-Tech Sp. z o.o.'
nip: "5260250274"   # checked 2025
tier: A
x: ~

tags: [hvac, kraków]
aliases:
  - Hydro
  - HT
last_contact: 2026-11-18  # last visit
next_contact: 2026-12-02
next_step: {LONG}
budget: 150000.50
---
# Hydro-Tech Sp. z o.o.

Free text the rep writes.

## Log
- 2026-11-18 phone: spoke to the buyer
"""

RICH_AFTER = RICH.replace(
    "last_contact: 2026-11-18  # last visit", "last_contact: 2026-11-27  # last visit"
).replace("next_contact: 2026-12-02", "next_contact: 2026-12-11").replace(
    "## Log\n", f"## Log\n{LOG_LINE}\n"
)


def log_visit(note: NoteText) -> None:
    note.set_scalar("last_contact", TODAY)
    note.set_scalar("next_contact", NEXT)
    note.prepend_to_section("## Log", [LOG_LINE])


def edited(src: str | bytes, change) -> bytes:
    note = NoteText(src.encode() if isinstance(src, str) else src)
    change(note)
    return note.to_bytes()


def refusal(src: str | bytes) -> Refused:
    with pytest.raises(Refused) as info:
        NoteText(src.encode() if isinstance(src, str) else src)
    return info.value


# ------------------------------------------------------------------- front-matter fidelity


def test_case1_rich_note_changes_only_the_two_values_and_the_log_line() -> None:
    assert edited(RICH, log_visit).decode() == RICH_AFTER
    assert len(LONG) > 80


def test_case2_crlf_stays_crlf_everywhere_including_new_lines() -> None:
    crlf = RICH.replace("\n", "\r\n")
    out = edited(crlf, log_visit)
    assert out == RICH_AFTER.replace("\n", "\r\n").encode()
    assert out.count(b"\n") == out.count(b"\r\n")
    assert out.count(b"---\r\n") == 2  # exactly one front-matter block


def test_case2_crlf_new_key_and_new_section_are_crlf() -> None:
    out = edited("---\r\ntier: A\r\n---\r\nText\r\n", lambda n: (
        n.set_scalar("last_contact", TODAY), n.prepend_to_section("## Log", [LOG_LINE])))
    assert out == (b"---\r\ntier: A\r\nlast_contact: 2026-11-27\r\n---\r\nText\r\n"
                   b"\r\n## Log\r\n\r\n- 2026-11-27 visit: plant tour\r\n")


def test_case3_bom_is_kept_and_front_matter_detected() -> None:
    src = b"\xef\xbb\xbf" + RICH.encode()
    note = NoteText(src)
    assert note.bom and note.has_front_matter
    log_visit(note)
    out = note.to_bytes()
    assert out == b"\xef\xbb\xbf" + RICH_AFTER.encode()
    assert out.count(b"---\n") == 2


@pytest.mark.parametrize(
    "old, new",
    [
        ('last_contact: "2024-03-05"', 'last_contact: "2026-11-27"'),
        ("last_contact: '2024-03-05'", "last_contact: '2026-11-27'"),
        ("last_contact: 2024-03-05", "last_contact: 2026-11-27"),
        ("last_contact: 2024-3-5", "last_contact: 2026-11-27"),
        ("last_contact: 2024-03-05T10:00:00+01:00", "last_contact: 2026-11-27"),
        ("last_contact:", "last_contact: 2026-11-27"),
        ("last_contact: ~  # none yet", "last_contact: 2026-11-27  # none yet"),
        ("last_contact: null", "last_contact: 2026-11-27"),
        ("last_contact:\n  2024-03-05", "last_contact:\n  2026-11-27"),
    ],
)
def test_case4_date_update_keeps_quoting_and_comment(old: str, new: str) -> None:
    src = f"---\ntier: A\n{old}\nstatus: active\n---\n"
    assert edited(src, lambda n: n.set_scalar("last_contact", TODAY)).decode() == (
        f"---\ntier: A\n{new}\nstatus: active\n---\n"
    )


def test_missing_key_is_one_new_line_before_the_closing_delimiter() -> None:
    src = "---\ntier: A\n# trailing comment\n---\nbody\n"
    out = edited(src, lambda n: n.set_scalar("last_contact", TODAY))
    assert out.decode() == "---\ntier: A\n# trailing comment\nlast_contact: 2026-11-27\n---\nbody\n"


def test_missing_key_goes_after_after_key_when_present() -> None:
    src = "---\nlast_contact: 2026-11-18\ntags:\n  - a\nstatus: x\n---\n"
    out = edited(src, lambda n: (n.set_scalar("next_contact", NEXT, after_key="last_contact"),
                                 n.set_scalar("owner", "Ewa", after_key="tags"),
                                 n.set_scalar("region", "Łódź", after_key="missing")))
    assert out.decode() == (
        "---\nlast_contact: 2026-11-18\nnext_contact: 2026-12-11\ntags:\n  - a\nowner: Ewa\n"
        "status: x\nregion: Łódź\n---\n"
    )


def test_case8_body_dashes_block_is_never_front_matter() -> None:
    src = "# Acme\n\nIntro\n\n---\nk: v\n---\n\nMore\n---\n"
    note = NoteText(src.encode())
    assert not note.has_front_matter
    assert note.get("k") is None
    note.set_scalar("last_contact", TODAY)
    assert note.to_bytes().decode() == "---\nlast_contact: 2026-11-27\n---\n" + src


def test_no_front_matter_with_bom_inserts_block_after_the_bom() -> None:
    out = edited(b"\xef\xbb\xbfText", lambda n: n.set_scalar("tier", "B"))
    assert out == b"\xef\xbb\xbf---\ntier: B\n---\nText"


def test_empty_front_matter_gets_the_key() -> None:
    assert edited("---\n---\nx\n", lambda n: n.set_scalar("tier", "A")) == (
        b"---\ntier: A\n---\nx\n"
    )


def test_closing_dots_and_trailing_spaces_on_delimiters_are_kept() -> None:
    src = "--- \ntier: A\n...\nbody\n"
    assert edited(src, lambda n: n.set_scalar("tier", "B")).decode() == "--- \ntier: B\n...\nbody\n"


@pytest.mark.parametrize(
    "value, token",
    [
        ("Kraków", "Kraków"),
        ("Hydro-Tech Sp. z o.o.", "Hydro-Tech Sp. z o.o."),
        ("no", '"no"'),
        ("Yes", '"Yes"'),
        ("y", '"y"'),
        ("true", '"true"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("", '""'),
        ("0123", '"0123"'),
        ("5260250274", '"5260250274"'),
        ("10:00", '"10:00"'),
        ("1e3", '"1e3"'),
        ("0o17", '"0o17"'),
        ("1_000", '"1_000"'),
        (".inf", '".inf"'),
        ("2026-11-27", '"2026-11-27"'),
        ("@home", '"@home"'),
        ("#1 client", '"#1 client"'),
        ("a: b", '"a: b"'),
        ("a #b", '"a #b"'),
        ("ends:", '"ends:"'),
        ("- dash", '"- dash"'),
        ("[[Link]]", '"[[Link]]"'),
        ("*star", '"*star"'),
        ("&amp", '"&amp"'),
        ("!bang", '"!bang"'),
        ("{x}", '"{x}"'),
        (" padded", '" padded"'),
        ('say "hi"', 'say "hi"'),
        ('"quoted', '"\\"quoted"'),
        ("back\\slash", "back\\slash"),
        ("two\nlines", '"two\\nlines"'),
        ("tab\there", '"tab\\there"'),
        ("nbsp\u00a0end\u00a0", '"nbsp\u00a0end\u00a0"'),
        ("bell\x07", '"bell\\x07"'),
        ("ls\u2028x", '"ls\\u2028x"'),
        ("emoji 😀", "emoji 😀"),
    ],
)
def test_plain_value_stays_plain_only_when_yaml_reads_it_as_that_text(
    value: str, token: str
) -> None:
    out = edited("---\nnext_step: old\n---\n", lambda n: n.set_scalar("next_step", value))
    assert out.decode() == f"---\nnext_step: {token}\n---\n"
    assert yaml.safe_load(out.decode().split("---\n")[1]) == {"next_step": value}


@pytest.mark.parametrize(
    "old, value, token",
    [
        ('"old"', "Kraków", '"Kraków"'),
        ('"old"', 'a"b\\c', '"a\\"b\\\\c"'),
        ("'old'", "it's", "'it''s'"),
        ("'old'", "Łódź", "'Łódź'"),
        ("'old'", "two\nlines", '"two\\nlines"'),
        ("|\n  block\n  text", "one", "one"),
        ("[a, b]", "plain", "plain"),
    ],
)
def test_quoting_style_of_the_old_token_is_kept(old: str, value: str, token: str) -> None:
    out = edited(f"---\nk: {old}\nz: 1\n---\n", lambda n: n.set_scalar("k", value))
    assert out.decode() == f"---\nk: {token}\nz: 1\n---\n"


def test_numbers_are_written_plain() -> None:
    src = '---\nbudget: "1 234,56 zł"\npotential: 1\n---\n'
    out = edited(src, lambda n: (n.set_scalar("budget", Decimal("1234.10")),
                                 n.set_scalar("potential", 240000),
                                 n.set_scalar("margin", Decimal("-0.50"))))
    assert out.decode() == "---\nbudget: 1234.10\npotential: 240000\nmargin: -0.50\n---\n"


@pytest.mark.parametrize("bad", [1.5, True, datetime(2026, 11, 27, 10, 0), None, ["a"]])
def test_unsupported_value_types_are_a_programming_error(bad: object) -> None:
    note = NoteText(b"---\nk: v\n---\n")
    with pytest.raises(TypeError):
        note.set_scalar("k", bad)  # type: ignore[arg-type]


def test_non_finite_decimal_is_refused() -> None:
    with pytest.raises(ValueError):
        NoteText(b"---\nk: 1\n---\n").set_scalar("k", Decimal("NaN"))


def test_multi_line_plain_value_becomes_one_line_and_comment_after_stays() -> None:
    src = "---\nnext_step: first part\n  second part  # why\nz: 1\n---\n"
    assert edited(src, lambda n: n.set_scalar("next_step", "call")).decode() == (
        "---\nnext_step: call  # why\nz: 1\n---\n"
    )


def test_nested_mapping_is_kept_but_not_edited() -> None:
    src = "---\ncontact:\n  name: Jan\n  phone: '+48 600'\ntier: A\n---\n"
    out = edited(src, lambda n: n.set_scalar("tier", "B"))
    assert out.decode() == src.replace("tier: A", "tier: B")
    with pytest.raises(Refused, match="nested keys") as info:
        NoteText(src.encode()).set_scalar("contact", "x")
    assert info.value.line == 2


def test_core_tag_is_allowed_and_replaced_with_its_value() -> None:
    src = "---\nnip: !!str 0123456789\ntier: A\n---\n"
    out = edited(src, lambda n: n.set_scalar("nip", "5260250274"))
    assert out.decode() == '---\nnip: "5260250274"\ntier: A\n---\n'


def test_get_returns_raw_source_text() -> None:
    note = NoteText(RICH.encode())
    assert note.get("nip") == '"5260250274"'
    assert note.get("name") == "'Hydro-Tech Sp. z o.o.'"
    assert note.get("x") == "~"
    assert note.get("tags") == "[hvac, kraków]"
    assert note.get("aliases") == "- Hydro\n  - HT"
    assert note.get("missing") is None
    assert note.keys()[:3] == ["name", "nip", "tier"]


# -------------------------------------------------------------------------------- lists


def test_new_list_key_is_a_flow_list() -> None:
    out = edited("---\ntier: A\n---\n", lambda n: n.set_list("checklists", ["key-account", "a, b"]))
    assert out.decode() == '---\ntier: A\nchecklists: [key-account, "a, b"]\n---\n'


def test_flow_list_is_replaced_in_flow_style_keeping_comment() -> None:
    src = "---\ntags: [a, b]  # obsidian\nz: 1\n---\n"
    out = edited(src, lambda n: n.set_list("tags", ["a", "b", "kraków"]))
    assert out.decode() == "---\ntags: [a, b, kraków]  # obsidian\nz: 1\n---\n"


@pytest.mark.parametrize("indent", ["", "  ", "    "])
def test_block_list_is_replaced_keeping_its_indent(indent: str) -> None:
    src = f"---\ntags:  # mine\n{indent}- a\n{indent}- b\n# after\nz: 1\n---\n"
    out = edited(src, lambda n: n.set_list("tags", ["x", "no"]))
    assert out.decode() == f'---\ntags:  # mine\n{indent}- x\n{indent}- "no"\n# after\nz: 1\n---\n'


def test_block_list_emptied_becomes_flow_keeping_key_comment() -> None:
    src = "---\ntags:  # mine\n  - a\nz: 1\n---\n"
    assert edited(src, lambda n: n.set_list("tags", [])).decode() == (
        "---\ntags: []  # mine\nz: 1\n---\n"
    )


def test_empty_or_scalar_value_becomes_a_flow_list() -> None:
    src = "---\ntags:\naliases: one\n---\n"
    out = edited(src, lambda n: (n.set_list("tags", ["a"]), n.set_list("aliases", ["one", "two"])))
    assert out.decode() == "---\ntags: [a]\naliases: [one, two]\n---\n"


def test_list_to_scalar() -> None:
    src = "---\nowner:\n  - Ewa\n  - Jan\nz: 1\n---\n"
    assert edited(src, lambda n: n.set_scalar("owner", "Ewa")).decode() == (
        "---\nowner: Ewa\nz: 1\n---\n"
    )


def test_list_items_must_be_text() -> None:
    with pytest.raises(TypeError):
        NoteText(b"---\n---\n").set_list("tags", [1])  # type: ignore[list-item]


def test_remove_key_deletes_exactly_its_lines() -> None:
    src = "---\na: 1  # c\ntags:\n  - x\n  - y\n# kept\nb: 2\n---\n"
    note = NoteText(src.encode())
    assert note.remove_key("tags") is True
    assert note.remove_key("a") is True
    assert note.remove_key("missing") is False
    assert note.to_bytes().decode() == "---\n# kept\nb: 2\n---\n"


# ---------------------------------------------------------------------------- body sections


def test_prepend_skips_blank_lines_and_matches_heading_case_insensitively() -> None:
    src = "---\na: 1\n---\n## log  \n\n- old\n"
    out = edited(src, lambda n: n.prepend_to_section("## Log", [LOG_LINE, "- second"]))
    assert out.decode() == f"---\na: 1\n---\n## log  \n\n{LOG_LINE}\n- second\n- old\n"


def test_prepend_goes_before_the_first_item_after_prose() -> None:
    src = "## Log\nEvery contact, newest first.\n- old\n\n## Next\n"
    out = edited(src, lambda n: n.prepend_to_section("## Log", [LOG_LINE]))
    assert out.decode() == f"## Log\nEvery contact, newest first.\n{LOG_LINE}\n- old\n\n## Next\n"


def test_prepend_into_prose_only_section_starts_a_separate_list() -> None:
    src = "## Log\nNothing yet.\n\n## Tasks\n"
    out = edited(src, lambda n: n.prepend_to_section("## Log", [LOG_LINE]))
    assert out.decode() == f"## Log\nNothing yet.\n\n{LOG_LINE}\n\n## Tasks\n"


def test_prepend_into_empty_section_before_next_heading() -> None:
    src = "## Log\n## Tasks\n- [ ] t\n"
    out = edited(src, lambda n: n.prepend_to_section("## Log", [LOG_LINE]))
    assert out.decode() == f"## Log\n{LOG_LINE}\n## Tasks\n- [ ] t\n"


def test_heading_inside_code_fence_does_not_count() -> None:
    src = "Text\n\n```markdown\n## Log\n- fake\n```\n\n~~~\n## Log\n~~~\n\n## Log\n- real\n"
    out = edited(src, lambda n: n.prepend_to_section("## Log", [LOG_LINE]))
    assert out.decode() == src.replace("## Log\n- real", f"## Log\n{LOG_LINE}\n- real")


def test_only_fenced_log_means_a_new_section_at_the_end() -> None:
    src = "Text\n```\n## Log\n```"
    out = edited(src, lambda n: n.prepend_to_section("## Log", [LOG_LINE]))
    # no final newline before, none after
    assert out.decode() == f"Text\n```\n## Log\n```\n\n## Log\n\n{LOG_LINE}"


def test_missing_section_after_trailing_blank_line_adds_no_second_blank() -> None:
    out = edited("---\na: 1\n---\nText\n\n", lambda n: n.prepend_to_section("## Log", ["- x"]))
    assert out.decode() == "---\na: 1\n---\nText\n\n## Log\n\n- x\n"


def test_unclosed_fence_refuses_appending_at_the_end() -> None:
    note = NoteText(b"Text\n```\ncode\n")
    with pytest.raises(Refused, match="unclosed code block") as info:
        note.prepend_to_section("## Log", [LOG_LINE])
    assert info.value.line == 2


def test_new_lines_with_line_breaks_are_refused() -> None:
    with pytest.raises(Refused, match="line break"):
        NoteText(b"## Log\n").prepend_to_section("## Log", ["- a\n## Injected"])


def test_insert_section_before_log_with_blank_lines() -> None:
    src = "# Acme\nText\n## Log\n- old\n"
    out = edited(src, lambda n: n.insert_section("## Checklist: Key account",
                                                 ["- [ ] Decision maker identified"]))
    assert out.decode() == (
        "# Acme\nText\n\n## Checklist: Key account\n\n- [ ] Decision maker identified\n\n"
        "## Log\n- old\n"
    )


def test_insert_section_at_the_end_without_log() -> None:
    out = edited("# Acme\n", lambda n: n.insert_section("## Tasks", ["- [ ] a"]))
    assert out.decode() == "# Acme\n\n## Tasks\n\n- [ ] a\n"


def test_insert_existing_section_is_refused() -> None:
    note = NoteText(b"# Acme\n\n## Tasks\n- [ ] a\n")
    assert note.has_section("## tasks")
    with pytest.raises(Refused, match="already exists") as info:
        note.insert_section("## Tasks", ["- [ ] b"])
    assert info.value.line == 3


def test_append_to_section_ends_at_same_or_higher_heading() -> None:
    src = "## Tasks\n- [ ] a\n### Details\nmore\n\n\n## Log\n- old\n"
    out = edited(src, lambda n: n.append_to_section("## Tasks", ["- [ ] b"]))
    assert out.decode() == "## Tasks\n- [ ] a\n### Details\nmore\n- [ ] b\n\n\n## Log\n- old\n"


def test_append_to_missing_section_creates_it() -> None:
    out = edited("Text\n", lambda n: n.append_to_section("## Tasks", ["- [ ] b"]))
    assert out.decode() == "Text\n\n## Tasks\n\n- [ ] b\n"


def test_sections_in_a_note_without_body_or_front_matter() -> None:
    assert edited(b"", lambda n: n.prepend_to_section("## Log", ["- x"])) == b"## Log\n\n- x\n"
    assert edited("---\na: 1\n---", lambda n: n.prepend_to_section("## Log", ["- x"])) == (
        b"---\na: 1\n---\n\n## Log\n\n- x"
    )


# ------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "src, line, message",
    [
        ("---\nname: a\ntier: A\ntier: B\n---\n", 4, "duplicate key 'tier'"),
        ("---\nname: a\ntier:\tA\n---\n", 3, "tab"),
        ('---\nname: a\nregion: "Krak\nb: 1\n---\nbody\n', 3, "unclosed quote"),
        ("---\nname: a\ntier: A\nbody\n", 1, "unclosed front-matter block"),
        ("---\na: &x 1\nb: *x\n---\n", 2, "anchors/aliases are not supported"),
        ('---\nn: a\nx: !!python/object/apply:os.system ["rm -rf ~"]\n---\n', 3,
         "unsupported YAML tag !!python/object/apply:os.system"),
        ("---\nx: !custom 1\n---\n", 2, "unsupported YAML tag !custom"),
        ("---\na: b: c\n---\n", 2, "malformed YAML"),
        ("---\n- a\n---\n", 2, "must be 'key: value' lines"),
        ("---\n  a: 1\n---\n", 2, "indented front-matter keys"),
        ("---\na: 1\n<<: {b: 1}\n---\n", 3, "merge keys"),
        ("---\na:\n  b: 1\n  b: 2\n---\n", 4, "duplicate key 'b'"),
        ("---\n%YAML 1.2\n---\n", 2, "YAML directives not supported"),
        ("---\r\na: 1\n---\r\n", 2, "mixed line endings"),
        ("a\rb\n", 1, "mixed line endings"),
        ("---\na: 1\n---\n<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n", 4, "conflict"),
    ],
)
def test_bad_front_matter_is_refused_with_its_line(src: str, line: int, message: str) -> None:
    e = refusal(src)
    assert message in e.message
    assert e.line == line


def test_cp1250_note_is_refused_not_reencoded() -> None:
    e = refusal("---\nname: Łódź\n---\n".encode("cp1250"))
    assert e.message.startswith("not UTF-8") and e.line == 2


def test_binary_note_is_refused() -> None:
    assert "binary" in refusal(b"\x89PNG\r\n\x1a\n\x00\x00").message


def test_front_matter_over_64_kb_is_refused() -> None:
    src = "---\n" + "".join(f"k{i}: {'x' * 60}\n" for i in range(1200)) + "---\n"
    assert "over 64 KB" in refusal(src).message


def test_case9_alias_bomb_is_refused_within_milliseconds() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join(["*" + prev] * 9) + "]")
        prev = name
    src = "---\n" + "\n".join(lines) + "\n---\n"
    started = time.perf_counter()
    e = refusal(src)
    assert time.perf_counter() - started < 0.5
    assert e.message == "anchors/aliases are not supported" and e.line == 2


# --------------------------------------------------------------------------- verification


def test_verification_catches_a_corrupted_body_line() -> None:
    note = NoteText(RICH.encode())
    log_visit(note)
    note._lines[-1] = "- 2026-11-18 phone: spoke to the BUYER"  # a bug elsewhere
    with pytest.raises(Refused) as info:
        note.to_bytes()
    assert info.value.said == VERIFY_FAILED
    assert "body" in info.value.detail


def test_verification_catches_a_changed_untouched_key() -> None:
    note = NoteText(RICH.encode())
    note.set_scalar("last_contact", TODAY)
    note._lines[4] = "tier: B"
    with pytest.raises(Refused, match="verification failed") as info:
        note.to_bytes()
    assert "tier" in info.value.detail


def test_verification_catches_a_lost_comment() -> None:
    note = NoteText(RICH.encode())
    note.set_scalar("last_contact", TODAY)
    del note._lines[1]
    with pytest.raises(Refused, match="verification failed"):
        note.to_bytes()


def test_verification_catches_a_wrong_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from salesnotes.edit import editor as edit

    monkeypatch.setattr(edit, "_plain_ok", lambda value, flow: True)  # a broken quoting rule
    note = NoteText(b"---\nactive: yes\n---\n")
    note.set_scalar("active", "no")
    with pytest.raises(Refused, match="verification failed") as info:
        note.to_bytes()
    assert "read back" in info.value.detail


def test_unchanged_note_gives_back_identical_bytes() -> None:
    src = b"\xef\xbb\xbf---\r\na: 1\r\n---\r\nbody"
    note = NoteText(src)
    note.set_scalar("a", 1)
    assert note.to_bytes() == src


# ------------------------------------------------------------------------------- edit_note


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    (tmp_path / "clients").mkdir()
    return tmp_path


def write_note(vault: Path, text: str | bytes, name: str = "Acme.md") -> Path:
    path = vault / "clients" / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_edit_note_writes_and_keeps_mode(vault: Path) -> None:
    path = write_note(vault, RICH)
    path.chmod(0o640)
    assert edit_note(path, vault, log_visit) is True
    assert path.read_text() == RICH_AFTER
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in path.parent.iterdir()) == ["Acme.md"]


def test_case15_no_op_edit_does_not_write(vault: Path) -> None:
    path = write_note(vault, RICH_AFTER)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert edit_note(path, vault, lambda n: n.set_scalar("last_contact", TODAY)) is False
    assert path.stat().st_mtime_ns == 1_000_000_000


def test_refusal_becomes_a_problem_with_vault_path_and_line(vault: Path) -> None:
    path = write_note(vault, "---\nname: a\ntier: A\ntier: B\n---\n")
    with pytest.raises(VaultError) as info:
        edit_note(path, vault, log_visit)
    assert info.value.problems == (
        Problem(PurePosixPath("clients/Acme.md"), 4, "duplicate key 'tier' (first on line 3)"),
    )
    assert path.read_text() == "---\nname: a\ntier: A\ntier: B\n---\n"


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty file"), ("---\nname: Łódź\n---\n".encode("cp1250"), "not UTF-8")],
)
def test_case11_unreadable_notes_are_never_rewritten(
    vault: Path, content: bytes, message: str
) -> None:
    path = write_note(vault, content)
    with pytest.raises(VaultError, match=message) as info:
        edit_note(path, vault, log_visit)
    assert str(info.value).startswith("clients/Acme.md:")
    assert path.read_bytes() == content


def test_case11_huge_note_is_refused(vault: Path) -> None:
    path = vault / "clients" / "Big.md"
    with open(path, "wb") as f:
        f.truncate(6 * 1024 * 1024)
    with pytest.raises(VaultError, match="clients/Big.md:0: file is .* over the 5 MB limit"):
        edit_note(path, vault, log_visit)


def test_case14_read_only_note_is_refused(vault: Path) -> None:
    path = write_note(vault, RICH)
    path.chmod(0o444)
    with pytest.raises(VaultError, match="clients/Acme.md:0: read-only"):
        edit_note(path, vault, log_visit)
    assert path.read_text() == RICH
    assert path.stat().st_mode & 0o777 == 0o444


def test_case14_symlink_out_of_the_vault_is_refused(vault: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.md"
    outside.write_text(RICH)
    link = vault / "clients" / "Acme.md"
    link.symlink_to(outside)
    with pytest.raises(VaultError, match="symbolic link"):
        edit_note(link, vault, log_visit)
    assert link.is_symlink() and outside.read_text() == RICH


def test_path_outside_root_is_refused(vault: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "x.md"
    outside.write_text(RICH)
    with pytest.raises(VaultError, match="outside the vault"):
        edit_note(outside, vault, log_visit)
    assert outside.read_text() == RICH


def test_case12_external_save_meanwhile_is_kept_and_edit_reapplied(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_note(vault, RICH)
    saves = []

    def obsidian_saves_once(target: Path) -> None:
        if not saves:
            saves.append(target)
            target.write_text(RICH.replace("Free text", "Typed in Obsidian. Free text"))

    monkeypatch.setattr(files, "_before_replace", obsidian_saves_once)
    assert edit_note(path, vault, log_visit) is True
    assert path.read_text() == RICH_AFTER.replace("Free text", "Typed in Obsidian. Free text")


def test_case12_note_changing_every_time_aborts_with_nothing_written(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_note(vault, RICH)
    counter = []

    def obsidian_keeps_saving(target: Path) -> None:
        counter.append(1)
        target.write_text(RICH + f"typing {len(counter)}\n")

    monkeypatch.setattr(files, "_before_replace", obsidian_keeps_saving)
    with pytest.raises(VaultError) as info:
        edit_note(path, vault, log_visit)
    assert str(info.value) == "clients/Acme.md:0: note changed while editing, nothing written"
    assert path.read_text() == RICH + "typing 2\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["Acme.md"]


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_case13_fault_during_edit_keeps_original(
    vault: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = write_note(vault, RICH)

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, fail)
    with pytest.raises(VaultError, match="clients/Acme.md:0: could not write: No space left"):
        edit_note(path, vault, log_visit)
    monkeypatch.undo()
    assert path.read_text() == RICH
    assert sorted(p.name for p in path.parent.iterdir()) == ["Acme.md"]


# --------------------------------------------------------------------- properties (Hypothesis)

from collections import Counter  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn"),
                             blacklist_characters="\u2028\u2029\x85\ufeff"), max_size=12)
HEAD = st.sampled_from("abcxyzABCŁŻąęłóśżź")
WORD = st.tuples(HEAD, st.text(st.sampled_from("abcąęł0129 .-_"), max_size=8)).map(
    lambda parts: "".join(parts).rstrip())
PROSE = st.tuples(HEAD, TEXT).map("".join)
TAIL = st.one_of(st.just(""), TEXT.map(lambda t: "  # " + t))
KEYS = ["name", "nip", "tier", "status", "region", "budget", "tags", "aliases", "owner", "x"]
LC_OLD = {"plain": "2024-03-05", "double": '"2024-03-05"', "single": "'2024-03-05'",
          "datetime": "2024-03-05T10:00:00+01:00", "tilde": "~", "empty": "", "null": "null"}
LC_NEW = {"double": '"2026-11-27"', "single": "'2026-11-27'"}


def double(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def key_line(key: str, token: str, tail: str) -> str:
    return f"{key}: {token}{tail}" if token else f"{key}:{tail}"


@st.composite
def front_matter_entry(draw: st.DrawFn, key: str) -> list[str]:
    kind = draw(st.sampled_from(["scalar", "flow", "block"]))
    tail = draw(TAIL)
    if kind == "flow":
        return [f"{key}: [{', '.join(draw(st.lists(WORD, max_size=3)))}]{tail}"]
    if kind == "block":
        indent = draw(st.sampled_from(["", "  "]))
        return [f"{key}:{tail}"] + [f"{indent}- {w}" for w in draw(st.lists(WORD, min_size=1,
                                                                            max_size=3))]
    token = draw(st.one_of(WORD, TEXT.map(double), TEXT.map(single),
                           st.sampled_from(["~", "", "1234.10", "2024-03-05", "0123"])))
    return [key_line(key, token, tail)]


@st.composite
def notes(draw: st.DrawFn) -> dict:
    """A note as lines plus what the edit must do to it."""
    lc_style = draw(st.sampled_from([None, *LC_OLD]))
    lc_tail = draw(TAIL)
    lc_old = key_line("last_contact", LC_OLD[lc_style], lc_tail) if lc_style else None
    fm: list[str] | None = None
    if draw(st.booleans()) or lc_style:
        groups = []
        for key in draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=6)):
            groups.append(draw(st.lists(st.one_of(st.just(""), TEXT.map(lambda t: "# " + t)),
                                        max_size=1)))
            groups.append(draw(front_matter_entry(key)))
        if lc_old:
            groups.insert(draw(st.integers(0, len(groups))), [lc_old])
        fm = [line for group in groups for line in group]
    extras = st.sampled_from(["", "---", "k: v", "## Other", "# Title", "- item", "***"])
    body = draw(st.lists(st.one_of(PROSE, extras), max_size=6))
    if draw(st.booleans()):
        fence = draw(st.sampled_from(["```", "~~~"]))
        body[draw(st.integers(0, len(body))):0] = [fence, "## Log", "- fake", fence]
    has_log = draw(st.booleans())
    if has_log:
        body += ["## Log", *draw(st.lists(st.just(""), max_size=1))]
        body += [f"- 2026-11-0{i} phone: {t}" for i, t in enumerate(draw(st.lists(TEXT,
                                                                                  max_size=3)))]
        if draw(st.booleans()):
            body += ["## Other", *draw(st.lists(PROSE, max_size=2))]
    if fm is None and body and body[0].rstrip() == "---":
        body.insert(0, "Intro")
    lines = (["---", *fm, "---"] if fm is not None else []) + body
    return {
        "lines": lines, "fm": fm is not None, "lc_style": lc_style, "lc_old": lc_old,
        "lc_new": key_line("last_contact", LC_NEW.get(lc_style or "", "2026-11-27"),
                           lc_tail if lc_style else ""),
        "has_log": has_log, "bom": draw(st.booleans()),
        "newline": draw(st.sampled_from(["\n", "\r\n"])), "final": draw(st.booleans()),
    }


def canonical_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


@PROPERTY
@given(notes(), st.sampled_from([LOG_LINE, "- 2026-11-27 email: ofert\u0119 wys\u0142ana 😀"]))
def test_property_log_changes_exactly_the_intended_lines(case: dict, log: str) -> None:
    nl = case["newline"]
    text = nl.join(case["lines"]) + (nl if case["final"] and case["lines"] else "")
    data = (b"\xef\xbb\xbf" if case["bom"] else b"") + text.encode()
    note = NoteText(data)
    note.set_scalar("last_contact", TODAY)
    note.prepend_to_section("## Log", [log])
    out = note.to_bytes()

    assert out.startswith(b"\xef\xbb\xbf") == case["bom"]
    new_text = out.decode("utf-8-sig")
    if nl == "\r\n" and "\n" in text:
        assert new_text.count("\n") == new_text.count("\r\n")
    else:
        assert "\r" not in new_text
    assert new_text.endswith("\n") == (text.endswith("\n") or not text)

    old, new = canonical_lines(text) if text else [], canonical_lines(new_text)
    expected_removed = Counter([case["lc_old"]] if case["lc_old"] else [])
    expected_added = Counter([case["lc_new"], log])
    if not case["fm"]:
        expected_added.update(["---", "---"])
    if not case["has_log"]:
        last = old[-1] if old else "---"
        expected_added.update(["", "## Log", "", log] if last.strip() else ["## Log", "", log])
        expected_added[log] -= 1
    assert Counter(old) - Counter(new) == expected_removed
    assert Counter(new) - Counter(old) == expected_added

    kept = list(old)
    if case["lc_old"]:
        kept.remove(case["lc_old"])
    walk = iter(new)
    assert all(line in walk for line in kept), "untouched lines moved"

    close = new.index("---", 1)
    loaded = yaml.safe_load("\n".join(new[1:close]))
    quoted = case["lc_style"] in ("double", "single")
    assert loaded["last_contact"] == ("2026-11-27" if quoted else TODAY)
    log_heading = len(new) - 1 - new[::-1].index("## Log")
    first_item = next(line for line in new[log_heading + 1 :] if line.startswith("- "))
    assert first_item == log


ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@PROPERTY
@given(ANY_TEXT, st.sampled_from(["plain", '"old"', "'old'", "", "~", "[a, b]", "\n  - a"]),
       st.sampled_from(["", "  # why"]))
def test_property_any_text_value_reads_back_exactly(value: str, old: str, tail: str) -> None:
    src = f"---\nnext_step: {old}{tail}\ntier: A\n---\nbody\n"
    note = NoteText(src.encode())
    note.set_scalar("next_step", value)
    out = note.to_bytes().decode()
    fm = out.split("---\n")[1]
    assert yaml.safe_load(fm) == {"next_step": value, "tier": "A"}
    from ruamel.yaml import YAML

    assert dict(YAML(typ="rt").load(fm)) == {"next_step": value, "tier": "A"}
    assert out.endswith("\ntier: A\n---\nbody\n")
    if tail and not old.startswith("\n"):
        assert tail + "\ntier: A" in out


@PROPERTY
@given(st.lists(ANY_TEXT, max_size=4), st.sampled_from(["[x]", "\n  - x", "\n- x", ""]))
def test_property_any_list_reads_back_exactly(items: list[str], old: str) -> None:
    note = NoteText(f"---\ntags: {old}\ntier: A\n---\n".encode())
    note.set_list("tags", items)
    fm = note.to_bytes().decode().split("---\n")[1]
    assert yaml.safe_load(fm) == {"tags": items, "tier": "A"}
