"""Command-line values as a rep types them: dates in both common forms, channels in both languages.

The parsing lives in the core (`read.fields`, `read.body`); these click types only turn its
refusal into click's own usage error (exit 2) and offer the words to shell completion.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from click.shell_completion import CompletionItem


class WrittenDate(click.ParamType):
    """`2026-12-03` or `03.12.2026`."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD|DD.MM.YYYY"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        # imported when a date is typed: --help imports every command module, and so this one
        from salesnotes.errors import Refused
        from salesnotes.read.fields import parse_written_date

        try:
            return parse_written_date(str(value))
        except Refused as e:
            self.fail(str(e), param, ctx)


class Channel(click.ParamType):
    """`phone` or `telefon`, `visit` or `wizyta`...: stored as the English word."""

    name = "channel"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        # imported when a channel is shown or typed: --help imports every command module
        from salesnotes.read.body import CHANNELS

        return "[" + "|".join(CHANNELS) + "]"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        # imported when a channel is typed: --help imports every command module
        from salesnotes.read.body import CHANNEL_WORDS_PL, CHANNELS, canonical_channel

        found = canonical_channel(str(value))
        if found is None:
            self.fail(f"{value!r} is not a channel: use {', '.join(CHANNELS)} "
                      f"(or {', '.join(CHANNEL_WORDS_PL)})", param, ctx)
        return found

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
        # imported when the shell completes: --help imports every command module
        from salesnotes.read.body import CHANNEL_WORDS_PL, CHANNELS

        words = dict.fromkeys((*CHANNELS, *CHANNEL_WORDS_PL))
        return [CompletionItem(w) for w in words if w.startswith(incomplete.casefold())]
