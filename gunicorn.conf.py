"""gunicorn settings of Mall Console; gunicorn reads this file from the directory it starts in
(``gunicorn wsgi:app``, ``make serve-prod``). Command-line options override it.

* ``WEB_CONCURRENCY``: worker processes (default: two per CPU core, plus one). Sign-in hashes
  passwords with Argon2 (64 MiB, a quarter of a second of CPU each), so count cores, not
  threads.
* ``GUNICORN_BIND``: where to listen (default ``127.0.0.1:8000``: behind the TLS proxy).
"""

import multiprocessing
import os

from gunicorn.http import wsgi as _gunicorn_http

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = 30
graceful_timeout = 30
# Recycle workers now and then (memory growth of long-lived processes), not all at once.
max_requests = 2000
max_requests_jitter = 200
# Request line and headers: gunicorn's own limits; bodies are capped per view by the console.
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
# X-Forwarded-Proto is believed from these addresses only (the proxy on the same host).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No control socket in the home directory: nothing uses it, and two servers would share it.
control_socket_disable = True

# No server software or version in responses: gunicorn writes its own ``Server`` header
# (the application cannot replace it, only add a second one), so name the product instead.
_gunicorn_http.SERVER = "Mall Console"
