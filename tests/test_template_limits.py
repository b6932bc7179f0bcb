"""Every template bounded: the rep's view templates and templates/client.md run within a CPU,
memory and output budget; a refused write is one line and exit 1. Through the real CLI."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time

import pytest
from conftest import SPEC_NOTE, TODAY, commits, snapshot

from salesnotes import sandbox

USER = "templates/views/Portfolio.md"
NOTE = "clients/Hydro-Tech.md"
# loops over a string: no range() to budget, 10^10 steps; the sandbox alone never stops it
FOREVER = ("# P\n{% set s = 'x' * 100000 %}\n"
           "{% for a in s %}{% for b in s %}{{ '' }}{% endfor %}{% endfor %}\n")
FAST = {"SALESNOTES_TEMPLATE_SECONDS": "0.3"}


@pytest.fixture
def reviewed(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE}, git=True)
    assert run("review", "--vault", str(root)).exit_code == 0
    return root


def test_a_view_template_that_would_run_forever_is_stopped_at_its_line(reviewed, run):
    (reviewed / USER).parent.mkdir(parents=True)
    (reviewed / USER).write_text(FOREVER, encoding="utf-8")
    before = snapshot(reviewed)
    started = time.monotonic()
    r = run("review", "--vault", str(reviewed), "--no-commit", env=FAST)
    assert time.monotonic() - started < 30
    assert r.exit_code == 1
    assert (f"{USER}:3: template stopped after 0.3 s of CPU time (a loop too long?); the "
            "previous view is kept") in r.stderr
    after = snapshot(reviewed)
    assert after["views/Portfolio.md"] == before["views/Portfolio.md"]
    assert after["views/Budget.md"] == before["views/Budget.md"]  # the others still built
    # the vault lock was released: the next command runs at once
    assert run("log", "hydro", "after", "--vault", str(reviewed), "--no-commit").exit_code == 0


def test_lipsum_cannot_make_millions_of_paragraphs(reviewed, run):
    (reviewed / USER).parent.mkdir(parents=True)
    (reviewed / USER).write_text("# P\n\n{{ lipsum(n=2000000) }}\n", encoding="utf-8")
    r = run("review", "--vault", str(reviewed), "--no-commit")
    assert r.exit_code == 1 and f"{USER}:3: template: lipsum over 100 paragraphs" in r.stderr
    (reviewed / USER).write_text("# P\n{{ lipsum(2, html=False)|length > 0 }}\n")
    r = run("review", "--vault", str(reviewed), "--no-commit")
    assert r.exit_code == 0, r.stderr
    assert "True" in (reviewed / "views/Portfolio.md").read_text(encoding="utf-8")


def test_a_view_past_the_memory_cap_is_stopped(reviewed, run, monkeypatch):
    monkeypatch.setattr(sandbox, "MEMORY_BYTES", 40 * 1024 * 1024)
    grow = ("# P\n{% set ns = namespace(parts=[]) %}\n"
            "{% for a in 'x' * 100000 %}{% set ns.parts = ns.parts + ['y' * 10000] %}"
            "{% endfor %}{{ ns.parts|length }}\n")
    (reviewed / USER).parent.mkdir(parents=True)
    (reviewed / USER).write_text(grow, encoding="utf-8")
    r = run("review", "--vault", str(reviewed), "--no-commit", env={
        "SALESNOTES_TEMPLATE_SECONDS": "60"})
    assert r.exit_code == 1
    assert f"{USER}:3: template stopped: it took over 40 MB of memory" in r.stderr


def test_output_is_capped_as_it_is_made():
    from jinja2 import Environment

    template = Environment().from_string("a\n{% for i in range(1000) %}{{ 'x' * 1000 }}"
                                         "{% endfor %}\n")
    with pytest.raises(sandbox.TemplateLimit) as stopped:
        sandbox.render_limited(template, {}, max_output=100_000)
    assert stopped.value.message == "output over 97 KB"
    assert stopped.value.line == 2
    assert sandbox.render_limited(template, {}, max_output=2_000_000).count("x") == 1_000_000


def test_the_limits_watchdog_ends_once_no_render_runs():
    """A thread left waiting would keep the process from ever forking (forking.can_fork), so a
    review after a rep's own template would render in one process."""
    import threading

    from jinja2 import Environment

    from salesnotes import forking

    def watchdogs() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "salesnotes-template-limits"]

    template = Environment().from_string("{{ 'x' * 10 }}")
    assert sandbox.render_limited(template, {}, max_output=100) == "x" * 10
    deadline = time.monotonic() + 5
    while watchdogs() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not watchdogs()
    assert sandbox.render_limited(template, {}, max_output=100) == "x" * 10  # a new one starts
    if threading.active_count() == 1:  # pytest-xdist's own threads aside
        assert forking.can_fork() == (len(os.sched_getaffinity(0)) > 1)


