"""`pip install .` (not only -e) ships the templates: a built wheel runs init --demo and status."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
RUN_FROM_WHEEL = """
import sys
sys.path.insert(0, {site!r})
import salesnotes
assert salesnotes.__file__.startswith({site!r}), salesnotes.__file__
from salesnotes.cli import cli
cli(sys.argv[1:], prog_name="salesnotes")
"""


def source_copy(target: Path) -> Path:
    """What a build reads, copied: building writes build/ and *.egg-info beside the sources,
    and the tests leave the source tree as they found it."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("salesnotes", "vault_template"):
        shutil.copytree(ROOT / folder, target / folder, ignore=skip)
    return target


def test_wheel_holds_templates_and_runs_init_demo_and_status(tmp_path):
    source = source_copy(_mkdir(tmp_path / "source"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(source)], check=True,
                   capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("salesnotes-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "salesnotes/views/templates/Portfolio.md" in names
    assert "salesnotes/vault_template/pl/salesnotes.yaml" in names
    assert "salesnotes/vault_template/common/gitignore" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = RUN_FROM_WHEEL.format(site=str(site))
    vault = tmp_path / "demo"

    def salesnotes(*args):
        return subprocess.run([sys.executable, "-c", code, *args, "--today", "2026-11-27"],
                              capture_output=True, text=True, cwd=tmp_path)

    init = salesnotes("init", str(vault), "--demo", "--locale", "en")
    assert init.returncode == 0, init.stderr
    status = salesnotes("--vault", str(vault), "status", "--json")
    demo_notes = list((vault / "clients").rglob("*.md"))
    assert len(json.loads(status.stdout)["clients"]) == len(demo_notes) >= 150


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path
