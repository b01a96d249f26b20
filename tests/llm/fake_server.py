"""A small OpenAI-compatible chat server over real HTTP, for tests that need workers.

It answers ``POST /v1/chat/completions`` deterministically: the action is
picked from the request's JSON schema by a hash of the last message and the
seed, so the same request always gets the same reply. It counts requests.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def choose(body: dict[str, Any]) -> str:
    schema = body["response_format"]["json_schema"]["schema"]
    item = schema["properties"]["actions"]["items"]
    menu = []
    for b in item.get("anyOf", [item]):
        tgt = b["properties"]["target"]
        for a in b["properties"]["action"]["enum"]:
            menu.append((a, tgt.get("enum")))
    h = int(hashlib.sha256((body["messages"][-1]["content"] + str(body.get("seed"))).encode())
            .hexdigest(), 16)
    a, targets = menu[h % len(menu)]
    return json.dumps({"reasoning": f"fake {h % 89}", "signal": f"we say {h % 97}",
                       "signal_intent": "posturing",
                       "actions": [{"action": a, "target": targets[h % len(targets)]
                                    if targets else None}]})


class FakeServer:
    def __init__(self) -> None:
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(n))
                outer.requests += 1
                content = choose(body)
                out = json.dumps({
                    "id": "c", "object": "chat.completion", "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20,
                              "total_tokens": 120}}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *a: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
