"""Polish public holidays from the `holidays` package, kept in a small JSON file.

Importing `holidays` loads every country it knows (about 0.4 s), more than a whole review of
10,000 notes renders in; the dates of a year never change for one version of the package, so
they are computed once per year, language and installed version, then read from the file:
beside salesnotes' own code, as Python keeps `__pycache__` (one file per install, for every
vault), else in the vault's `.salesnotes/`. Any doubt (no file, another version, a broken
file, nowhere to write) computes them again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from importlib.util import find_spec
from pathlib import Path

from salesnotes.local import store

STORE = "holidays.json"  # in the vault's .salesnotes/, when the install is read-only
INSTALL_STORE = Path(__file__).parent / "__holidaycache__" / "holidays.json"
COUNTRY = "PL"  # salesnotes plans for a Polish rep: the country's public holidays
_memo: dict[tuple[str, str, int], dict[date, str]] = {}


def polish_holidays(years: Iterable[int], locale: str, root: Path | None = None
                    ) -> dict[date, str]:
    """{date: name in the vault's language} for every year given."""
    language = "pl" if locale == "pl" else "en_US"
    version = _installed_version()
    wanted = sorted(set(years))
    missing = [y for y in wanted if (version, language, y) not in _memo]
    stores = [INSTALL_STORE, *((store.path(root, STORE),) if root is not None else ())]
    for file in stores:
        if missing:
            _read_store(file, version)
            missing = [y for y in wanted if (version, language, y) not in _memo]
    if missing:
        _compute(missing, language, version)
        any(_write_store(file, version) for file in stores)  # the first that takes it
    out: dict[date, str] = {}
    for y in wanted:
        out.update(_memo[(version, language, y)])
    return out


def _installed_version() -> str:
    """The package's folder and the stat of its Polish calendar: found without importing it."""
    spec = find_spec("holidays")
    folder = (spec.submodule_search_locations or [""])[0] if spec else ""
    try:
        st = os.stat(os.path.join(folder, "countries", "poland.py"))
    except OSError:
        return folder
    return f"{folder}:{st.st_mtime_ns}:{st.st_size}"


def _compute(years: list[int], language: str, version: str) -> None:
    # the holidays package only when a week plan is first computed for these years
    import holidays

    calendar = holidays.country_holidays(COUNTRY, years=years, language=language)
    for y in years:
        _memo[(version, language, y)] = {d: str(n) for d, n in calendar.items() if d.year == y}


def _read_store(path: Path, version: str) -> None:
    data = store.read_json(path, version)
    try:
        for key, days in (data or {}).get("years", {}).items():
            language, year = key.rsplit(":", 1)
            _memo[(version, language, int(year))] = {date.fromisoformat(d): n
                                                     for d, n in days.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return


def _write_store(path: Path, version: str) -> bool:
    """Best effort (True when written): without a file the dates are computed again."""
    years = {f"{lang}:{y}": {d.isoformat(): n for d, n in sorted(days.items())}
             for (v, lang, y), days in sorted(_memo.items(), key=lambda kv: kv[0])
             if v == version}
    return store.write_json(path, version, {"years": years})
