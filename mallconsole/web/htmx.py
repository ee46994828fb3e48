"""htmx helpers: whole page or one block of it from the same template, ``Vary: HX-Request``."""

from __future__ import annotations

from flask import current_app, make_response, render_template, request


def is_htmx() -> bool:
    """Whether htmx sent this request (and it is not a history restore, which wants a page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_block(template_name: str, block: str, **context) -> str:
    """Render only ``{% block <block> %}`` of ``template_name`` with the usual context."""
    app = current_app
    app.update_template_context(context)
    template = app.jinja_env.get_template(template_name)
    if block not in template.blocks:
        raise KeyError(f"{template_name} has no block {block!r}")
    return "".join(template.blocks[block](template.new_context(context)))


def render(template_name: str, block: str | None = None, *, status: int = 200, **context):
    """The page, or only ``block`` of it for an htmx request; always ``Vary: HX-Request``."""
    if block is not None and is_htmx():
        body = render_block(template_name, block, **context)
    else:
        body = render_template(template_name, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
