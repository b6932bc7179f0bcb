"""Templates are compiled once, not in every review: salesnotes' own beside the package (or,
when that folder cannot be written or bytecode is not wanted, in the user's private cache
folder), the rep's in that private folder. Loaded from there, they give the same bytes, and the
rep's still run sandboxed and within their budget, stopped at template:line."""

from __future__ import annotations

import sys

import jinja2
import pytest
from conftest import TODAY

from salesnotes.edit.vaultinit import create_vault
from salesnotes.load.vault import load_vault
from salesnotes.views import engine, render_views
from salesnotes.views.engine import make_env, render

FOREVER = ("# P\n{% set s = 'x' * 100000 %}\n"
           "{% for a in s %}{% for b in s %}{{ '' }}{% endfor %}{% endfor %}\n")


@pytest.fixture
def private(tmp_path, monkeypatch):
    """A fresh private cache folder, and no compiled twin left from another test."""
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(engine, "PRIVATE_FOLDER", str(folder))
    monkeypatch.setattr(engine, "_TWINS", {})
    return folder


def never_compile(monkeypatch):
    """From here on, compiling any template fails: what renders came from the cache."""
    def refuse(*args, **kwargs):
        raise AssertionError("a template was compiled again")
    monkeypatch.setattr(jinja2.Environment, "_parse", refuse)


def test_builtin_templates_without_bytecode_writes_are_compiled_once(tmp_path, private,
                                                                     monkeypatch):
    root = tmp_path / "vault"
    create_vault(root, locale="pl", demo=True, today=TODAY)
    vault = load_vault(root, git=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # PYTHONDONTWRITEBYTECODE=1
    monkeypatch.setattr(engine, "COMPILED", tmp_path / "never")
    first = render_views(vault, TODAY).files
    templated = [name for name in first if name.endswith(".md")]
    assert len(list(private.glob("__salesnotes_own_*.cache"))) == len(templated)
    assert not (tmp_path / "never").exists()
    monkeypatch.setattr(engine, "_TWINS", {})  # as a new process would
    never_compile(monkeypatch)
    assert render_views(vault, TODAY).files == first


def test_a_rep_template_is_compiled_once_and_stays_sandboxed(tmp_path, private, monkeypatch):
    folder = tmp_path / "templates" / "views"
    folder.mkdir(parents=True)
    (folder / "T.md").write_text("{{ n }} {{ 'ab' * n }}\n", encoding="utf-8")
    assert render(make_env(tmp_path, "en", "PLN", "markdown"), "T.md", {"n": 2})[0].endswith(
        "2 abab\n")
    assert len(list(private.glob("__salesnotes_sandboxed_*.cache"))) == 1
    never_compile(monkeypatch)
    env = make_env(tmp_path, "en", "PLN", "markdown")
    assert render(env, "T.md", {"n": 3})[0].endswith("3 ababab\n")
    text, problem = render(env, "T.md", {"n": 10**7})  # the sandbox's bound on repetition
    assert text is None and "repetition too large" in problem.message
    assert str(problem.path) == "templates/views/T.md" and problem.line == 1


def test_a_cached_rep_template_that_runs_forever_is_still_stopped_at_its_line(
        tmp_path, private, monkeypatch):
    monkeypatch.setenv("SALESNOTES_TEMPLATE_SECONDS", "0.2")
    folder = tmp_path / "templates" / "views"
    folder.mkdir(parents=True)
    (folder / "P.md").write_text(FOREVER, encoding="utf-8")
    for _ in range(2):  # compiled (and stored), then loaded from the private folder
        text, problem = render(make_env(tmp_path, "en", "PLN", "markdown"), "P.md", {})
        assert text is None
        assert (str(problem.path), problem.line) == ("templates/views/P.md", 3)
        assert "stopped after 0.2 s of CPU time" in problem.message
        never_compile(monkeypatch)
    assert len(list(private.glob("__salesnotes_sandboxed_*.cache"))) == 1


def test_sandboxed_and_own_code_of_one_file_are_kept_apart(tmp_path, private, monkeypatch):
    """A rep's template may include a built-in one: its sandboxed compilation is stored apart
    from the unsandboxed one salesnotes renders, so neither is ever loaded for the other."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    folder = tmp_path / "templates" / "views"
    folder.mkdir(parents=True)
    (folder / "Mine.md").write_text('{% include "Pay.md" ignore missing %}\n', encoding="utf-8")
    env = make_env(tmp_path, "en", "PLN", "markdown")
    env.trusted.get_template("Pay.md")
    render(env, "Mine.md", {})  # fails for want of Pay's context, once Pay.md is compiled
    own = list(private.glob("__salesnotes_own_*.cache"))
    sandboxed = list(private.glob("__salesnotes_sandboxed_*.cache"))
    assert len(own) == 1 and len(sandboxed) == 2  # Mine.md, and Pay.md compiled sandboxed
    assert {p.name.split("_")[-1] for p in own} & {p.name.split("_")[-1] for p in sandboxed}
