"""`salesnotes watch`: keep the views in step with the notes while the rep works."""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from salesnotes.cli import common_options, labels, pass_clock, pass_vault


@click.command()
@common_options
@pass_vault
@pass_clock
def watch(root: Path, clock: Callable[[], date]) -> None:
    """Rewrite the views whenever a note, a template, the config or the sales change.

    Runs until Ctrl-C. Prints one line per rebuild (what changed, how long it took, which
    views were written); problems go to stderr as path:line: message and never stop the
    watch. While a note cannot be read (say, saved mid-typing), the last good views stay.
    Views are not committed: `salesnotes review` does that.

    \b
    Example:
        salesnotes watch
    """
    # imported when the command runs: --help imports every command module
    from salesnotes.console import check_libyaml, progress
    from salesnotes.watch import Watcher

    ctx = click.get_current_context()
    t = labels()
    check_libyaml(t)
    # imported when the command runs: --help imports every command module
    from salesnotes.local.lock import vault_lock

    watcher = Watcher(root, clock, on_rebuild=lambda rebuild: _show(rebuild, t),
                      on_notice=lambda said: _notice(said, t),
                      progress=lambda: progress(t.cli_reading_notes),
                      guard=lambda: vault_lock(root))

    def interrupt(signum: int, frame: object) -> None:
        watcher.interrupt()  # a flag the loop reads, and KeyboardInterrupt mid-rebuild

    previous = {signum: signal.signal(signum, interrupt)  # one ignored by our parent stays so
                for signum in (signal.SIGINT, signal.SIGTERM)
                if signal.getsignal(signum) is not signal.SIG_IGN}
    try:
        watcher.start()
        click.echo(t.say("cli_watch_start", folder=root), err=True)
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(t.cli_watch_stop, err=True)
    ctx.exit(0)


def _notice(said, t) -> None:  # noqa: ANN001 - Said, Labels
    click.echo(t.say(said.key, **said.fields), err=True)


def _show(rebuild, t) -> None:  # noqa: ANN001 - salesnotes.watch.Rebuild, Labels
    """One line per rebuild on stdout; new problems on stderr."""
    # imported when the command runs: --help imports every command module
    from salesnotes.console import echo_problems

    echo_problems(rebuild.new_problems, t)
    parts = [datetime.now().strftime("%H:%M:%S"), _what(rebuild, t), f"{rebuild.seconds:.2f} s"]
    if rebuild.kept:
        parts.append(t.say("cli_watch_kept", why=rebuild.kept))
    elif rebuild.written:
        parts.append(t.say("cli_watch_wrote", views=", ".join(rebuild.written)))
    else:
        parts.append(t.cli_watch_unchanged)
    if rebuild.problems:
        parts.append(t.plural("problem", len(rebuild.problems)))
    click.echo("  ".join(parts))


def _what(rebuild, t) -> str:  # noqa: ANN001 - Rebuild, Labels
    if rebuild.number == 0:
        return t.say("cli_watch_read", notes=t.plural("note", rebuild.note_count))
    said = []
    n = len(rebuild.notes)
    if n == 1:
        change = rebuild.notes
        rel = (change.added or change.changed or change.removed)[0]
        verb = ("cli_watch_added" if change.added else "cli_watch_changed" if change.changed
                else "cli_watch_removed")
        said.append(t.say(verb, path=rel))
    elif n:
        said.append(t.say("cli_watch_notes_changed", notes=t.plural("note", n)))
    if len(rebuild.others) <= 2:
        said.extend(t.say("cli_watch_changed", path=other) for other in rebuild.others)
    else:
        said.append(t.say("cli_watch_others_changed", n=len(rebuild.others)))
    return ", ".join(said) or t.cli_watch_no_change
