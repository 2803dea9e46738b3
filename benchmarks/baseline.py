"""The bare baseline: the plainest ASGI app on the same uvicorn stack as `connmock serve`.

It parses the same JSON body and answers JSON of the same size as the mock does: the harness records the
mock's create and get answers first and hands them over in `BENCH_REPLIES` (a JSON file). POST echoes the
body's `connection_id` into the create answer (so the answer is encoded per request); GET answers the get.
No routing beyond the method, no validation, no state.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

_source = os.environ.get("BENCH_REPLIES")
_replies: dict[str, Any] = orjson.loads(Path(_source).read_bytes()) if _source else {}
CREATE: dict[str, Any] = _replies.get("create", {"id": 1})
GET: dict[str, Any] = _replies.get("get", {"id": 1})
JSON = (b"content-type", b"application/json; charset=utf-8")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":  # lifespan: nothing to set up
        message = await receive()
        while message["type"] != "lifespan.shutdown":
            await send({"type": message["type"] + ".complete"})
            message = await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["method"] == "POST":
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = orjson.loads(b"".join(chunks))
        payload = orjson.dumps({**CREATE, "connection_id": body["connection_id"]})
        status = 201
    else:
        payload = orjson.dumps(GET)
        status = 200
    await send({"type": "http.response.start", "status": status,
                "headers": [JSON, (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
