"""htmx helpers: whole page or one block of it from the same template, ``Vary: HX-Request``."""

from __future__ import annotations

from functools import wraps

from flask import current_app, make_response, redirect, render_template, request, url_for


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


def go_to(target: str):
    """Open ``target`` (an address of this console): a 303 redirect, or for htmx a 204 with
    ``HX-Redirect``, so the whole page changes rather than a redirected page landing in the
    element that asked."""
    if is_htmx():
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


def fragment_of(endpoint: str):
    """Decorate a view that answers htmx with a part of ``endpoint``'s page: opened as a page
    (a new tab, a bookmark) it redirects to that page, with the same view arguments, instead
    of rendering a fragment without its page's context."""

    def decorator(view):
        @wraps(view)
        def fragment(**view_args):
            if not is_htmx():
                return redirect(url_for(endpoint, **view_args), code=303)
            return view(**view_args)

        fragment.fragment_of = endpoint
        return fragment

    return decorator
