"""The process ends without the interpreter's teardown (freeing a loaded vault object by
object), and nothing a teardown would still do is lost: exit codes, the output written to a
pipe, the exit handlers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import TODAY


def salesnotes(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    script = ("import sys\nfrom salesnotes.cli import main\n" + code
              + f"sys.argv = ['salesnotes', *{list(args)!r}]\nmain()\n"
              "print('not reached')\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)


def test_a_review_ends_with_its_whole_output_and_exit_code(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    assert salesnotes("init", str(root), "--demo", "--locale", "en").returncode == 0
    done = salesnotes("--vault", str(root), "review", "--no-commit", "--today", str(TODAY))
    assert done.returncode in (0, 1), done.stderr
    assert "not reached" not in done.stdout
    assert done.stdout.strip()  # the summary, piped (block-buffered) and flushed
    assert (root / "views").is_dir()


def test_exit_codes_and_messages_are_those_of_a_plain_exit(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / "clients").mkdir(parents=True)
    (broken / "salesnotes.yaml").write_text("owner: X\nlocale: de\n", encoding="utf-8")
    checked = salesnotes("--vault", str(broken), "check")
    assert checked.returncode == 1
    assert "salesnotes.yaml:2: locale: expected pl or en" in checked.stderr
    usage = salesnotes("no-such-command")
    assert usage.returncode == 2 and "No such command" in usage.stderr
    helped = salesnotes("--help")
    assert helped.returncode == 0 and "Exit codes" in helped.stdout


def test_exit_handlers_still_run() -> None:
    done = salesnotes("--help", code="import atexit\natexit.register(print, 'handled')\n")
    assert done.returncode == 0
    assert done.stdout.rstrip().endswith("handled")


def test_the_objects_are_left_to_the_kernel() -> None:
    """What a teardown frees one by one (here an object saying so when freed) is not freed."""
    code = ("class Kept:\n    def __del__(self):\n        print('freed', flush=True)\n"
            "kept = Kept()\n")
    assert "freed" not in salesnotes("--help", code=code).stdout
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "freed" in plain.stdout  # the same object, freed by a plain exit
