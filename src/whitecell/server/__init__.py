"""The live-exercise web app over :mod:`whitecell.exercise` (FastAPI, Jinja2, htmx, SSE).

* :mod:`.app` -- the application: error mapping, body limits, logging without tokens;
* :mod:`.auth` -- who is asking (bearer header or the page cookie) and CSRF;
* :mod:`.api` -- the REST API (``/api/...``, OpenAPI at ``/openapi.json``);
* :mod:`.stream` -- server-sent events filtered per token;
* :mod:`.pages` -- the facilitator console, cell and observer views;
* :mod:`.serve` -- ``whitecell serve``.
"""
