"""The views engine: money and date filters, links, cells, the sandbox, template problems."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest
from conftest import TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.errors import Problem
from salesnotes.load.vault import load_vault
from salesnotes.views import GENERATED, render_views, write_views
from salesnotes.views.engine import MARKER, cell, make_env, render

NBSP = "\u00a0"


def env_with(tmp_path: Path, templates: dict[str, str], locale: str = "pl",
             links: str = "markdown"):
    folder = tmp_path / "templates" / "views"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in templates.items():
        (folder / name).write_text(text, encoding="utf-8")
    return make_env(tmp_path, locale, "PLN", links)


def render_one(tmp_path: Path, source: str, context: dict | None = None, **kw):
    env = env_with(tmp_path, {"T.md": source}, **kw)
    return render(env, "T.md", context or {})


@pytest.mark.parametrize(("locale", "value", "shown"), [
    ("pl", "12345.67", f"12{NBSP}345,67{NBSP}zł"),
    ("en", "12345.67", "PLN 12,345.67"),
    ("pl", "0.005", f"0,01{NBSP}zł"),
    ("en", "0.005", "PLN 0.01"),
    ("en", "2.675", "PLN 2.68"),  # half-up, where binary floats and half-even give 2.67
    ("pl", "-1234.5", f"-1{NBSP}234,50{NBSP}zł"),
])
def test_money_filter(tmp_path, locale, value, shown):
    text, problem = render_one(tmp_path, "{{ v|money }}", {"v": Decimal(value)}, locale=locale)
    assert problem is None
    assert text == f"{MARKER}\n{shown}"


def test_date_pct_and_plural_filters(tmp_path):
    source = "{{ d|date }} {{ d|long_date }} {{ d|weekday }} {{ none|date }} {{ f|pct }} " \
             "{{ t.plural('client', 1) }}, {{ t.plural('client', 5) }}"
    text, _ = render_one(tmp_path, source, {"d": TODAY, "none": None, "f": Decimal("0.875")})
    assert text.endswith("2026-11-27 27 listopada 2026 piątek – 88% 1 klient, 5 klientów")


def test_cell_keeps_a_table_row_whole():
    assert cell("A | B <b>x</b>\nnext *y* [z]") == "A \\| B \\<b\\>x\\</b\\> next \\*y\\* \\[z\\]"
    assert cell(None) == ""
    assert "&lt;" not in cell("<b>")


def test_links_are_url_encoded_relative_markdown(tmp_path):
    note = type("N", (), {"path": PurePosixPath("clients/Hydro-Tech Sp. z o.o..md"),
                          "name": "Hydro-Tech"})()
    text, _ = render_one(tmp_path, "{{ n|link }}", {"n": note})
    assert text.endswith("[Hydro-Tech](../clients/Hydro-Tech%20Sp.%20z%20o.o..md)")
    text, _ = render_one(tmp_path, "{{ n|link('A|B') }}", {"n": note}, links="wiki")
    assert text.endswith("[[clients/Hydro-Tech Sp. z o.o.\\|A-B]]")


def test_link_text_of_any_type_is_a_cell(tmp_path):
    note = type("N", (), {"path": PurePosixPath("clients/A.md"), "name": "A"})()
    source = "{{ n|link(['a|b']) }} {{ n|link(5) }} {{ 'x.md'|linkto(none) }}"
    text, _ = render_one(tmp_path, source, {"n": note})
    assert text.endswith("[\\['a\\|b'\\]](../clients/A.md) [5](../clients/A.md) [](../x.md)")


def test_strict_undefined_names_the_template_line(tmp_path):
    text, problem = render_one(tmp_path, "# Title\n\n{{ clinet.name }}\n", {"client": {}})
    assert text is None
    assert problem == Problem(PurePosixPath("templates/views/T.md"), 3,
                              "template: 'clinet' is undefined")


def test_missing_label_is_a_problem_not_a_traceback(tmp_path):
    _, problem = render_one(tmp_path, "ok\n{{ t.no_such_label }}")
    assert problem.line == 2
    assert problem.message == "template: no label 'no_such_label' in locale 'pl'"


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{{ 'x' * 10**9 }}",
    "{{ [0] * 10**9 }}",
    "{{ '%999999999s' % 'x' }}",
    "{{ '%999999999s'|format('x') }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ '{:>999999999}'.format('x') }}",
    "{{ ((10**100)**100)**100 }}",
])
def test_sandbox_refuses_escapes_and_bombs_fast(tmp_path, source):
    started = time.perf_counter()
    text, problem = render_one(tmp_path, source)
    assert time.perf_counter() - started < 1
    assert text is None and problem.path == PurePosixPath("templates/views/T.md")
    assert problem.line == 1
    assert "unsafe" in problem.message or "too large" in problem.message


def test_include_cannot_leave_the_templates_folder(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\nsecret = yes\n")
    text, problem = render_one(tmp_path, "{% include '../../.git/config' %}")
    assert text is None
    assert problem.message == "template not found: ../../.git/config"


def test_syntax_error_names_its_line(tmp_path):
    _, problem = render_one(tmp_path, "a\nb\n{% for x in %}\n")
    assert problem.path == PurePosixPath("templates/views/T.md") and problem.line == 3
    assert problem.message.startswith("template: ")


def test_builtin_template_problem_names_the_builtin_file(tmp_path):
    env = make_env(tmp_path, "en", "PLN", "markdown")  # no templates/views: ours only
    _, problem = render(env, "Portfolio.md", {})
    assert str(problem.path) == "salesnotes/views/templates/Portfolio.md"


def test_user_template_replaces_the_builtin_one(make_vault):
    root = make_vault({"clients/Acme.md": "---\nname: Acme\n---\n",
                       "templates/views/Portfolio.md": "# Mine: {{ total }} {{ t.clients }}\n"})
    files = render_views(load_vault(root, git=False), TODAY).files
    assert files["Portfolio.md"] == f"{MARKER}\n# Mine: 1 Clients\n".encode()


def test_broken_user_template_keeps_the_previous_view(make_vault):
    root = make_vault({"clients/Acme.md": "---\nname: Acme\n---\n"})
    first = render_views(load_vault(root, git=False), TODAY)
    write_views(root, first.files)
    before = (root / "views" / "Portfolio.md").read_bytes()
    (root / "templates" / "views").mkdir(parents=True)
    (root / "templates" / "views" / "Portfolio.md").write_text("x\n{{ clinet }}\n")
    second = render_views(load_vault(root, git=False), TODAY)
    assert "Portfolio.md" not in second.files and "portfolio.svg" in second.files
    assert [str(p) for p in second.problems if "Portfolio" in str(p.path)] == [
        "templates/views/Portfolio.md:2: template: 'clinet' is undefined"]
    result = write_views(root, second.files)
    assert (root / "views" / "Portfolio.md").read_bytes() == before
    assert not result.written


def test_write_views_refuses_hand_made_files_and_skips_unchanged(tmp_path):
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "Mine.md").write_text("my own notes\n")
    ours = b"<!-- " + GENERATED + b" -->\n"
    files = {"Mine.md": ours, "New.md": ours}
    first = write_views(tmp_path, files)
    assert [p.name for p in first.written] == ["New.md"]
    assert [str(p) for p in first.problems] == [
        "views/Mine.md:0: not written: its first line is not the 'generated by salesnotes' "
        "marker, so it was made or changed by hand; move it away to let salesnotes write the "
        "view"]
    assert (tmp_path / "views" / "Mine.md").read_text() == "my own notes\n"
    mtime = (tmp_path / "views" / "New.md").stat().st_mtime_ns
    second = write_views(tmp_path, {"New.md": ours})
    assert not second.written and [p.name for p in second.unchanged] == ["New.md"]
    assert (tmp_path / "views" / "New.md").stat().st_mtime_ns == mtime


def test_write_views_reports_a_folder_in_the_way(tmp_path):
    (tmp_path / "views" / "X.md").mkdir(parents=True)
    result = write_views(tmp_path, {"X.md": GENERATED})
    assert result.problems and not result.written


def test_write_views_writes_the_files_side_by_side_and_lists_them_in_order(tmp_path,
                                                                          monkeypatch):
    """Each view waits on the disk (fsyncs): they are written at once, not one after another.
    Every write here waits until all of them have started, which one-by-one writing never
    reaches; the result is still each file's bytes, in name order, and a write that raises
    raises in the caller."""
    import threading

    from salesnotes import views

    ours = b"<!-- " + GENERATED + b" -->\n"
    files = {f"{name}.md": ours + name.encode() for name in ("C", "A", "D", "B")}
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "D.md").write_text("by hand\n")
    (tmp_path / "views" / "B.md").write_bytes(files["B.md"])
    everyone = threading.Barrier(len(files) - 1, timeout=10)  # D.md, by hand, is not written
    real = views.atomic_write

    def together(path, data, **kw):  # noqa: ANN001, ANN003, ANN202
        everyone.wait()
        return real(path, data, **kw)

    monkeypatch.setattr(views, "atomic_write", together)
    running = set(threading.enumerate())
    result = write_views(tmp_path, files)
    assert [p.name for p in result.written] == ["A.md", "C.md"]
    assert [p.name for p in result.unchanged] == ["B.md"]
    assert [str(p.path) for p in result.problems] == ["views/D.md"]
    for name in ("A.md", "B.md", "C.md"):
        assert (tmp_path / "views" / name).read_bytes() == files[name]
    assert (tmp_path / "views" / "D.md").read_text() == "by hand\n"
    assert set(threading.enumerate()) <= running  # every writer is done

    def broken(path, data, **kw):  # noqa: ANN001, ANN003, ANN202
        if path.name == "C.md":
            raise RuntimeError("disk on fire")
        return real(path, data, **kw)

    monkeypatch.setattr(views, "atomic_write", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_views(tmp_path, {name: data + b"2" for name, data in files.items()})
    assert (tmp_path / "views" / "A.md").read_bytes() == files["A.md"] + b"2"


def test_a_failing_view_is_a_problem_and_the_others_are_built(make_vault, monkeypatch):
    from salesnotes.views import portfolio

    def boom(book):  # noqa: ANN001, ANN202
        raise RuntimeError("bug")

    monkeypatch.delenv("SALESNOTES_DEBUG", raising=False)
    monkeypatch.setattr(portfolio, "context", boom)
    root = make_vault({"clients/Acme.md": "---\nname: Acme\n---\n"})
    rendered = render_views(load_vault(root, git=False), date(2026, 11, 27))
    assert "Portfolio.md" not in rendered.files
    assert "views/Portfolio.md:0: view not built: RuntimeError: bug" in map(str, rendered.problems)


def test_a_symlink_out_of_the_templates_folder_is_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    env = env_with(tmp_path, {"ok.md": "fine"})
    (tmp_path / "templates" / "views" / "Leak.md").symlink_to(secret)
    text, problem = render(env, "Leak.md", {})
    assert text is None and problem.message == "template not found: Leak.md"
    assert render(env, "ok.md", {})[0].endswith("fine")


def test_compiled_builtin_templates_render_the_same_bytes(tmp_path, monkeypatch):
    import sys

    from salesnotes.edit.vaultinit import create_vault
    from salesnotes.views import engine

    root = tmp_path / "vault"
    create_vault(root, locale="pl", demo=True, today=TODAY)
    vault = load_vault(root, git=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.setattr(engine, "_TWINS", {})
    plain = render_views(vault, TODAY).files
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(engine, "COMPILED", tmp_path / "compiled")
    for _ in range(2):  # compiled and stored, then loaded from the stored bytecode
        monkeypatch.setattr(engine, "_TWINS", {})
        assert render_views(vault, TODAY).files == plain
    templated = [name for name in plain if name.endswith(".md")]  # pictures, ics, base: none
    assert len(list((tmp_path / "compiled").iterdir())) == len(templated)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_url_path_escapes_exactly_as_urllib_quote(text):
    from urllib.parse import quote

    from salesnotes.views.engine import url_path

    assert url_path(text) == quote(text, safe="/")
