"""One view rendered in this process: its context, its template, its extra files.

Shared by this process's render, the forked render of a one-shot review and the render worker
of `watch`, so all three give the same bytes. A view's page (context and template) and its
extra files (pictures, calendars) may be rendered apart, in two processes, and joined by
`joined`: the same files and problems as rendering it whole.
"""

from __future__ import annotations

import importlib
import inspect
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from salesnotes.errors import Problem, saying
from salesnotes.i18n import Said
from salesnotes.model.where import VIEWS_DIR
from salesnotes.views.engine import render_bytes

if TYPE_CHECKING:
    from salesnotes.model.portfolio import Book



PAGE, EXTRA = "page", "extra"  # the two parts of a view that may be rendered apart


@dataclass
class Rendered:
    files: dict[str, bytes] = field(default_factory=dict)  # name under views/ -> bytes
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False  # the view's code raised: none of its files is written
    handed: list[str] = field(default_factory=list)  # names of files written as they came


def render_one(view, book: Book, env, week: date | None,  # noqa: ANN001
               part: str | None = None) -> Rendered:
    """The view's files, or the problem that kept it from being built. `part`: PAGE (its
    context and template) or EXTRA (its extra files) alone; None for both."""
    out = Rendered()
    filename = view.filename(book) if hasattr(view, "filename") else view.FILENAME
    try:
        context = _call(view.context, book, week) if part != EXTRA else None
        extra = (_call(view.extra_files, book, week)
                 if hasattr(view, "extra_files") and part != PAGE else {})
    except Exception as e:  # noqa: BLE001 - one failing view never stops the review
        if os.environ.get("SALESNOTES_DEBUG"):
            raise
        out.problems.append(saying(PurePosixPath(VIEWS_DIR, filename), 0, Said(
            "err_view_not_built", why=f"{type(e).__name__}: {e}")))
        out.failed = True
        return out
    if view.TEMPLATE is not None and context is not None:  # else only its extra files
        data, problem = render_bytes(env, view.TEMPLATE, context)
        if problem:
            out.problems.append(problem)
        elif data is not None:
            out.files[filename] = data
    out.files.update(extra)
    return out


def render_unit(unit: str, book: Book, env, week: date | None) -> Rendered:  # noqa: ANN001
    """A unit of the split render: `name` (a view module of salesnotes.views, rendered whole)
    or `name:page` / `name:extra` (one part of it). The module is imported here, so that each
    process imports only the views it renders."""
    name, _, part = unit.partition(":")
    if part == EXTRA and name in LIGHT_PARTS:
        module, filename = LIGHT_PARTS[name]
        light = importlib.import_module(f"salesnotes.views.{module}")
        view: Any = SimpleNamespace(FILENAME=filename, TEMPLATE=None,
                                    extra_files=light.extra_files)
    else:
        view = importlib.import_module(f"salesnotes.views.{name}")
    return render_one(view, book, env, week, part or None)


# A view's extra files made by a module lighter to import than the view's own: (that module,
# the view's FILENAME, which names a failure). Portfolio's module imports its page's numbers
# (budget, contacts, week plan: ~15 ms), which a process rendering only the picture skips.
# The view's extra_files IS that module's (tests/test_render_worker.py).
LIGHT_PARTS = {"portfolio": ("treemap", "Portfolio.md")}


def joined(page: Rendered, extra: Rendered) -> Rendered:
    """A view's two parts as one render of the whole view: a failed part leaves the view out
    with its problem (the page's first, as the whole view computes its context first)."""
    for part in (page, extra):
        if part.failed:
            return part
    return Rendered({**page.files, **extra.files}, [*page.problems, *extra.problems])


def _call(fn, book: Book, week: date | None):  # noqa: ANN001, ANN202
    """`fn(book, week=week)` when fn takes a week (Week plan), else `fn(book)`."""
    if "week" in inspect.signature(fn).parameters:
        return fn(book, week=week)
    return fn(book)
