"""Shared fixtures: real vaults in tmp_path, a fixed date, the real CLI, golden files."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

TODAY = date(2026, 11, 27)  # a Friday; tests never read the clock
GOLDEN = Path(__file__).parent / "golden"

SPEC_NOTE = """---
name: Hydro-Tech Sp. z o.o.
nip: "5260250274"
tier: A
status: active
region: Kraków
potential: 240000
budget: 150000
last_contact: 2026-11-18
next_contact: 2026-12-02
next_step: Offer for the Q1 pump order
competitor: Aqua-Serwis
checklists: [key-account]
tags: [hvac, kraków]
---
# Hydro-Tech Sp. z o.o.

Free text the rep writes.

## Opportunities
- Heat pumps Q1 [value:: 48000.00] [close:: 2027-02] [probability:: 0.6]

## Checklist: Key account
- [x] Decision maker identified
- [ ] Annual purchase plan agreed

## Tasks
- [ ] Send Q1 offer 📅 2026-12-01
- [x] Samples delivered ✅ 2026-11-15

## Log
- 2026-11-18 phone: spoke to the buyer, Q1 plan in December
- 2026-10-02 visit: plant tour
"""

MINIMAL_CONFIG = "owner: Jan Kowalski\nlocale: {locale}\n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output (review the diff!)")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def check_golden(path: Path, actual: str | bytes, update: bool) -> None:
    """Compare with a golden file; `pytest --update-golden` rewrites it on purpose."""
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"golden file missing: {path} (run pytest --update-golden)"
    expected = path.read_bytes()
    if expected != data:
        assert data.decode("utf-8", "replace") == expected.decode("utf-8", "replace")
        assert data == expected


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    """Every byte of the vault (git objects too), to prove that nothing was written; the local
    cache in `.salesnotes/` is not the rep's data and may be refreshed by any read."""
    files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
    return {rel: p.read_bytes() for rel, p in files.items() if not rel.startswith(".salesnotes/")}


def commits(root: Path) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, check=True,
                         capture_output=True, text=True)
    return int(out.stdout)


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode("utf-8"))


@pytest.fixture
def make_vault(tmp_path: Path):
    """make_vault({'clients/A.md': '...'}, config=None, locale='en', git=False) -> vault root."""

    def make(files: dict[str, str | bytes] | None = None, *, config: str | None = None,
             locale: str = "en", git: bool = False, name: str = "vault") -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "clients").mkdir()
        (root / "salesnotes.yaml").write_text(
            config if config is not None else MINIMAL_CONFIG.format(locale=locale),
            encoding="utf-8")
        write_files(root, files or {})
        if git:
            git_init(root)
            subprocess.run(["git", "add", "-A"], cwd=root, check=True, capture_output=True)
            subprocess.run(["git", "commit", "-qm", "start"], cwd=root, check=True,
                           capture_output=True)
        return root

    return make


# what `git config user.name ...` etc. would add to a new repository's .git/config, written at
# once: three git processes fewer for each of the ~400 repositories the suite makes
REPO_CONFIG = """[user]
\tname = Test Rep
\temail = rep@example.com
[commit]
\tgpgsign = false
"""


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, capture_output=True)
    with open(root / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(REPO_CONFIG)


@pytest.fixture
def run():
    """run('review', '--vault', str(v)) through the real click app; stderr kept apart."""
    from salesnotes.cli import cli

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        runner = CliRunner()
        full_env = {"SALESNOTES_TODAY": TODAY.isoformat(), "SALESNOTES_VAULT": "", **(env or {})}
        return runner.invoke(cli, list(args), input=input, env=full_env, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def vault_2000(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - a loaded Vault
    """A 2,000-client Polish vault made by bench/generate.py, generated and loaded once per test
    session and shared by the tests of the views at that size (they only read it)."""
    import sys

    from salesnotes.load.vault import load_vault

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import generate  # bench/ is not a package

    root = tmp_path_factory.mktemp("v2000") / "vault"
    generate.build_vault(root, 2000, git="none", locale="pl", quiet=True)
    return load_vault(root, git=False)


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SALESNOTES_VAULT", raising=False)
    monkeypatch.delenv("SALESNOTES_TODAY", raising=False)
    os.environ.setdefault("GIT_AUTHOR_NAME", "Test Rep")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "rep@example.com")
    os.environ.setdefault("GIT_COMMITTER_NAME", "Test Rep")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "rep@example.com")


def template_with_loops(view_module, loops: dict[str, str]) -> str:  # noqa: ANN001
    """A built-in view template with each `{{ rows.*() }}` call put back as the jinja loop it
    replaced: the template a rep copied before the rows were laid out in Python."""
    name = {"budget": "Budget.md", "checklists": "Checklists.md"}[
        view_module.__name__.rsplit(".", 1)[-1]]
    text = (Path(view_module.__file__).parent / "templates" / name).read_text("utf-8")
    for call, loop in loops.items():
        assert text.count(call) == 1, call
        text = text.replace(call, loop)
    return text


def in_a_fresh_process(imports: str, script: str) -> str:
    """`imports` then `script` run in a fresh interpreter, which has one thread as a command
    has (a test process may run others, pytest-xdist's, and salesnotes never forks beside a
    thread); its stripped stdout. Skips the test where salesnotes would not fork at all."""
    setup = (f"import os, sys\n{imports}\nfrom salesnotes import forking\n"
             "if not forking.can_fork():\n    print('no fork')\n    sys.exit(0)\n")
    done = subprocess.run([sys.executable, "-c", setup + script], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "no fork":
        pytest.skip("one core: salesnotes does not fork")
    return done.stdout.strip()
