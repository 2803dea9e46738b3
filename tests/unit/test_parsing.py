"""The gate's request headers answer as Starlette's `Headers` do, from a dict built once."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from mock_server.parsing import RequestHeaders, is_json_media

RAW = [(b"host", b"localhost"), (b"x-dup", b"first"), (b"content-type", b"application/json"), (b"x-dup", b"second"),
       (b"x-latin", "caf\u00e9".encode("latin-1"))]


@pytest.mark.parametrize("name", ["host", "Host", "X-DUP", "x-dup", "content-type", "x-latin", "absent"])
def test_lookups_answer_as_starlettes_headers(name: str) -> None:
    scope = {"type": "http", "headers": RAW}
    ours, theirs = RequestHeaders(scope), Headers(scope=scope)
    assert ours.get(name) == theirs.get(name) and ours.get(name, "-") == theirs.get(name, "-")
    assert (name in ours) == (name in theirs)
    if name in theirs:
        assert ours[name] == theirs[name]
    else:
        with pytest.raises(KeyError):
            ours[name]
    assert ours.getlist(name) == theirs.getlist(name)  # the rest is Starlette's own


@pytest.mark.parametrize(("content_type", "json"), [
    ("application/json", True), ("Application/JSON; charset=utf-8", True), ("application/vnd.api+json", True),
    ("text/plain", False), ("", False)])
def test_json_media_types(content_type: str, json: bool) -> None:
    assert is_json_media(content_type) is json
