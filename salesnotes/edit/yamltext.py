"""Text as a YAML value that every reader (YAML 1.1 or 1.2, Obsidian) reads back unchanged.

Plain when nothing could misread it; otherwise double-quoted with JSON escapes, which are valid
YAML. `no`, `0123`, `10:00`, `2026-01-01`, `~`, `@x`, `#x`, `a: b` all get quotes.
"""

from __future__ import annotations

import json
import re

_SAFE_PLAIN = re.compile(r"[A-Za-z\u00c0-\uffff][\w\u00c0-\uffff .,&()/'+-]*")
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def yaml_str(text: str) -> str:
    """`Hydro-Tech Sp. z o.o.` stays plain; anything a YAML reader could retype is quoted."""
    s = str(text)
    if (_SAFE_PLAIN.fullmatch(s) and s.lower() not in _YAML_WORDS and not s.endswith((" ", "."))
            and ": " not in s and " #" not in s and "\n" not in s and not _UNSAFE.search(s)):
        return s
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(s, ensure_ascii=False))
