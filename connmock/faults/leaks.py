"""Faults that send a secret back where the spec's secret rule does not allow it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from connmock.faults.asgi import Answer, Forward, Handler, Request
from connmock.faults.base import Fault, Memory, add_field, b64, forward_and_remember, renamed
from connmock.faults.model import VendorModel

__all__ = ["LEAKS"]

CreateChange = Callable[[VendorModel, Request, Answer], Answer]


def on_create(change: CreateChange, statuses: Callable[[VendorModel, int], bool]) -> Callable[[VendorModel], Handler]:
    """A fault that rewrites the create's answer (of the statuses selected) when its request carries a secret."""

    def build(model: VendorModel) -> Handler:
        async def handle(request: Request, forward: Forward) -> Answer:
            answer = await forward(request)
            if (model.is_create(request.method, request.path) and statuses(model, answer.status)
                    and model.secrets_in(request.json())):
                return change(model, request, answer)
            return answer

        return handle

    return build


def success(model: VendorModel, status: int) -> bool:
    return status == model.success


def client_error(model: VendorModel, status: int) -> bool:
    return 400 <= status < 500


def echo(model: VendorModel, request: Request, answer: Answer) -> Answer:
    return add_field(answer, "debug", model.secrets_in(request.json())[0])


def echo_renamed(model: VendorModel, request: Request, answer: Answer) -> Answer:
    from speclib.secrets import secret_values

    path, value, _rule = secret_values(model.rules, request.json())[0]
    name = next((part for part in reversed(path) if not part.isdigit()), "secret")
    return add_field(answer, renamed(name), value)


def echo_base64(model: VendorModel, request: Request, answer: Answer) -> Answer:
    return add_field(answer, "fingerprint", b64(model.secrets_in(request.json())[0]))


def echo_header(model: VendorModel, request: Request, answer: Answer) -> Answer:
    secret = model.secrets_in(request.json())[0]
    value = secret if secret.isascii() and secret.isprintable() else quote(secret)  # what HTTP can carry
    return Answer(answer.status, [*answer.headers, (b"x-debug-credential", value.encode())], answer.body)


def echo_request(model: VendorModel, request: Request, answer: Answer) -> Answer:
    return add_field(answer, "received", request.body.decode(errors="replace"))


def on_reads(which: Callable[[VendorModel, str, str], bool]) -> Callable[[VendorModel], Handler]:
    """A fault that adds the latest stored secret to every successful read `which` selects."""

    def build(model: VendorModel) -> Handler:
        memory = Memory()

        async def handle(request: Request, forward: Forward) -> Answer:
            answer = await forward_and_remember(model, memory, request, forward)
            if answer.status == 200 and memory.secrets and which(model, request.method, request.path):
                return add_field(answer, "debug", memory.secrets[-1])
            return answer

        return handle

    return build


def after_change(kind: str) -> Callable[[VendorModel], Handler]:
    """The answer to an update (PATCH/PUT), or to a create that overwrites an earlier one, carries the stored
    secret (`previous`)."""

    def build(model: VendorModel) -> Handler:
        memory = Memory()

        async def handle(request: Request, forward: Forward) -> Answer:
            seen = list(memory.bodies)
            answer = await forward_and_remember(model, memory, request, forward)
            if kind == "update":
                hit = any(model.is_op(op, request.method, request.path) for op in model.updates)
            else:
                hit = model.is_create(request.method, request.path) and request.body in seen
            if hit and 200 <= answer.status < 300 and memory.secrets:
                return add_field(answer, "previous", memory.secrets[-1])
            return answer

        return handle

    return build


def has_secrets(model: VendorModel) -> bool:
    return any(not rule.public for rule in model.rules)


LEAKS = (
    Fault("leak-in-create", "a secret of the create request echoed in its answer (`debug`)", has_secrets,
          on_create(echo, success), ("valid-requests",)),
    Fault("leak-in-get", "the latest stored secret added to every single-object read",
          lambda m: has_secrets(m) and m.get is not None,
          on_reads(lambda m, method, path: m.is_op(m.get, method, path)), ("lifecycle",)),
    Fault("leak-in-list", "the latest stored secret added to every list answer",
          lambda m: has_secrets(m) and bool(m.lists),
          on_reads(lambda m, method, path: m.is_list(method, path) is not None), ("lifecycle",)),
    Fault("leak-renamed-key", "a secret echoed in the create answer under a renamed key (`client_secret` → "
          "`clientSecret`)", has_secrets, on_create(echo_renamed, success), ("valid-requests",)),
    Fault("leak-base64", "a secret, base64-encoded, in the create answer (`fingerprint`)", has_secrets,
          on_create(echo_base64, success), ("valid-requests",)),
    Fault("leak-in-header", "a secret in a header of the create answer (`x-debug-credential`)", has_secrets,
          on_create(echo_header, success), ("valid-requests",)),
    Fault("leak-in-error", "the request body echoed in the create's 4xx error body (`received`)", has_secrets,
          on_create(echo_request, client_error), ("required-fields",)),
    Fault("leak-after-update", "the answer to an update (PATCH/PUT) of an object carries its stored secret",
          lambda m: has_secrets(m) and bool(m.updates), after_change("update"), ("lifecycle",)),
    Fault("leak-after-upsert", "the answer to a create that overwrites an earlier one carries the stored secret",
          lambda m: has_secrets(m) and m.upserts, after_change("upsert"), ("lifecycle",)),
)
