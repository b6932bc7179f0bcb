"""One view rendered in this process: its context, its template, its extra files.

Shared by this process's render, the forked render of a one-shot review and the render worker
of `watch`, so all three give the same bytes.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from salesnotes.errors import Problem, saying
from salesnotes.i18n import Said
from salesnotes.model.where import VIEWS_DIR
from salesnotes.views.engine import render_bytes

if TYPE_CHECKING:
    from salesnotes.model.portfolio import Book



@dataclass
class Rendered:
    files: dict[str, bytes] = field(default_factory=dict)  # name under views/ -> bytes
    problems: list[Problem] = field(default_factory=list)


def render_one(view, book: Book, env, week: date | None) -> Rendered:  # noqa: ANN001
    out = Rendered()
    filename = view.filename(book) if hasattr(view, "filename") else view.FILENAME
    try:
        context = _call(view.context, book, week)
        extra = _call(view.extra_files, book, week) if hasattr(view, "extra_files") else {}
    except Exception as e:  # noqa: BLE001 - one failing view never stops the review
        if os.environ.get("SALESNOTES_DEBUG"):
            raise
        out.problems.append(saying(PurePosixPath(VIEWS_DIR, filename), 0, Said(
            "err_view_not_built", why=f"{type(e).__name__}: {e}")))
        return out
    if view.TEMPLATE is not None:  # a view without a template writes only its extra files
        data, problem = render_bytes(env, view.TEMPLATE, context)
        if problem:
            out.problems.append(problem)
        elif data is not None:
            out.files[filename] = data
    out.files.update(extra)
    return out


def _call(fn, book: Book, week: date | None):  # noqa: ANN001, ANN202
    """`fn(book, week=week)` when fn takes a week (Week plan), else `fn(book)`."""
    if "week" in inspect.signature(fn).parameters:
        return fn(book, week=week)
    return fn(book)
