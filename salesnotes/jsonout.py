"""JSON for scripts: every `--json` output is one object carrying `version` and its rows.

A script checks `version` once and reads named lists (`clients`, `contacts`, `problems`,
`written`), so a key added later never breaks it and a changed shape says so by a new version.
Money is written as a string of its exact decimal text (a JSON number would be read as a float).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salesnotes.errors import Problem
    from salesnotes.imports.clients import ClientsImport
    from salesnotes.imports.sales import SalesImport
    from salesnotes.review import ReviewResult

VERSION = 1


def dumps(data: dict[str, Any], pretty: bool = True) -> str:
    return json.dumps({"version": VERSION, **data}, ensure_ascii=False,
                      indent=2 if pretty else None)


def _rel(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() if p.is_absolute() else p.as_posix() for p in paths]


def _problems(problems: list[Problem]) -> list[dict[str, object]]:
    return [p.as_json() for p in problems]


def review_json(root: Path, result: ReviewResult) -> str:
    """What `review` wrote and where the portfolio stands, as the terminal summary says it."""
    s = result.summary
    return dumps({
        "today": result.today.isoformat() if result.today else None,
        "clients": s.clients,
        "breath": dict(s.counts),
        "top_overdue": [{"name": name, "at_stake": stake, "days_overdue": days}
                        for _glyph, name, stake, days in s.top],
        "currency": s.currency,
        "written": _rel(root, result.written),
        "unchanged": _rel(root, result.unchanged),
        "skipped": result.skipped,
        "commit": result.sha,
        "problems": _problems(result.problems),
    })


def sales_import_json(root: Path, plan: SalesImport, dry_run: bool) -> str:
    return dumps({
        "import": "sales", "file": str(plan.source), "dry_run": dry_run,
        "rows": plan.rows, "imported_rows": plan.imported_rows, "added": len(plan.added),
        "unchanged": plan.unchanged, "total": str(plan.total),
        "unknown": [{"nip": u.nip, "name": u.name, "line": u.line, "rows": u.rows,
                     "total": str(u.total)} for u in plan.unknown],
        "written": _rel(root, plan.written), "commit": plan.commit,
        "skipped": _problems(plan.skipped), "totals_rows": plan.totals,
        "not_created": [{"nip": u.nip, "name": u.name, "why": str(why)} for u, why in plan.held],
    })


def clients_import_json(root: Path, plan: ClientsImport, dry_run: bool) -> str:
    return dumps({
        "import": "clients", "file": str(plan.source), "dry_run": dry_run,
        "rows": plan.rows, "clients": plan.clients, "matched": plan.matched,
        "created": _rel(root, [p for p, _ in plan.created]),
        "updated": [{"file": u.path.as_posix(), "keys": [k for k, _old, _new in u.changes]}
                    for u in plan.updates],
        "written": _rel(root, plan.written), "commit": plan.commit,
        "skipped": _problems(plan.skipped),
        "not_created": [{"nip": nip, "name": name, "why": str(why)}
                        for nip, name, why in plan.held],
        "kept_as_group": plan.kept_as_group,
    })
