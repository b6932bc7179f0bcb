"""Checklist templates, who they apply to, item matching, and the Checklists.md view."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from conftest import GOLDEN, SPEC_NOTE, TODAY, check_golden, template_with_loops
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.load.vault import load_vault
from salesnotes.model.config import STATUSES, ChecklistRule, Config
from salesnotes.model.portfolio import Book
from salesnotes.read.note import Note, read_note
from salesnotes.reports.checklists import (
    _tagged,
    applies,
    item_key,
    item_lines,
    load_checklists,
    missing_items,
    parse_template,
    progress,
    rule_matcher,
    rule_matches,
    sections_of,
)
from salesnotes.views import checklists as view
from salesnotes.views.engine import MARKER, make_env, render

KEY_ACCOUNT = """# Key account

- [ ] Decision maker identified
  Who signs, who pays, who uses: names and phones.
- [ ] Annual purchase plan agreed
- [ ] Terms in writing
- [ ] Quarterly review held
"""
COMPETITOR_WIN = """# Winning a competitor's client

- [ ] Current supplier's terms known
- [ ] Trial order delivered
- [ ] First regular order
"""
ONBOARDING = """# Onboarding

- [ ] NIP checked
- [ ] First offer sent
"""
CONFIG = """owner: Jan Kowalski
locale: {locale}
checklists:
  key-account: {{tiers: [A]}}
  competitor-win: {{has: competitor}}
  onboarding: {{status: [prospect]}}
  referral: {{tags: [partner]}}
