"""gunicorn settings of Mall Console; gunicorn reads this file from the directory it starts in
(``gunicorn wsgi:app``, ``make serve-prod``). Command-line options override it.

* ``WEB_CONCURRENCY``: worker processes (default: two per CPU core, plus one). Sign-in hashes
  passwords with Argon2 (64 MiB, a quarter of a second of CPU each), so count cores, not
  threads.
* ``GUNICORN_BIND``: where to listen (default ``127.0.0.1:8000``: behind the TLS proxy).
* ``METRICS_BIND``: a second listener for Prometheus (``/metrics`` without a token, nothing else
  answers there); otherwise ``/metrics`` takes a bearer token of ``METRICS_TOKENS``.
* ``PROMETHEUS_MULTIPROC_DIR``: where the workers write their metrics for the scrape to add up
  (default: a folder made for this server, emptied at start).
"""

import multiprocessing
import os
import shutil
import tempfile

from gunicorn.http import wsgi as _gunicorn_http

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
if os.environ.get("METRICS_BIND"):
    bind.append(os.environ["METRICS_BIND"])

# Every worker writes its metrics to files here; whichever answers /metrics adds them up. Set
# before any worker imports the metrics library (they inherit the master's environment).
_made_metrics_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _made_metrics_dir = tempfile.mkdtemp(prefix="mallconsole-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _made_metrics_dir
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


def on_starting(server):
    """Start from empty metric files: the figures of an earlier server would be added in."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """A worker that ends (recycled by max_requests) stops counting in the live figures."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_metrics_dir:
        shutil.rmtree(_made_metrics_dir, ignore_errors=True)
