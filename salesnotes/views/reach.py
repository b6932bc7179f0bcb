"""A client's phone and e-mail as tap-to-call and tap-to-mail links, for a table cell.

Apart from contacts.py, which builds Week plan's and Today's rows on the week plan: Portfolio
shows these links too ("Do now"), and importing the week plan's reports for them cost the
process that renders Portfolio, Budget and Pay ~15-20 ms (ARCHITECTURE.md, speed: fork).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from salesnotes.views.engine import cell

NBSP = "\u00a0"
_DIAL = re.compile(r"[^\d+]")
_EMAIL = re.compile(r"^[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[^@\s<>()\[\]]+$")


def reach(phone: str | None, email: str | None) -> str:
    """Tap-to-call and tap-to-mail links, escaped for a table cell; plain text when the phone
    holds no digits or the e-mail is not an address. The number's spaces do not break, so a
    narrow column never splits it over two lines."""
    parts = []
    if phone and phone.strip():
        digits = _DIAL.sub("", phone)
        shown = cell(phone)
        parts.append(f"[{shown.replace(' ', NBSP)}](tel:{digits})"
                     if len(digits.lstrip("+")) >= 3 else shown)
    if email and email.strip():
        address = email.strip()
        ok = _EMAIL.match(address)
        parts.append(f"[{cell(address)}](mailto:{quote(address, safe='@.+-_')})" if ok
                     else cell(address))
    return " · ".join(parts)