"""
TEMPLATES = {"templates/checklists/key-account.md": KEY_ACCOUNT,
             "templates/checklists/competitor-win.md": COMPETITOR_WIN,
             "templates/checklists/onboarding.md": ONBOARDING}


def note(front: str, body: str = "", path: str = "clients/X.md"):
    return read_note(PurePosixPath(path), f"---\n{front}---\n{body}".encode()).note


def client(name: str, front: str, body: str = "") -> tuple[str, str]:
    return f"clients/{name}.md", f"---\nname: {name}\n{front}---\n# {name}\n{body}"


def portfolio() -> dict[str, str]:
    """A small portfolio that shows every part of the view once."""
    files = dict(TEMPLATES)
    files["clients/Hydro-Tech Sp. z o.o..md"] = SPEC_NOTE.replace(
        "- [x] Decision maker identified\n- [ ] Annual purchase plan agreed\n",
        "- [x] decision  MAKER identified\n- [ ] Annual purchase plan agreed\n"
        "- [x] Terms in writing ✅ 2026-11-20\n- [ ] Old item the template dropped\n")
    for name, front, body in (
        ("Baumax", "tier: A\npotential: 500000\ncompetitor: Aqua-Serwis\n", ""),
        ("Kowalski | Syn", "tier: A\npotential: 90000\n",
         "\n## Checklist: Key account\n- [x] Decision maker identified\n"
         "- [x] Annual purchase plan agreed\n- [x] Terms in writing\n"
         "- [x] Quarterly review held\n"),
        ("Łódź Serwis", "tier: B\npotential: 60000\ncompetitor: aqua-serwis\n",
         "\n## Checklist: Winning a competitor's client\n- [x] Current supplier's terms known\n"
         "- [ ] Trial order delivered\n- [ ] First regular order\n"),
        ("Nowy Klient", "tier: C\nstatus: prospect\nbudget: 12000\n", ""),
        ("Stal-Bud", "tier: B\npotential: 30000\ncompetitor: Stalex\nchecklists: [ghost]\n",
         "\n## Checklist: Something else\n- [ ] x\n"),
        ("Zeta", "tier: C\nchecklists: [Key account]\n",
         "\n## Checklist: Key account\n- [ ] Decision maker identified\n"),
    ):
        path, text = client(name, front, body)
        files[path] = text
    return files


def render_view(root: Path) -> str:
    vault = load_vault(root, git=False)
    book = Book.of(vault, TODAY)
    env = make_env(root, vault.config.locale, vault.config.currency, vault.config.links)
    text, problem = render(env, view.TEMPLATE, view.context(book))
    assert problem is None, problem
    return text


# -- templates ------------------------------------------------------------------------------


def test_template_title_items_and_hints():
    checklist, problems = parse_template("key-account", PurePosixPath("t.md"), KEY_ACCOUNT)
    assert problems == []
    assert checklist.title == "Key account"
    assert checklist.heading == "## Checklist: Key account"
    assert [i.text for i in checklist.items] == ["Decision maker identified",
                                                 "Annual purchase plan agreed",
                                                 "Terms in writing", "Quarterly review held"]
    assert checklist.items[0].hints == ("Who signs, who pays, who uses: names and phones.",)
    assert item_lines(checklist.items[:2]) == [
        "- [ ] Decision maker identified", "  Who signs, who pays, who uses: names and phones.",
        "- [ ] Annual purchase plan agreed"]


def test_template_problems_are_reported_with_lines():
    checklist, problems = parse_template("x", PurePosixPath("t.md"),
                                         "- [ ] One\n- [ ] two \n- [ ] ONE\n")
    assert checklist.title == "x"  # no title line: the file name
    assert [i.text for i in checklist.items] == ["One", "two"]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "item repeats line 1"), (1, "no title line (like `# Key account`); the file name 'x' "
                                       "is used as the title")]
    empty, problems = parse_template("e", PurePosixPath("e.md"), "# Empty\n\nJust prose.\n")
    assert empty is None and "no items" in problems[0].message


def test_load_reads_bom_crlf_and_skips_broken_templates(tmp_path):
    folder = tmp_path / "templates" / "checklists"
    folder.mkdir(parents=True)
    (folder / "a.md").write_bytes(b"\xef\xbb\xbf# A title\r\n\r\n- [ ] One\r\n  hint\r\n")
    (folder / "b.md").write_bytes(b"# B\n- [ ] caf\xe9\n")  # cp1250/latin-1, not UTF-8
    (folder / "c.txt").write_text("# not a template\n- [ ] x\n")
    found = load_checklists(tmp_path)
    assert list(found.by_name) == ["a"]
    a = found.by_name["a"]
    assert (a.title, a.items[0].text, a.items[0].hints) == ("A title", "One", ("hint",))
    assert [str(p) for p in found.problems] == [
        "templates/checklists/b.md:2: not UTF-8: save the checklist template as UTF-8"]
    assert found.find("A") is a


# -- who a checklist applies to ---------------------------------------------------------------


@pytest.mark.parametrize(("rule", "front", "expected"), [
    (ChecklistRule("k", tiers=("A",)), "tier: A\n", True),
    (ChecklistRule("k", tiers=("A",)), "tier: B\n", False),
    (ChecklistRule("k", tiers=("C",)), "name: x\n", True),  # no tier: the default tier
    (ChecklistRule("k", statuses=("prospect",)), "status: prospect\n", True),
    (ChecklistRule("k", statuses=("prospect",)), "name: x\n", False),  # no status: active
    (ChecklistRule("k", has=("competitor",)), "competitor: Aqua\n", True),
    (ChecklistRule("k", has=("competitor",)), "competitor:\n", False),
    (ChecklistRule("k", has=("competitor",)), "competitor: ''\n", False),
    (ChecklistRule("k", has=("contract_no",)), "contract_no: 17\n", True),  # an unknown key
    (ChecklistRule("k", tags=("partner",)), "tags: [hvac, '#Partner']\n", True),
    (ChecklistRule("k", tags=("region",)), "tags: [region/mazowsze]\n", True),
    (ChecklistRule("k", tags=("region",)), "tags: [regional]\n", False),
    (ChecklistRule("k", tiers=("A",), has=("competitor",)), "tier: A\n", False),  # all must hold
    (ChecklistRule("k"), "tier: A\n", False),  # no condition: only notes that ask for it
])
def test_rule_matches(rule, front, expected):
    assert rule_matches(rule, note(front), Config()) is expected


def test_a_note_can_ask_for_a_checklist_itself(tmp_path):
    (tmp_path / "templates/checklists").mkdir(parents=True)
    (tmp_path / "templates/checklists/onboarding.md").write_text(ONBOARDING)
    onboarding = load_checklists(tmp_path).by_name["onboarding"]
    config = Config(checklists={})
    assert applies(onboarding, note("checklists: [onboarding]\n"), config)
    assert applies(onboarding, note("checklists: [ONBOARDING]\n"), config)
    assert applies(onboarding, note("checklists: [Onboarding]\n"), config)  # by title
    assert not applies(onboarding, note("checklists: [key-account]\n"), config)


# -- matching note sections to a template -----------------------------------------------------


def test_item_key_ignores_case_spacing_and_tasks_dates():
    assert item_key("  Decision   MAKER identified ✅ 2026-11-15") == "decision maker identified"
    assert item_key("Trial order [completion:: 2026-11-15]") == "trial order"
    assert item_key("Terms in writing") != item_key("Terms in writing, signed")


def test_progress_matches_loosely_and_keeps_ticks():
    checklist, _ = parse_template("key-account", PurePosixPath("t.md"), KEY_ACCOUNT)
    n = note("tier: A\n", "## checklist:   KEY  account\n- [x] decision maker IDENTIFIED\n"
             "- [ ] annual  purchase plan agreed\n- [X] Terms in writing ✅ 2026-11-02\n"
             "- [x] A retired item\n\n## Checklist: Other\n- [x] Quarterly review held\n")
    sections = sections_of(checklist, n)
    assert [s.title for s in sections] == ["KEY  account"]
    p = progress(checklist, sections)
    assert p.done == ("Decision maker identified", "Terms in writing")
    assert p.open == ("Annual purchase plan agreed", "Quarterly review held")
    assert [i.text for i in p.extra] == ["A retired item"]
    assert (len(p.done), p.total, p.complete) == (2, 4, False)
    assert [i.text for i in missing_items(checklist, sections)] == ["Quarterly review held"]


def test_a_ticked_duplicate_counts_as_done():
    checklist, _ = parse_template("k", PurePosixPath("t.md"), "# K\n- [ ] One\n")
    n = note("", "## Checklist: K\n- [ ] One\n- [x] one\n")
    assert progress(checklist, sections_of(checklist, n)).complete


def test_bar():
    assert [view.bar(d, 5) for d in range(6)] == ["▱▱▱▱▱", "▰▱▱▱▱", "▰▰▱▱▱", "▰▰▰▱▱",
                                                  "▰▰▰▰▱", "▰▰▰▰▰"]
    assert view.bar(1, 100) == "▰▱▱▱▱" and view.bar(99, 100) == "▰▰▰▰▱"
    assert view.bar(0, 0) == "▱▱▱▱▱"


# -- the view ---------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["pl", "en"])
def test_checklists_view_golden(make_vault, update_golden, locale):
    root = make_vault(portfolio(), config=CONFIG.format(locale=locale))
    text = render_view(root)
    check_golden(GOLDEN / "checklists" / locale / "Checklists.md", text, update_golden)


def test_view_shows_progress_counts_missing_and_competitors(make_vault):
    text = render_view(make_vault(portfolio(), config=CONFIG.format(locale="en")))
    assert "- [ ]" not in text and "- [x]" not in text
    hydro = next(line for line in text.splitlines() if line.startswith("| [Hydro-Tech"))
    # loose match: `decision  MAKER`, Tasks' ✅ date; no tick on an unfinished list
    assert "| 2/4 ▰▰▰▱▱ |" in hydro and "✅" not in hydro
    assert "Annual purchase plan agreed · Quarterly review held" in hydro
    assert "| Decision maker identified | 2 of 4 ▰▰▰▱▱ |" in text  # 3 with the section + Baumax
    assert "`salesnotes checklist apply key-account`" in text
    assert "| [Baumax](../clients/Baumax.md) | A |" in text  # applies, no section yet
    assert "[Kowalski \\| Syn](../clients/Kowalski%20%7C%20Syn.md)" in text
    assert "| Old item the template dropped | open |" in text
    aqua = next(line for line in text.splitlines() if line.startswith("| Aqua-Serwis"))
    assert "PLN 800,000.00" in aqua  # Hydro-Tech 240k + Baumax 500k + Łódź Serwis 60k
    assert "| 1/9 ▰▱▱▱▱ |" in aqua and "✅" not in aqua
    assert "clients/Stal-Bud.md:6: checklists: no template templates/checklists/ghost.md" in text
    assert "salesnotes.yaml:0: checklists.referral: no template" in text
    assert "Something else: no template" in text


def test_view_without_templates_says_how_to_add_them(make_vault):
    text = render_view(make_vault({"clients/A.md": "---\ncompetitor: X\n---\n"}))
    assert "No checklist templates yet" in text and "- [ ]" not in text
    assert "| X | [A](../clients/A.md) | PLN 0.00 | – |" in text


def test_a_big_competitor_shows_its_ten_biggest_clients(make_vault):
    files = dict(client(f"C{i:02d}", f"potential: {i * 1000}\ncompetitor: Rival\n")
                 for i in range(12))
    rival = next(line for line in render_view(make_vault(files)).splitlines()
                 if line.startswith("| Rival"))
    assert rival.startswith("| Rival | [C11](../clients/C11.md), [C10](../clients/C10.md), ")
    assert "[C02]" in rival and "[C01]" not in rival and " +2 more |" in rival
    assert "| PLN 66,000.00 |" in rival  # the sum counts every client, shown or not


def test_the_tick_marks_only_a_finished_checklist(make_vault):
    text = render_view(make_vault(portfolio(), config=CONFIG.format(locale="en")))
    rows = {line.split("](")[0][3:]: line for line in text.splitlines()
            if line.startswith("| [") and "/4 " in line}
    assert "| ✅ 4/4 ▰▰▰▰▰ | all done |" in rows["Kowalski \\| Syn"]
    assert "| 0/4 ▱▱▱▱▱ |" in rows["Zeta"] and "✅" not in rows["Zeta"]
    ticked = [line for line in text.splitlines() if "✅" in line]
    assert ticked and all(" 4/4 " in line for line in ticked), ticked


def test_open_items_are_capped_per_cell(make_vault):
    items = [f"Step {i} of the long onboarding, with a name long enough to wrap a cell"
             for i in range(9)]
    files = {"templates/checklists/key-account.md":
             "# Key account\n" + "".join(f"- [ ] {i}\n" for i in items)}
    files.update([client("Big", "tier: A\n", "\n## Checklist: Key account\n"
                         + "".join(f"- [ ] {i}\n" for i in items))])
    text = render_view(make_vault(files, config="checklists:\n  key-account: {tiers: [A]}\n"))
    row = next(line for line in text.splitlines() if line.startswith("| [Big]"))
    cell = row.rstrip(" |").rsplit(" | ", 1)[1]
    assert cell.endswith(" +6") and cell.count(" · ") == 2, cell
    assert cell.startswith("Step 0 of the long onboarding, with a name long…")
    assert len(cell) < 200
    assert "| 0/9 ▱▱▱▱▱ |" in row and "✅" not in row


# -- the long tables: written in Python, read as the template's loops wrote them -------------

# The loops the built-in template held before its long tables were laid out in Python
# (views/checklists.py Rows): a rep's copy of that template still renders with them.
LOOPS = {
    "{% for line in rows.clients_lines(b) %}\n{{ line }}\n{% endfor %}\n":
        "{% for c in b.clients %}\n| {{ c.row.note | link }} | {{ c.row.tier | cell }} "
        "| {{ c.row.stake | money }} | {{ c.mark }}{{ c.progress.done | length }}/"
        "{{ c.progress.total }} {{ c.bar }} | {% if c.progress.complete %}{{ t.cl_all_done }}"
        "{% else %}{{ c.open_shown | join(\" · \") | cell }}{% if c.open_more %} "
        "+{{ c.open_more }}{% endif %}{% endif %} |\n{% endfor %}\n",
    "{% for line in rows.missing_lines(b) %}\n{{ line }}\n{% endfor %}\n":
        "{% for r in b.missing %}\n"
        "| {{ r.note | link }} | {{ r.tier | cell }} | {{ r.stake | money }} |\n{% endfor %}\n",
    "{% for line in rows.extra_lines(b) %}\n{{ line }}\n{% endfor %}\n":
        "{% for e in b.extra %}\n| {{ e.row.note | link }} | {{ e.text | cell }} "
        "| {{ t.cl_ticked if e.done else t.cl_unticked }} |\n{% endfor %}\n",
}


# The calls that wrote each table as one string, before the built-in template wrote its rows
# one by one: a rep's copy of that template still renders with them.
JOINED = {
    "{% for line in rows.clients_lines(b) %}\n{{ line }}\n{% endfor %}\n":
        "{{ rows.clients(b) }}\n",
    "{% for line in rows.missing_lines(b) %}\n{{ line }}\n{% endfor %}\n":
        "{{ rows.missing(b) }}\n",
    "{% for line in rows.extra_lines(b) %}\n{{ line }}\n{% endfor %}\n":
        "{{ rows.extra(b) }}\n",
}


def looped_template() -> str:
    return template_with_loops(view, LOOPS)


@pytest.mark.parametrize(("locale", "links"), [("en", "markdown"), ("pl", "wiki")])
def test_a_reps_template_with_the_loops_writes_the_same_checklists_md(make_vault, locale,
                                                                      links):
    """The rows made in Python are the loops' bytes (done, open and `+N` cells, a finished
    list, a missing section, an item the template lost), and a rep's own template
    (sandboxed) still gets every value it got: a copy of the older template renders the same."""
    root = make_vault(portfolio(), config=CONFIG.format(locale=locale) + f"links: {links}\n")
    ours = render_view(root)
    assert " +1 |" in ours and "✅ 4/4" in ours and "| Old item the template dropped |" in ours
    (root / "templates" / "views").mkdir(parents=True)
    (root / "templates" / "views" / "Checklists.md").write_text(looped_template(), "utf-8")
    assert render_view(root) == ours
    (root / "templates" / "views" / "Checklists.md").write_text(
        template_with_loops(view, JOINED), encoding="utf-8")
    assert render_view(root) == ours


def test_the_2000_client_tables_are_the_loops_bytes(vault_2000):
    book = Book.of(vault_2000, TODAY)
    env = make_env(vault_2000.root, "pl", "PLN", "markdown")
    context = view.context(book)
    assert sum(len(b.clients) + len(b.missing) for b in context["blocks"]) > 900
    text, problem = render(env, view.TEMPLATE, context)
    assert problem is None
    assert text == MARKER + "\n" + env.trusted.from_string(looped_template()).render(
        **context).lstrip("\n")


def plain_rule_matches(rule: ChecklistRule, note, config: Config) -> bool:  # noqa: ANN001
    """The rule as written before `rule_matcher`: every condition looked at for every note."""
    if not (rule.tiers or rule.statuses or rule.has or rule.tags):
        return False
    if rule.tiers and (note.tier if note.tier in config.tiers
                       else config.default_tier) not in rule.tiers:
        return False
    if rule.statuses and (note.status if note.status in STATUSES
                          else "active") not in rule.statuses:
        return False
    if rule.has and not all(plain_has(note, key) for key in rule.has):
        return False
    return not rule.tags or any(_tagged(note, tag) for tag in rule.tags)


def plain_has(note, key: str) -> bool:  # noqa: ANN001
    """`_has` as first written: the kind of key decided for every note."""
    if key in Note.__dataclass_fields__ and key not in ("path", "body", "key_lines", "key_types"):
        value = getattr(note, key)
        return bool(value.strip() if isinstance(value, str) else value)
    return note.key_types.get(key, "empty") != "empty"


@settings(max_examples=40, deadline=None)
@given(tiers=st.lists(st.sampled_from(["A", "B", "C", "X"]), max_size=2),
       statuses=st.lists(st.sampled_from(["active", "prospect", "lost", "paused"]), max_size=2),
       has=st.lists(st.sampled_from(["competitor", "budget", "potential", "nip", "phone",
                                     "contract_no", "path", "body"]), max_size=2),
       tags=st.lists(st.sampled_from(["hvac", "partner", "region", "vip"]), max_size=2))
def test_a_rule_matches_the_notes_the_plain_rule_does(vault_2000, tiers, statuses, has, tags):
    rule = ChecklistRule("k", tuple(tiers), tuple(statuses), tuple(has), tuple(tags))
    matches = rule_matcher(rule, vault_2000.config)
    notes = vault_2000.notes
    assert [matches(n) for n in notes] == [plain_rule_matches(rule, n, vault_2000.config)
                                           for n in notes]
