"""`salesnotes checklist apply`: put a checklist into client notes (and commit them)."""

from __future__ import annotations

from pathlib import Path

import click

from salesnotes.cli import common_options, labels, locked, pass_vault
from salesnotes.commands.completion import complete_client


@click.group(name="checklist")
@common_options
def checklist_group() -> None:
    """Account-management checklists kept in client notes.

    A checklist is a file in templates/checklists/ (a `# Title` line and `- [ ] item`
    lines); salesnotes.yaml's `checklists:` and a note's own `checklists:` say which
    clients it applies to. views/Checklists.md shows the progress.

    \b
    Example:
        salesnotes checklist apply key-account
    """


@checklist_group.command("apply")
@click.argument("name")
@click.argument("clients", nargs=-1, metavar="[CLIENT]...", shell_complete=complete_client)
@click.option("--dry-run", is_flag=True, help="List what would change; write nothing.")
@click.option("--sync", is_flag=True, help="Also add template items a note's section lacks "
              "(nothing is removed or unticked).")
@common_options
@locked
@pass_vault
def apply(name: str, clients: tuple[str, ...], dry_run: bool, sync: bool, root: Path) -> None:
    """Insert the `## Checklist: <title>` section of checklist NAME into client notes.

    Without CLIENT, every note the checklist applies to gets it; a CLIENT (NIP, file name,
    name, alias, or words starting words of its name) gets it even when no rule assigns it.
    Notes that have the section are left alone, unless --sync adds the items new in the
    template. The section goes before `## Log` (else at the end); no other byte of the note
    changes. In a git vault all the notes changed go into one commit.

    \b
    Example:
        salesnotes checklist apply key-account --dry-run
        salesnotes checklist apply competitor-win "Hydro-Tech"
        salesnotes checklist apply key-account --sync
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import echo_problems
    from salesnotes.edit.checklist_apply import apply_checklist
    from salesnotes.load.vault import load_vault

    result = apply_checklist(load_vault(root, git=False), name, clients, sync=sync,
                             dry_run=dry_run)
    t = labels()
    _report(result, t)
    echo_problems(result.problems, t)
    if result.git_error is not None:
        raise result.git_error
    click.get_current_context().exit(1 if result.problems else 0)


def _report(result, t) -> None:  # noqa: ANN001 - ApplyResult, Labels
    verb = t.cli_cl_would_add if result.dry_run else t.cli_cl_added
    title = result.checklist.title
    for c in result.changes:
        if c.kind == "insert":
            click.echo(t.say("cli_cl_insert", path=c.path, verb=verb, title=title,
                             items=t.plural("item", len(c.items))))
        else:
            click.echo(t.say("cli_cl_sync", path=c.path, verb=verb, title=title,
                             new_items=t.plural("new_item", len(c.items)),
                             list="; ".join(c.items)))
    click.echo(t.say("cli_cl_done", name=result.checklist.name,
                     notes=t.plural("note", len(result.changes)),
                     changed=t.cli_cl_to_change if result.dry_run else t.cli_cl_changed,
                     had=len(result.complete) + len(result.outdated)))
    if result.outdated:
        click.echo(t.say("cli_cl_outdated", n=len(result.outdated), name=result.checklist.name))
    if result.commit:
        click.echo(t.say("cli_committed", sha=result.commit[:10], message=result.commit_message))
    for kept in result.kept_back:
        click.echo(t.say("cli_note", text=kept), err=True)
