"""Adversarial cases 30-33 (ARCHITECTURE.md): view templates from the vault, run by `review` in the
sandbox.

A template that tries to escape, to exhaust the machine, to read outside its folder, or that has
a typo, is reported as template:line and its previous view stays byte-for-byte; the other views
are still written.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading

import pytest

from adversarial import PYTHON, assert_unchanged, cli_env, git, git_state, problem_lines, snapshot

USER = "templates/views/Portfolio.md"
CLIENTS = {"clients/Hydro.md": '---\nname: Hydro\nnip: "5260250274"\ntier: A\n---\n## Log\n'}


@pytest.fixture
def reviewed(make_vault, run):
    """A vault whose views were written once by the built-in templates and committed."""
    root = make_vault(CLIENTS, git=True)
    assert run("review", "--vault", str(root)).exit_code == 0
    return root


def review_with(run, root, template: str):  # noqa: ANN001, ANN201
    (root / USER).parent.mkdir(parents=True, exist_ok=True)
    (root / USER).write_text(template, encoding="utf-8")
    git(root, "add", USER)
    git(root, "commit", "-qm", "the rep's template")
    views = {k: v for k, v in snapshot(root).items() if k.startswith("views/")}
    result = run("review", "--vault", str(root))
    return result, views


def assert_view_kept(root, views: dict) -> None:  # noqa: ANN001
    after = snapshot(root)
    assert after["views/Portfolio.md"] == views["views/Portfolio.md"]
    assert {k for k in after if k.startswith("views/")} == set(views)


# ------------------------------------------------------------ 30: escapes and exhaustion


@pytest.mark.parametrize(("template", "line", "says"), [
    ("# P\n\n{{ ''.__class__.__mro__ }}\n", 3, "access to attribute '__class__' of 'str'"),
    ("# P\n{{ ''|attr('__class__') }}\n", 2, "access to attribute '__class__' of 'str'"),
    ("# P\nx\n{{ '{0.__class__}'.format(1) }}\n", 3, "access to attribute '__class__' of 'int'"),
    ("# P\n{{ t.__class__.__init__.__globals__ }}\n", 2, "is unsafe"),
    ("# P\n{{ cycler.__init__.__globals__.os }}\n", 2, "access to attribute '__init__'"),
    ("# P\n{% set d = {} %}{{ d.update(a=1) }}\n", 2, "access to attribute 'update'"),
    ("# P\n{% for i in range(10**8) %}x{% endfor %}\n", 2, "Range too big"),
    ("# P\n{{ 'x' * 1000000000 }}\n", 2, "repetition too large"),
    ("# P\n{{ [1] * 1000000000 }}\n", 2, "repetition too large"),
    ("# P\n{{ 2 ** 100000000 }}\n", 2, "exponent too large"),
    ("# P\n{{ '%999999999s' % 'x' }}\n", 2, "format width too large"),
    ("# P\n{{ '{:>999999999}'.format('x') }}\n", 2, "format width too large"),
    ("# P\n{{ 'x'|center(999999999) }}\n", 2, "too large"),
])
def test_30_escapes_and_exhaustion_are_refused_with_template_line_and_the_view_kept(
        reviewed, run, template, line, says):
    state = git_state(reviewed)
    result, views = review_with(run, reviewed, template)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert (problem["path"], int(problem["line"])) == (USER, line)
    assert says in problem["message"]
    assert_view_kept(reviewed, views)
    assert git(reviewed, "show", "--name-only", "--format=", "HEAD").split("\n")[:-1] == [USER]
    assert git_state(reviewed)[0] != state[0]  # only the rep's own template commit


def test_30_nested_loops_cannot_hang_the_review(reviewed):
    template = ("# P\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
                "{% endfor %}\n")
    (reviewed / USER).parent.mkdir(parents=True, exist_ok=True)
    (reviewed / USER).write_text(template, encoding="utf-8")
    views = {k: v for k, v in snapshot(reviewed).items() if k.startswith("views/")}
    # CPU seconds, not wall seconds: the bound is on the work done, whatever else the machine
    # is busy with; the wall-clock limit only keeps a real hang from hanging the suite
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([PYTHON, "-m", "salesnotes", "review", "--no-commit"],
                                env=cli_env(reviewed), stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(120, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        err.seek(0)
        stderr = err.read().decode()
    cpu = usage.ru_utime + usage.ru_stime
    assert cpu < 4, f"review worked {cpu:.1f} CPU seconds on a runaway template"
    assert os.waitstatus_to_exitcode(status) == 1 and f"{USER}:2:" in stderr
    assert_view_kept(reviewed, views)


def test_30_the_client_note_template_is_sandboxed_too(make_vault, run):
    root = make_vault({"templates/client.md": "---\nname: {{ name }}\n---\n{{ ''.__class__ }}\n"},
                      git=True)
    before, state = snapshot(root), git_state(root)
    result = run("new", "Hydro", "--vault", str(root))
    assert result.exit_code != 0
    [problem] = problem_lines(result.stderr)
    assert problem["path"] == "templates/client.md" and "__class__" in problem["message"]
    assert_unchanged(root, before)
    assert git_state(root) == state


# ------------------------------------------------------------ 31: typos


@pytest.mark.parametrize(("template", "line", "says"), [
    ("# P\n\n{{ clinet.name }}\n", 3, "'clinet' is undefined"),
    ("# P\n{% for s in tiers %}\n| {{ s.nmae }} |\n{% endfor %}\n", 3, "no attribute 'nmae'"),
    ("# P\n{{ t.no_such_label }}\n", 2, "no_such_label"),
    ("# P\n{{ totals.count|monye }}\n", 2, "monye"),
])
def test_31_a_typo_is_an_error_at_its_line_never_an_empty_column(reviewed, run, template, line,
                                                                 says):
    result, views = review_with(run, reviewed, template)
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert (problem["path"], int(problem["line"])) == (USER, line)
    assert says in problem["message"]
    assert_view_kept(reviewed, views)


# ------------------------------------------------------------ 32: the loader's folder


@pytest.mark.parametrize("target", ["../../.git/config", "../../salesnotes.yaml",
                                    "/etc/passwd", "../../clients/Hydro.md", "leak.md"])
def test_32_includes_cannot_leave_the_templates_folder(reviewed, run, tmp_path, target):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    (reviewed / "templates/views").mkdir(parents=True, exist_ok=True)
    (reviewed / "templates/views/leak.md").symlink_to(secret)
    result, views = review_with(run, reviewed, f"# P\n{{% include '{target}' %}}\n")
    assert result.exit_code == 1
    [problem] = problem_lines(result.stderr)
    assert (problem["path"], problem["line"]) == (USER, "2")
    assert "template not found" in problem["message"]
    assert_view_kept(reviewed, views)
    assert not any(b"SECRET" in data or b"[core]" in data
                   for k, (data, *_) in snapshot(reviewed).items() if k.startswith("views/"))


# ------------------------------------------------------------ 33: cells


def test_33_names_are_markdown_escaped_in_table_cells(make_vault, run):
    root = make_vault({"clients/A.md": "---\nname: \"Acme | Co *bold* <b>x</b>\"\ntier: A\n---\n",
                       "clients/B.md": "---\nname: \"Two\\nlines_here\"\ntier: A\n---\n"})
    assert run("review", "--vault", str(root), "--no-commit").exit_code == 0
    text = (root / "views/Portfolio.md").read_text()
    assert "[Acme \\| Co \\*bold\\* \\<b\\>x\\</b\\>](../clients/A.md)" in text
    assert "[Two lines\\_here](../clients/B.md)" in text
    assert "&lt;" not in text and "<b>" not in text
