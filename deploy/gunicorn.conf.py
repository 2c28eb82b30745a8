"""gunicorn settings read by deploy/dangjian-web.service and the benchmarks' bench/server.py
(`--config`): only what the command line cannot say.

After a worker has loaded the application, its objects (Django, the URLconf, the API's
schemas: some 200,000) are moved out of the garbage collector's sight (`gc.freeze()`). They
live as long as the worker, yet a full collection walked them all: a pause of 20–200 ms on a
busy machine that stalls every thread of the worker, the tail of the gate entries' latency
(issue 11, docs/adr/0016). The young generations are collected as before.
"""

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    from django.urls import get_resolver

    # import the URLconf (every view, the API's schemas) before freezing
    _ = get_resolver().url_patterns
    gc.collect()
    gc.freeze()
