"""Docs cannot drift: every command exists, teaches by example, and is in the README."""

from pathlib import Path

import click
import pytest

from salesnotes.cli import COMMANDS, cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def all_commands():
    ctx = click.Context(cli)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None, f"command {name} is listed but not built"
        if isinstance(cmd, click.Group):
            for sub in cmd.list_commands(ctx):
                yield f"{name} {sub}", cmd.get_command(ctx, sub)
        else:
            yield name, cmd


@pytest.mark.parametrize("name,cmd", list(all_commands()), ids=lambda x: str(x))
def test_command_has_help_with_example_and_is_in_readme(name, cmd):
    assert cmd.help and "Example:" in cmd.help, f"{name}: help needs an Example: block"
    assert f"salesnotes {name}" in README, f"README does not mention `salesnotes {name}`"


def test_readme_opens_with_the_two_commands():
    head = README[:1500]
    assert "salesnotes init" in head and "--demo" in head and "review" in head
    assert "pip install -e '.[test]'" in head and "pytest" in head


def test_help_lists_every_command(run):
    out = run("--help").stdout
    for name in COMMANDS:
        assert name in out
