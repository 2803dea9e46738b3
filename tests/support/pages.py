"""Posting a hosted page's form as a browser does: with the hidden form token the page carried."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support.api import ApiClient

FORM_TOKEN = re.compile(r'<input type="hidden" name="form_token" value="([^"]+)">')


def form_token(page: httpx.Response) -> str | None:
    """The form token a page's forms carry (one per link: every form of the page has the same)."""
    found = FORM_TOKEN.search(page.text)
    return found[1] if found else None


class Forms:
    """A user's browser on the pages: it opens a link before it submits the page's form, and keeps each
    link's form token (a page that shows no form any more, once its flow is decided, has none to give)."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.tokens: dict[str, str] = {}

    def open(self, url: str, **kwargs: Any) -> httpx.Response:
        page = self.api.get(url, **kwargs)
        token = form_token(page)
        if token:
            self.tokens[url] = token
        return page

    def post(self, url: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        if url not in self.tokens:
            self.open(url)
        return self.api.post(url, data={**data, "form_token": self.tokens.get(url, "")}, **kwargs)
