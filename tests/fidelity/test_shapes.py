"""The shape comparison on its own: each kind of difference is caught, and volatile values are not."""

from __future__ import annotations

from connmock.fidelity.shapes import GENERATED, Carried, Difference, compare, string_format

JSON = {"Content-Type": "application/json"}


def diffs(expected: object, actual: object, carried: Carried | None = None) -> list[tuple[str, str]]:
    return [(d.path, d.kind) for d in compare(3, 200, JSON, expected, 200, JSON, actual, carried)]


def test_identical_bodies_with_other_ids_and_times_are_equal() -> None:
    expected = {"id": "conn_github_01M82NX7S2AX8NGD2MBFBY2DK6", "created_at": "2026-11-22T22:13:32.862Z",
                "uuid": "b829ab2b-e553-45ab-ae77-9dfdd04f2781", "n": 1, "ok": True}
    actual = {"id": "conn_github_01M9ZZZZZZZZZZZZZZZZZZZZZZ", "created_at": "2027-01-01T00:00:00.000Z",
              "uuid": "0d5b2c3e-1111-4222-8333-444455556666", "n": 1, "ok": True}
    assert diffs(expected, actual) == []


def test_z_versus_offset_is_a_format_difference() -> None:
    found = compare(0, 200, JSON, {"at": "2026-11-22T22:13:32.862Z"},
                    200, JSON, {"at": "2026-11-22T22:13:32.862+00:00"})
    assert found == [Difference(0, "$.at", "format", "iso8601-Z", "iso8601-offset")]


def test_postgres_text_timestamps_are_their_own_format() -> None:
    assert string_format("2026-11-22 22:26:56.934984+00") == "postgres-timestamptz"
    assert diffs({"at": "2026-11-22 22:26:56.934984+00"}, {"at": "2026-11-22T22:26:56.934Z"}) == [("$.at", "format")]


def test_missing_and_extra_fields_are_named_by_path() -> None:
    expected = {"credentials": {"access_token": "a", "refresh_token": "r"}}
    actual = {"credentials": {"access_token": "a", "raw": {}}}
    assert diffs(expected, actual) == [("$.credentials.refresh_token", "missing"), ("$.credentials.raw", "extra")]


def test_id_prefix_is_part_of_the_format() -> None:
    assert diffs({"id": "conn_acme-apikey_01M82NX7S2AX8NGD2MBFBY2DK6"},
                 {"id": "conn_01M82NX7S2AX8NGD2MBFBY2DK6"}) == [("$.id", "format")]


def test_type_change_and_value_change() -> None:
    assert diffs({"items": [{"total": 1}]}, {"items": [{"total": "1"}]}) == [("$.items[0].total", "type")]
    assert diffs({"error": {"code": "not_found"}}, {"error": {"code": "unknown_connection"}}) == [
        ("$.error.code", "value")]


def test_status_no_response_and_headers() -> None:
    assert [d.kind for d in compare(1, 201, JSON, None, 200, JSON, None)] == ["status"]
    assert [d.kind for d in compare(1, None, {}, None, 200, JSON, None)] == ["status"]
    assert [d.kind for d in compare(1, 200, {}, None, None, {}, None)] == ["no-response"]
    recorded = {"Access-Control-Allow-Origin": "*", "X-RateLimit-Limit": "200", "Content-Type": "application/json"}
    found = compare(1, 200, recorded, None, 200, {"content-type": "text/html"}, None)
    assert [d.path for d in found] == ["header:content-type", "header:access-control-allow-origin",
                                       "header:x-ratelimit-limit"]


def test_a_produced_id_is_carried_forward_and_must_match_later() -> None:
    carried = Carried()
    recorded, produced = "conn_github_01M82NX7S2AX8NGD2MBFBY2DK6", "conn_github_01M9ZZZZZZZZZZZZZZZZZZZZZZ"
    assert diffs({"id": recorded}, {"id": produced}, carried) == []
    assert carried.values == {recorded: produced}
    # a later list must show the produced id, not just any id of the same shape
    other = "conn_github_01M9YYYYYYYYYYYYYYYYYYYYYY"
    assert diffs({"items": [{"id": produced}]}, {"items": [{"id": other}]}, carried) == [("$.items[0].id", "value")]


def test_generated_fragments_inside_text_are_compared_by_shape() -> None:
    assert diffs({"uid": "api-key/d4420c6e"}, {"uid": "api-key/a34bd9c4"}) == []
    assert diffs({"uid": "api-key/d4420c6e"}, {"uid": "custom/a34bd9c4"}) == [("$.uid", "value")]


def test_a_hex_run_of_digits_only_is_still_generated() -> None:
    # A random hex suffix holds no letter about one time in forty: it must still compare by shape
    assert GENERATED.sub("#", "custom/86193172") == GENERATED.sub("#", "custom/30b35b27") == "custom/#"


def test_a_minted_token_is_not_carried_as_an_identity() -> None:
    # Two tokens minted in the same second were equal on the recorded server; the mock's may straddle a second
    carried = Carried()
    recorded = "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjF9.c2ln"
    assert diffs({"token": recorded}, {"token": "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjJ9.b3RoZXI"}, carried) == []
    assert carried.values == {}
    assert diffs({"token": recorded}, {"token": "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjN9.dGhpcmQ"}, carried) == []


def test_a_big_number_written_two_ways_is_one_number() -> None:
    assert diffs({"n": 32985918243087790}, {"n": 3.298591824308779e16}) == []
    assert diffs({"n": 32985918243087790}, {"n": 3.2985918243087e16}) == [("$.n", "value")]
