"""Faults only a model-based lifecycle sees: they hide behind a later create variant, a filter or a later page.

Each is how real servers go wrong: a serializer that leaks for one credential type only, a filtered query
path that selects the secret column, an off-by-one in page arithmetic, a "has next page" flag computed the
wrong way round (the recorded OpenInt server inverts it).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

from connmock.faults.asgi import Answer, Forward, Handler, Request
from connmock.faults.base import Fault, Memory, add_field, forward_and_remember
from connmock.faults.leaks import has_secrets
from connmock.faults.model import VendorModel
from speclib.profile import Pagination, vendor_profile

__all__ = ["LISTS"]


def pagination(model: VendorModel) -> Pagination | None:
    listing = vendor_profile(model.vendor).listing
    return listing.pagination if listing else None


def query_of(request: Request) -> dict[str, list[str]]:
    return parse_qs(request.query.decode("latin-1"), keep_blank_values=True)


def paging_params(model: VendorModel) -> set[str]:
    paging = pagination(model)
    if paging is None:
        return set()
    return {name for name in (paging.size, paging.page, paging.offset, paging.cursor) if name}


def later_page(model: VendorModel, request: Request) -> bool:
    """The request asks for a page after the first."""
    paging, query = pagination(model), query_of(request)
    if paging is None:
        return False
    if paging.style == "page" and paging.page:
        return query.get(paging.page, [str(paging.first)])[0] != str(paging.first)
    if paging.style == "offset" and paging.offset:
        return query.get(paging.offset, ["0"])[0] not in ("", "0")
    return bool(paging.cursor and query.get(paging.cursor))


def on_lists(change: Callable[[VendorModel, Request, Answer, Memory], Answer]) -> Callable[[VendorModel], Handler]:
    def build(model: VendorModel) -> Handler:
        memory = Memory()

        async def handle(request: Request, forward: Forward) -> Answer:
            answer = await forward_and_remember(model, memory, request, forward)
            if answer.status == 200 and model.is_list(request.method, request.path) is not None:
                return change(model, request, answer, memory)
            return answer

        return handle

    return build


def leak_when_filtered(model: VendorModel, request: Request, answer: Answer, memory: Memory) -> Answer:
    filtered = set(query_of(request)) - paging_params(model)
    return add_field(answer, "debug", memory.secrets[-1]) if filtered and memory.secrets else answer


def drop_first_of_later_pages(model: VendorModel, request: Request, answer: Answer, memory: Memory) -> Answer:
    listing = vendor_profile(model.vendor).listing
    document = answer.json()
    if listing is None or not isinstance(document, dict) or not later_page(model, request):
        return answer
    items = document.get(listing.items)
    if isinstance(items, list) and items:
        document[listing.items] = items[1:]
        return answer.with_json(document)
    return answer


def invert_has_next(model: VendorModel, request: Request, answer: Answer, memory: Memory) -> Answer:
    paging = pagination(model)
    document = answer.json()
    if paging is None or not paging.has_next or not isinstance(document, dict):
        return answer
    if isinstance(document.get(paging.has_next), bool):
        document[paging.has_next] = not document[paging.has_next]
        return answer.with_json(document)
    return answer


def leak_on_later_variant(model: VendorModel) -> Handler:
    """A single-object read of any object but the first one created carries the latest stored secret."""
    memory = Memory()

    async def handle(request: Request, forward: Forward) -> Answer:
        answer = await forward_and_remember(model, memory, request, forward)
        later = [ident for ident in memory.idents[1:] if ident and ident in request.path]
        if answer.status == 200 and later and model.is_op(model.get, request.method, request.path):
            return add_field(answer, "debug", memory.secrets[-1])
        return answer

    return handle


def lists_with(check: Callable[[Pagination], bool]) -> Callable[[VendorModel], bool]:
    def applies(model: VendorModel) -> bool:
        paging = pagination(model)
        return bool(model.lists) and paging is not None and check(paging)

    return applies


def several_variants(model: VendorModel) -> bool:
    from fixtures.factories import PayloadFactory

    return has_secrets(model) and model.get is not None and len(PayloadFactory(model.vendor).variants()) > 1


def has_filters(model: VendorModel) -> bool:
    listing = vendor_profile(model.vendor).listing
    return has_secrets(model) and listing is not None and bool(listing.filters)


LISTS = (
    Fault("leak-on-later-variant", "a single-object read leaks a secret for every object but the first created",
          several_variants, leak_on_later_variant, ("lifecycle",)),
    Fault("leak-in-filtered-list", "a list answer carries the latest stored secret when a filter is given",
          has_filters, on_lists(leak_when_filtered), ("lifecycle",)),
    Fault("drop-from-later-page", "every page after the first silently drops its first item",
          lists_with(lambda paging: True), on_lists(drop_first_of_later_pages), ("lifecycle",)),
    Fault("inverted-has-next", "the list's \"has next page\" flag is inverted",
          lists_with(lambda paging: paging.has_next is not None), on_lists(invert_has_next), ("lifecycle",)),
)
