"""Terminal output for the CLI layer: problems, tables and progress bars (rich).

Progress bars show only on a terminal, so scripts and CI logs stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

import click

from salesnotes.errors import Problem

if TYPE_CHECKING:
    from salesnotes.i18n import Labels


def echo_problems(problems: Iterable[Problem], t: Labels) -> int:
    n = 0
    for p in problems:
        click.echo(p.told(t), err=True)
        n += 1
    return n


def console(stderr: bool = False):  # noqa: ANN201 - rich is imported lazily
    # rich takes a tenth of a second to import: only when a bar or a table shows
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


@contextmanager
def progress(label: str, threshold: int = 2000) -> Iterator[Callable[[int, int], None]]:
    """A callback(done, total) that draws a bar on a terminal once total passes `threshold`."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    # rich takes a tenth of a second to import: only when a bar or a table shows
    from rich.progress import Progress

    bar = Progress(transient=True, console=console(stderr=True))
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if total < threshold:
            return
        if task is None:
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done)

    try:
        yield update
    finally:
        if task is not None:
            bar.stop()


_LIBYAML_CHECKED = False


def check_libyaml(t: Labels) -> None:
    """Say once, on stderr, when PyYAML lacks its C library: every note is read ~10x slower."""
    global _LIBYAML_CHECKED
    if _LIBYAML_CHECKED:
        return
    _LIBYAML_CHECKED = True
    # PyYAML only when YAML is read here
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        click.echo(t.cli_libyaml, err=True)


@contextmanager
def reading_notes(t: Labels | Callable[[], Labels]) -> Iterator[Callable[[int, int], None]]:
    """The progress callback for `load_vault(progress=...)`, after the libyaml check.

    `t` may be a function giving the words: they and the check then wait for the first note
    read, so a command answered from `.salesnotes/` (a status or review with nothing changed)
    reads neither the catalog nor salesnotes.yaml for them."""
    if not callable(t):
        check_libyaml(t)
        with progress(t.cli_reading_notes) as update:
            yield update
        return
    words = t
    with ExitStack() as stack:
        shown: list[Callable[[int, int], None]] = []

        def update_when_read(done: int, total: int) -> None:
            if not shown:
                said = words()
                check_libyaml(said)
                shown.append(stack.enter_context(progress(said.cli_reading_notes)))
            shown[0](done, total)

        yield update_when_read
