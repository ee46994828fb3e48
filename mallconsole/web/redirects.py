"""Where the console may send a browser after an action: one rule for every redirect built
from input (``next`` after sign-in and the TOTP step, and any later "back to" address).

A target is read the way a browser and the server will read it before it is judged: invisible
characters (controls, whitespace, format characters) are dropped, as browsers drop tabs and
newlines inside URLs; backslashes count as slashes, as browsers read them in http(s) URLs;
percent-encoding is undone, again and again until nothing changes. Only what is still a path
on this console after all of that is kept; anything else (another host, a scheme, a protocol-
relative ``//host``) gives way to the console's home page.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urljoin, urlsplit

from flask import redirect, url_for

# Decoding more layers than this is no one's honest link: refuse instead of going on.
MAX_DECODING_ROUNDS = 8
# Control (Cc), format (Cf: zero-width, bidi, BOM) and separator (Z*) characters.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# Any origin serves: a path resolved against it must stay on it.
PROBE_ORIGIN = "http://console.invalid"


def _is_invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in INVISIBLE_CATEGORIES


def _cleaned(value: str) -> str:
    """Without invisible characters, backslashes read as slashes."""
    return "".join(c for c in value if not _is_invisible(c)).replace("\\", "/")


def _as_read(value: str) -> str | None:
    """``value`` cleaned and percent-decoded until stable (None if it never settles)."""
    current = _cleaned(value)
    for _ in range(MAX_DECODING_ROUNDS):
        decoded = _cleaned(unquote(current))
        if decoded == current:
            return current
        current = decoded
    return None


def _without_dot_segments(path: str) -> str:
    """``path`` with ``.`` and ``..`` segments resolved (RFC 3986, 5.2.4)."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    if path.rsplit("/", 1)[-1] in (".", ".."):
        segments.append("")
    return "/".join(segments)


def _is_local_path(value: str) -> bool:
    """A path on this origin, also once its dot segments are resolved (``/.//host`` is a
    path of this console that a later relative use would read as ``//host``)."""
    if not value.startswith("/") or value.startswith("//"):
        return False
    if _without_dot_segments(urlsplit(value).path).startswith("//"):
        return False
    resolved = urlsplit(urljoin(PROBE_ORIGIN + "/", value))
    return f"{resolved.scheme}://{resolved.netloc}" == PROBE_ORIGIN


def safe_next(target: str | None) -> str | None:
    """``target`` as a path on this console to redirect to, or None when it could lead anywhere
    else (after removing invisible characters, reading backslashes as slashes and undoing
    percent-encoding, repeatedly). The path returned holds only printable ASCII."""
    if not isinstance(target, str) or not target:
        return None
    cleaned = _cleaned(target)
    read = _as_read(target)
    if read is None or not _is_local_path(cleaned) or not _is_local_path(read):
        return None
    # Non-ASCII characters percent-encoded (UTF-8), as a header value must be.
    return "".join(c if c.isascii() else quote(c, safe="") for c in cleaned)


def redirect_to_next(target: str | None, default_endpoint: str = "console.index"):
    """A redirect to ``target`` when it is a path on this console, else to ``default_endpoint``."""
    return redirect(safe_next(target) or url_for(default_endpoint))
