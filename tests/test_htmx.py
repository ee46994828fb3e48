from flask import render_template_string

from mallconsole.web.htmx import is_htmx, render, render_block


def test_render_gives_the_page_or_one_block(app, session):
    with app.test_request_context("/"):
        full = render("support/home.html", block="queues", queues=[])
    assert b"<!doctype html>" in full.data and "HX-Request" in full.headers["Vary"]
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        assert is_htmx()
        part = render("support/home.html", block="queues", queues=[], status=422)
    assert part.status_code == 422
    assert part.data.lstrip().startswith(b'<section id="queues"')
    assert "HX-Request" in part.headers["Vary"]


def test_history_restore_gets_the_whole_page(app):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    with app.test_request_context("/", headers=headers):
        assert not is_htmx()


def test_render_block_rejects_unknown_blocks(app):
    import pytest

    with app.test_request_context("/"):
        with pytest.raises(KeyError):
            render_block("console/search.html", "nope")
        assert render_template_string("{{ 1 + 1 }}") == "2"
