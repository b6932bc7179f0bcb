"""The views at 2,000 clients, on a vault made by bench/generate.py: the answer comes first.

The vault is generated and rendered once for the module (a few seconds), and every test reads
the same bytes.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import GOLDEN, check_golden
from markdown_it import MarkdownIt

from salesnotes.model.breath import Breath
from salesnotes.model.portfolio import Book
from salesnotes.views import render_views

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate  # noqa: E402 - bench/ is not a package

CLIENTS = 2000  # conftest.vault_2000
OUT_OF_BREATH = {Breath.OVERDUE, Breath.NEVER}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def big(vault_2000) -> tuple[Book, dict[str, bytes]]:  # noqa: ANN001 - conftest's session vault
    rendered = render_views(vault_2000, generate.TODAY)
    assert not rendered.problems
    return Book.of(vault_2000, generate.TODAY), rendered.files


def note_links(markdown: str) -> list[str]:
    """Every link to a client note, in reading order, as a vault path (through a real parser)."""
    out = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        for child in token.children or ():
            href = child.attrs.get("href") if child.type == "link_open" else None
            if isinstance(href, str) and href.startswith("../clients/"):
                out.append(unquote(href[3:]))
    return out


def section(markdown: str, heading: str) -> str:
    start = markdown.index(f"\n## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start:end]


def test_the_first_client_linked_is_out_of_breath(big):
    book, files = big
    breath = {str(r.note.path): r.breath.state for r in book.rows}
    text = files["Portfolio.md"].decode()
    first = note_links(text)[0]
    assert breath[first] in OUT_OF_BREATH
    assert text.index("## Do zrobienia teraz") < text.index("## Segmenty") < 3000


def test_do_now_holds_the_biggest_money_out_of_breath(big):
    book, files = big
    rows = {str(r.note.path): r for r in book.rows}
    listed = note_links(section(files["Portfolio.md"].decode(), "Do zrobienia teraz"))
    assert len(listed) == 10
    assert all(rows[p].breath.state in OUT_OF_BREATH for p in listed)
    stakes = [rows[p].stake for p in listed]
    assert stakes == sorted(stakes, reverse=True)
    candidates = [r for r in book.rows
                  if r.breath.state in OUT_OF_BREATH and r.status != "lost"]
    assert len(candidates) > 10
    assert min(stakes) >= max(r.stake for r in candidates if str(r.note.path) not in listed)


def test_do_now_rows_carry_a_phone_link(big):
    _, files = big
    rows = [line for line in section(files["Portfolio.md"].decode(), "Do zrobienia teraz")
            .splitlines() if line.startswith("| ") and "](../clients/" in line]
    assert len(rows) == 10
    assert all("](tel:+48" in line for line in rows)
    assert all(line.count(" | ") == 4 for line in rows)  # five columns: fits a phone


def test_the_map_groups_each_tier_by_breath(big):
    _, files = big
    the_map = section(files["Portfolio.md"].decode(), "Mapa: wszyscy klienci")
    glyphs = [Breath.OVERDUE.glyph, Breath.NEVER.glyph, Breath.DUE.glyph, Breath.OK.glyph]
    blocks = the_map.split("\n### ")[1:]
    assert [b[:10] for b in blocks] == ["Segment A:", "Segment B:", "Segment C:"]
    for block in blocks:
        cells = [c.strip()[:1] for line in block.splitlines()[3:] if line.startswith("| ")
                 for c in line.strip("|").split(" | ") if c.strip()]
        order = [glyphs.index(c) for c in cells]
        assert order == sorted(order)
        rows = [line for line in block.splitlines()[3:] if line.startswith("| ")]
        assert all(len({c.strip()[:1] for c in r.strip("|").split(" | ") if c.strip()}) == 1
                   for r in rows)  # a row holds one colour


def test_svg_fits_a_screen_and_names_the_biggest_clients(big):
    book, files = big
    root = ET.fromstring(files["portfolio.svg"])
    assert int(root.get("width")) <= 1200 and int(root.get("height")) <= 900
    tiles = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "tile"]
    assert len(tiles) == CLIENTS  # every client, none merged
    written = set()
    for t in root.iter(f"{SVG}text"):
        if t.get("class") == "name":
            spans = t.findall(f"{SVG}tspan")
            written.add(" ".join(s.text or "" for s in spans) if spans else t.text)
    biggest = sorted(book.rows, key=lambda r: -(r.note.budget or r.note.potential or 0))[:20]
    missing = [r.name for r in biggest if " ".join(r.name.split()) not in written]
    assert not missing
    assert not list(root.iter(f"{SVG}title"))  # no hover hints: an embedded SVG has none
    late = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "late"]
    assert len(late) > 20 and all(t.split()[0].isdigit() for t in late)


def test_first_screen_golden(big, update_golden):
    """Portfolio.md down to its map, at 2,000 clients: the part a rep reads on Monday."""
    _, files = big
    text = files["Portfolio.md"].decode()
    first = text[:text.index("\n## Mapa: wszyscy klienci")] + "\n"
    check_golden(GOLDEN / "portfolio" / "pl" / "2000" / "Portfolio.first-screen.md", first,
                 update_golden)
