"""`salesnotes watch`: keep the views in step with the notes while the rep works."""

from __future__ import annotations

import click

from salesnotes.cli import common_options, today, vault_root


@click.command()
@common_options
def watch() -> None:
    """Rewrite the views whenever a note, a template, the config or the sales change.

    Runs until Ctrl-C. Prints one line per rebuild (what changed, how long it took, which
    views were written); problems go to stderr as path:line: message and never stop the
    watch. While a note cannot be read (say, saved mid-typing), the last good views stay.
    Views are not committed: `salesnotes review` does that.

    \b
    Example:
        salesnotes watch
    """
    import signal

    from salesnotes.console import check_libyaml, progress
    from salesnotes.watch import Watcher

    root = vault_root()
    ctx = click.get_current_context()

    def today_now():  # noqa: ANN202 - read per rebuild, so a watch past midnight moves on
        with ctx:
            return today()

    today_now()  # a bad --today or $SALESNOTES_TODAY is a usage error now, not at a rebuild
    check_libyaml()
    from salesnotes.local.lock import vault_lock

    watcher = Watcher(root, today_now, on_rebuild=_show, on_notice=_notice,
                      progress=lambda: progress("reading notes"), guard=lambda: vault_lock(root))
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        watcher.start()
        click.echo(f"watching {root} (Ctrl-C to stop)", err=True)
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        signal.signal(signal.SIGTERM, previous)
    click.echo("stopped watching", err=True)
    ctx.exit(0)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _notice(message: str) -> None:
    click.echo(message, err=True)


def _show(rebuild) -> None:  # noqa: ANN001 - salesnotes.watch.Rebuild
    """One line per rebuild on stdout; new problems on stderr."""
    from datetime import datetime

    from salesnotes.console import echo_problems

    echo_problems(rebuild.new_problems)
    parts = [datetime.now().strftime("%H:%M:%S"), _what(rebuild), f"{rebuild.seconds:.2f} s"]
    if rebuild.kept:
        parts.append(f"views kept: {rebuild.kept}")
    elif rebuild.written:
        parts.append("wrote " + ", ".join(rebuild.written))
    else:
        parts.append("views unchanged")
    if rebuild.problems:
        n = len(rebuild.problems)
        parts.append(f"{n} problem{'s' if n != 1 else ''}")
    click.echo("  ".join(parts))


def _what(rebuild) -> str:  # noqa: ANN001
    if rebuild.number == 0:
        return f"{rebuild.note_count} notes read"
    said = []
    n = len(rebuild.notes)
    if n == 1:
        change = rebuild.notes
        rel = (change.added or change.changed or change.removed)[0]
        verb = "added" if change.added else "changed" if change.changed else "removed"
        said.append(f"{rel} {verb}")
    elif n:
        said.append(f"{n} notes changed")
    if len(rebuild.others) <= 2:
        said.extend(f"{other} changed" for other in rebuild.others)
    else:
        said.append(f"{len(rebuild.others)} other files changed")
    return ", ".join(said) or "no change"