def test_the_client_note_template_runs_under_the_same_limits(make_vault, run):
    root = make_vault({"templates/client.md": "---\nname: {{ name }}\n---\n" + FOREVER},
                      git=True)
    before, head = snapshot(root), commits(root)
    r = run("new", "Hydro", "--vault", str(root), env=FAST)
    assert r.exit_code == 1
    assert r.stderr.startswith("templates/client.md:6: template stopped after 0.3 s of CPU time")
    assert snapshot(root) == before and commits(root) == head


def test_a_client_note_template_over_the_note_size_is_refused(make_vault, run):
    big = "---\nname: {{ name }}\n---\n{% for i in range(60000) %}{{ 'x' * 100 }}{% endfor %}\n"
    root = make_vault({"templates/client.md": big}, git=True)
    before = snapshot(root)
    r = run("new", "Hydro", "--vault", str(root))
    assert r.exit_code == 1
    assert r.stderr == ("templates/client.md:4: template output over 5 MB; no note was "
                        "created\n")
    assert snapshot(root) == before


def test_a_normal_client_template_still_renders(make_vault, run):
    root = make_vault({"templates/client.md": "---\nname: {{ name|yaml_str }}\ntier: {{ tier }}"
                                              "\n---\n{% for i in range(3) %}- {{ i }}\n"
                                              "{% endfor %}"})
    r = run("new", "Hydro", "--tier", "A", "--vault", str(root))
    assert r.exit_code == 0, r.stderr
    expected = "---\nname: Hydro\ntier: A\n---\n- 0\n- 1\n- 2\n"
    assert (root / "clients/Hydro.md").read_text() == expected


# ------------------------------------------------------------ refused writes: exit 1, one line


def test_new_into_a_clients_folder_linked_outside_the_vault_is_exit_1(make_vault, run, tmp_path):
    root = make_vault()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "clients").rmdir()
    (root / "clients").symlink_to(outside)
    r = run("new", "Hydro", "--vault", str(root))
    assert r.exit_code == 1
    assert r.stderr.count("\n") == 1 and "outside the vault; not written" in r.stderr
    assert "internal error" not in r.stderr and list(outside.iterdir()) == []


@pytest.mark.parametrize("error, says", [(errno.ENOSPC, "No space left on device"),
                                         (errno.EACCES, "Permission denied")])
def test_new_on_a_full_disk_or_without_permission_is_exit_1(make_vault, run, monkeypatch,
                                                            error, says):
    from salesnotes.edit import files

    def refuse(fd, data):  # noqa: ANN001, ANN202
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(files, "_write_all", refuse)
    root = make_vault(git=True)
    r = run("new", "Hydro", "--vault", str(root))
    assert r.exit_code == 1
    assert r.stderr.endswith(f"Hydro.md:0: could not write: {says}\n")
    assert r.stderr.count("\n") == 1
    assert list((root / "clients").iterdir()) == []


# ------------------------------------------------------------ watch survives


def test_watch_reports_a_runaway_template_and_keeps_running(make_vault):
    from test_watch import Lines, atomic_save, wait_for

    root = make_vault({NOTE: SPEC_NOTE}, config="owner: J\nlocale: en\ngit:\n  commit: false\n")
    (root / USER).parent.mkdir(parents=True)
    (root / USER).write_text(FOREVER, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesnotes", "watch", "--vault", str(root), "--today",
         TODAY.isoformat()], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8", env={**os.environ, "SALESNOTES_VAULT": "", "SALESNOTES_TODAY": "",
                               **FAST})
    out, err = Lines(proc.stdout), Lines(proc.stderr)
    try:
        assert wait_for(lambda: any(f"{USER}:3: template stopped" in line
                                    for line in err.drain()), 60), err.drain()
        budget = root / "views/Budget.md"
        assert wait_for(budget.exists, 30)
        before = budget.read_bytes()
        (root / USER).write_text("# Mine\n{{ t.clients }}\n", encoding="utf-8")
        note = root / NOTE
        atomic_save(note, note.read_text(encoding="utf-8").replace("budget: 150000",
                                                                   "budget: 190000"))
        assert wait_for(lambda: budget.read_bytes() != before, 60), err.drain()
        portfolio = root / "views/Portfolio.md"  # never written while the template ran away
        assert wait_for(lambda: portfolio.exists() and portfolio.read_text(encoding="utf-8")
                        .startswith("<!-- generated by salesnotes: do not edit -->\n# Mine"), 60)
        assert proc.poll() is None  # still watching
    finally:
        proc.terminate()
        proc.wait(10)
        out.drain()
