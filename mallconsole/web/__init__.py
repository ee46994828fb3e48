"""The request kit: authorization, htmx, lists, forms, messages, downloads, templating, page
display, errors, the request's transaction.
"""
