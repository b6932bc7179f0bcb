"""The command line: a thin click layer over the core.

Commands are loaded lazily (only click is imported for `--help`), `--vault`/`--today` work
before and after the command name, and this is the one place that reads the clock and turns
VaultError into `path:line: message` lines and an exit code (0 ok, 1 vault problems, 2 usage,
75 git busy).
"""

from __future__ import annotations

import atexit
import functools
import importlib
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from salesnotes.i18n import Labels

COMMANDS = {
    "init": "salesnotes.commands.init:init",
    "new": "salesnotes.commands.new:new",
    "log": "salesnotes.commands.log:log",
    "history": "salesnotes.commands.history:history",
    "review": "salesnotes.commands.review:review",
    "status": "salesnotes.commands.status:status",
    "check": "salesnotes.commands.check:check",
    "import": "salesnotes.commands.imports:import_group",
    "checklist": "salesnotes.commands.checklist:checklist_group",
    "watch": "salesnotes.commands.watch:watch",
    "team": "salesnotes.commands.team:team_group",
    "hook": "salesnotes.commands.hook:hook_group",
    "export": "salesnotes.commands.export:export",
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when used (or listed by --help)."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy}, key=_order(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            try:
                return getattr(importlib.import_module(module), attr)
            except ModuleNotFoundError as e:
                if e.name != module:
                    raise
                return None  # listed but not built yet: tests/test_docs.py catches this
        return super().get_command(ctx, name)


def _order(lazy: dict[str, str]):  # noqa: ANN202 - a sort key
    names = list(lazy)
    return lambda n: (names.index(n) if n in names else len(names), n)


class Salesnotes(LazyGroup):
    """The root group: the one place that turns core errors into exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        # when used: --help loads click and nothing else
        from salesnotes.errors import VaultError

        try:
            return super().invoke(ctx)
        except VaultError as e:
            t = _labels_after_error(ctx)
            for p in e.problems:
                click.echo(p.told(t), err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo(_labels_after_error(ctx).cli_interrupted, err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - a rep sees a sentence, never a traceback
            if _is_refusal(e):  # the OS (or another program) said no
                click.echo(_refusal(e, ctx), err=True)
                ctx.exit(1)
            if os.environ.get("SALESNOTES_DEBUG"):
                raise
            if isinstance(e, OSError):
                where = e.filename or "salesnotes"
                click.echo(f"{where}:0: {e.strerror or e}", err=True)
                ctx.exit(1)
            click.echo("salesnotes:0: " + _labels_after_error(ctx).say(
                "cli_internal_error", error=f"{type(e).__name__}: {e}"), err=True)
            ctx.exit(70)


def _is_refusal(e: Exception) -> bool:
    """A write the OS refused, or a note changed meanwhile: `edit/files.py`'s two exceptions,
    looked up where they are already loaded (only a loaded module raises them), so that a
    command that writes no note (`status`) never imports the writer."""
    files = sys.modules.get("salesnotes.edit.files")
    return files is not None and isinstance(e, (files.FileRefused, files.NoteChanged))


def _refusal(e: Exception, ctx: click.Context) -> str:
    """`path:0: why` for a write the OS refused (disk full, no permission, a folder linked out
    of the vault) or a note another program changed meanwhile: one line, never exit 70."""
    # when used: --help loads click and nothing else
    from salesnotes.edit.files import FileRefused
    from salesnotes.errors import Problem
    from salesnotes.i18n import Said

    path = getattr(e, "path", None)
    message = e.said if isinstance(e, FileRefused) else Said("err_note_changed")
    where = Path(path) if path is not None else Path("salesnotes")
    try:
        where = where.relative_to(Path.cwd())
    except ValueError:
        pass
    return Problem(where, 0, str(message), said=message).told(  # type: ignore[arg-type]
        _labels_after_error(ctx))


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None:
        ctx.meta[f"salesnotes.{param.name}"] = value


def vault_option(f):  # noqa: ANN001, ANN201 - decorator
    return click.option("--vault", metavar="PATH", expose_value=False, callback=_store,
                        help="Vault folder (default: $SALESNOTES_VAULT, else the nearest "
                             "folder up holding salesnotes.yaml).")(f)


class _Day(click.ParamType):
    """`--today`'s YYYY-MM-DD. Not click.DateTime: strptime imports the locale machinery,
    a tenth of what `log` is allowed to take."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        parts = str(value).split("-")
        try:
            if len(parts) != 3 or len(parts[0]) != 4 or not all(p.isdigit() for p in parts):
                raise ValueError
            return date(*(int(p) for p in parts))
        except ValueError:
            self.fail(f"{value!r} is not a YYYY-MM-DD date", param, ctx)


def today_option(f):  # noqa: ANN001, ANN201 - decorator
    return click.option("--today", metavar="YYYY-MM-DD", expose_value=False, callback=_store,
                        type=_Day(),
                        help="The date to build for (default: $SALESNOTES_TODAY, else today).")(f)


def common_options(f):  # noqa: ANN001, ANN201 - decorator
    return vault_option(today_option(f))


def locked(f):  # noqa: ANN001, ANN201 - decorator
    """Hold the vault lock for the whole command, so two commands never edit or commit at once."""
    @functools.wraps(f)
    def run_locked(*args: Any, **kwargs: Any) -> Any:
        # when used: --help loads click and nothing else
        from salesnotes.local.lock import vault_lock

        with vault_lock(vault_root()):
            return f(*args, **kwargs)

    return run_locked


def pass_vault(f):  # noqa: ANN001, ANN201 - decorator
    """The vault folder reaches the command as its `root` parameter (from --vault,
    $SALESNOTES_VAULT, else the nearest folder up holding salesnotes.yaml)."""

    @functools.wraps(f)
    def with_root(*args: Any, **kwargs: Any) -> Any:
        return f(*args, root=vault_root(), **kwargs)

    return with_root


def pass_today(f):  # noqa: ANN001, ANN201 - decorator
    """The date to build for reaches the command as its `today` parameter."""

    @functools.wraps(f)
    def with_today(*args: Any, **kwargs: Any) -> Any:
        return f(*args, today=today(), **kwargs)

    return with_today


def pass_clock(f: Callable[..., Any]) -> Callable[..., Any]:
    """The clock reaches the command as its `clock` parameter: a function giving the date to
    build for each time it is called (a watch that runs past midnight moves on). It is read
    once before the command starts, so a bad --today or $SALESNOTES_TODAY is a usage error at
    once, not at the first rebuild."""

    @functools.wraps(f)
    def with_clock(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()

        def clock() -> date:
            with ctx:
                return today()

        clock()
        return f(*args, clock=clock, **kwargs)

    return with_clock


def vault_root() -> Path:
    # when used: --help loads click and nothing else
    from salesnotes.model.where import find_root

    ctx = click.get_current_context()
    return find_root(ctx.meta.get("salesnotes.vault"), os.environ.get("SALESNOTES_VAULT") or None,
                     Path.cwd())


def labels(locale: str | None = None) -> Labels:
    """The words of the vault's locale, found once per command; `locale` when the command
    knows it already (init). Before a vault is found, and without one, English."""
    # when used: --help loads click and nothing else
    from salesnotes.i18n import Labels

    meta = click.get_current_context().meta
    if locale is not None:
        meta["salesnotes.labels"] = Labels(locale)
    if "salesnotes.labels" not in meta:
        meta["salesnotes.labels"] = Labels(_vault_locale(vault_root()))
    return meta["salesnotes.labels"]


def _vault_locale(root: Path) -> str:
    # when used: --help loads click and nothing else
    from salesnotes.errors import VaultError
    from salesnotes.model.config import load_config

    try:
        config, problems = load_config(root)
    except VaultError:  # a broken config is reported by the command itself, in English
        return "en"
    if any(p.said is not None and p.said.key == "err_cfg_locale" for p in problems):
        return "en"  # a locale salesnotes does not speak: not the default's Polish either
    return config.locale


def _labels_after_error(ctx: click.Context) -> Labels:
    """The command's words, else the vault's when one can be found, else English."""
    # when used: --help loads click and nothing else
    from salesnotes.errors import VaultError
    from salesnotes.i18n import Labels

    if "salesnotes.labels" not in ctx.meta:
        try:
            with ctx:
                labels()
        except (VaultError, OSError):
            ctx.meta["salesnotes.labels"] = Labels("en")
    return ctx.meta["salesnotes.labels"]


def today() -> date:
    """The one place salesnotes reads the clock: --today, $SALESNOTES_TODAY, else the system
    date."""
    ctx = click.get_current_context()
    given = ctx.meta.get("salesnotes.today")
    if given is not None:
        return given
    env = os.environ.get("SALESNOTES_TODAY")
    if env:
        try:
            return date.fromisoformat(env)
        except ValueError:
            raise click.UsageError(f"$SALESNOTES_TODAY={env!r} is not a YYYY-MM-DD date") from None
    return date.today()


@click.group(cls=Salesnotes, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"],
                                                              "max_content_width": 100})
@common_options
@click.version_option(package_name="salesnotes", prog_name="salesnotes")
def cli() -> None:
    """A sales rep's portfolio as plain-text notes, and the views that show all of it at once.

    Every client is a markdown note under clients/ in a git vault you open in Obsidian or
    VS Code. `salesnotes review` (every Monday) writes the views into views/: Portfolio,
    Week plan (and week.ics), Today (Dziś in Polish), Checklists, Budget, Pay, and Clients.base
    for Obsidian.

    \b
    Start here:
        salesnotes init my-vault --demo
        cd my-vault && salesnotes review

    Exit codes: 0 ok, 1 the vault has problems, 2 wrong usage, 75 git busy.
    """


def main() -> None:
    if sys.stdout.encoding and sys.stdout.encoding.lower() not in ("utf-8", "utf8"):
        try:
            sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
            sys.stderr.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, ValueError):  # pragma: no cover
            pass
    try:
        cli(prog_name="salesnotes")
    except SystemExit as done:
        _leave(done.code)


def _leave(code: object) -> None:
    """End the process as `sys.exit(code)` would, without the interpreter's teardown: freeing
    every object a review loaded one by one (10,000 notes, their bodies, the sales) costs
    0.1-0.2 s after the work is done. What the teardown does that matters still happens: the
    exit handlers run and the terminal's streams are flushed. Files are written and closed
    by the commands themselves (atomic writes, sqlite closed), locks are the kernel's."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("text"): the text on stderr, exit 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()  # the handlers registered with atexit, as the teardown runs them
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            pass
    os._exit(status)
