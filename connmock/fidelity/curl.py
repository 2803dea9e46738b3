"""A sequence as curl lines for one side, with keys as placeholders (`$CONNMOCK_REAL_NANGO_KEY`), never values.

Ids a server produced earlier in the sequence appear as shell variables (`${S0_id}`: the `id` of step 0's
answer), defined by a comment line, so the lines reproduce the sequence by hand and leak no token.
"""

from __future__ import annotations

import re

from connmock.fidelity.sides import Side
from connmock.fidelity.steps import WRONG_KEY, Rendering, Step, render
from contracts.target import auth_headers

__all__ = ["lines"]

SHELL_REF = re.compile(r"\$\{S\d+_\w+\}|\$[A-Z][A-Z0-9_]*")
MAX_BODY = 2_000


def quoted(text: str, keep: tuple[str, ...]) -> str:
    """Double-quoted for the shell: `$` escaped except in the placeholders and step references we print."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    for name in keep:
        escaped = escaped.replace(name.replace("$", "\\$"), name)
    return f'"{escaped}"'


def lines(vendor: str, steps: list[Step], side: Side, reference: bool) -> list[str]:
    rendering = Rendering(side.roles, "cmREPRO", display=True)
    table = {"primary": auth_headers(vendor, side.placeholders[0]), "none": {}, "session": {},
             "wrong": auth_headers(vendor, WRONG_KEY),
             "other": auth_headers(vendor, side.placeholders[1] if len(side.placeholders) > 1 else WRONG_KEY)}
    out = []
    for index, step in enumerate(steps):
        request = render(step, side.base_url, rendering, table, reference)
        keep = tuple(sorted(set(SHELL_REF.findall(request.url + " ".join(request.headers.values())))))
        parts = [f"curl -sS -X {request.method} {quoted(request.url, keep)}"]
        parts += [f"-H {quoted(f'{name}: {value}', keep)}" for name, value in request.headers.items()]
        if request.content is not None:
            body = request.content.decode("utf-8", "replace")
            if len(body) > MAX_BODY:
                body = body[:MAX_BODY]
                parts.append(f"# body cut at {MAX_BODY} of {len(request.content)} bytes")
            parts.append(f"--data-raw {quoted(body, ())}")
        out.append(f"# step {index}: {step.label}")
        out.append(" ".join(parts))
        names = sorted(set(re.findall(r"\{\{ref:(\d+):([\w.]+)\}\}", repr(steps[index + 1:]))))
        for ref, path in names:
            if int(ref) == index:
                out.append(f"#   S{ref}_{re.sub(r'[^A-Za-z0-9_]', '_', path)} = {path} of this answer")
    return out
