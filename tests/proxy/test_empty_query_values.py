"""An empty query value the spec allows (`allowEmptyValue`, OpenInt's coercing server) is a valid request for the
proxy's check; an empty value of a parameter that does not allow one, or a wrong value, is still a problem."""

from __future__ import annotations

import pytest
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from connmock.proxy.validation import Checker, Problem, RequestFacts
from speclib import load_spec


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(load_spec("openint"))


def problems(checker: Checker, path: str, pattern: str, query: str, **path_params: str) -> list[Problem]:
    name, _, value = query.partition("=")
    parameters = RequestParameters(query=ImmutableMultiDict([(name, value)]),
                                   header=Headers({"Authorization": "Bearer oik_k"}), path=path_params)
    return checker.request_problems(RequestFacts("get", path, pattern, None, "", parameters))


@pytest.mark.parametrize("query", ["include_secrets=", "include_secrets=true"])
def test_an_allowed_empty_value_is_a_valid_read(checker: Checker, query: str) -> None:
    assert problems(checker, "/connection/conn_okta_1", "/connection/{id}", query, id="conn_okta_1") == []


@pytest.mark.parametrize("query", ["limit=", "offset="])
def test_an_allowed_empty_number_is_a_valid_list(checker: Checker, query: str) -> None:
    assert problems(checker, "/connection", "/connection", query) == []


@pytest.mark.parametrize("query", ["limit=many", "expand="])
def test_values_the_spec_does_not_allow_are_still_problems(checker: Checker, query: str) -> None:
    name = query.split("=")[0]
    assert [p.place for p in problems(checker, "/connection", "/connection", query)] == [f"parameter {name}"]
