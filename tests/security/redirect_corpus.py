"""Hostile ``next`` values: every way a target judged local could still leave the console.

* every ASCII control character and every Unicode whitespace (plus the zero-width and byte-
  order marks browsers ignore) at every position of ``//host``, ``/\\host`` and ``\\/host``,
  as is and, at the position between the two leading characters, percent-encoded once and
  twice;
* the two leading characters percent-encoded once or twice, alone or together, and each
  shape encoded whole, once and twice;
* ``javascript:`` and ``data:`` targets, absolute URLs and user-info (``/@host``,
  ``//user@host``) in their usual disguises.
"""

from __future__ import annotations

import sys
from urllib.parse import quote

HOST = "evil.example"
SHAPES = ("//" + HOST, "/\\" + HOST, "\\/" + HOST)
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
ASCII_CONTROLS = tuple(chr(c) for c in range(0x20)) + ("\x7f",)
UNICODE_WHITESPACE = tuple(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
INVISIBLE = tuple(sorted(set(ASCII_CONTROLS) | set(UNICODE_WHITESPACE) | set(ZERO_WIDTH)))

SCHEMES = (
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "javascript://%0aalert(1)",
    "javascript%3Aalert(1)",
    "%6Aavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,x",
    "/%0Ajavascript:alert(1)",
    "vbscript:msgbox(1)",
)
ABSOLUTE = (
    f"http://{HOST}",
    f"https://{HOST}/login",
    f"HTTPS://{HOST}",
    f"http:{HOST}",
    f"http:/{HOST}",
    f"https:\\\\{HOST}",
    f"ftp://{HOST}",
    f"///{HOST}",
    f"////{HOST}",
    f"/.//{HOST}",
    f"/../{HOST}",
    f"\\\\{HOST}",
)
USER_INFO = (
    f"/@{HOST}",
    f"//user@{HOST}",
    f"//user:password@{HOST}",
    f"//localhost@{HOST}",
    f"/\\user@{HOST}",
    f"@{HOST}",
    f"http://localhost@{HOST}",
    f"https://user@{HOST}/",
    f"/%2F@{HOST}",
    f"%2F%2Fuser@{HOST}",
)


def once(text: str) -> str:
    """Every character percent-encoded (UTF-8), slashes too."""
    return "".join(f"%{byte:02X}" for byte in text.encode())


def twice(text: str) -> str:
    return quote(once(text), safe="")


def _invisible_everywhere() -> list[str]:
    return [
        shape[:at] + char + shape[at:]
        for shape in SHAPES
        for char in INVISIBLE
        for at in range(len(shape) + 1)
    ]


def _invisible_encoded() -> list[str]:
    return [
        shape[0] + encode(char) + shape[1:]
        for shape in SHAPES
        for char in INVISIBLE
        for encode in (once, twice)
    ]


def _leading_encoded() -> list[str]:
    forms = (lambda c: c, once, twice)
    values = []
    for shape in SHAPES:
        for first in forms:
            for second in forms:
                value = first(shape[0]) + second(shape[1]) + shape[2:]
                if value != shape:
                    values.append(value)
        values += [once(shape), twice(shape)]
    return values


def corpus() -> list[str]:
    """The hostile targets, each once, in a stable order."""
    values = (
        _invisible_everywhere()
        + _invisible_encoded()
        + _leading_encoded()
        + list(SCHEMES + ABSOLUTE + USER_INFO)
    )
    return list(dict.fromkeys(values))


CORPUS = corpus()
