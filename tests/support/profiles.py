"""Hypothesis profiles, registered once for the whole suite (a pytest plugin: `pytest_plugins` in tests/conftest.py).

    dev   the default: quick enough to run on every change
    ci    `tox -e tests` (CONNMOCK_HYPOTHESIS_PROFILE=ci): more examples, and the failing example's blob printed
    deep  `tox -e fuzz`: long runs, for the rare input

Tests set only what is particular to them (a health check a fixture needs); the example count comes from here.
`pytest --hypothesis-profile=NAME` overrides the variable. Every profile has `deadline=None`: the tests that talk
HTTP or start servers would otherwise fail on a slow shared machine rather than on a wrong answer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hypothesis import settings

__all__ = ["DEFAULT", "ENV", "PROFILES", "chosen_profile"]

ENV = "CONNMOCK_HYPOTHESIS_PROFILE"
DEFAULT = "dev"
PROFILES: dict[str, settings] = {
    "dev": settings(max_examples=100, deadline=None),
    "ci": settings(max_examples=300, deadline=None, print_blob=True),
    "deep": settings(max_examples=3000, deadline=None),
}


def chosen_profile(environ: Mapping[str, str]) -> str:
    """The profile `environ` asks for (`dev` when it asks for none); an unknown name is an error, not a default."""
    name = environ.get(ENV) or DEFAULT
    if name not in PROFILES:
        raise ValueError(f"{ENV}={name!r}: choose one of {', '.join(PROFILES)}")
    return name


for _name, _profile in PROFILES.items():
    settings.register_profile(_name, _profile)
settings.load_profile(chosen_profile(os.environ))
