"""What `python -m benchmarks` measures for the parts `--only` names (benchmarks/run.py), without running any."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.run import PARTS, SERVERS, parse_args, servers


def test_every_server_is_a_part_and_so_are_the_lists_at_scale() -> None:
    assert set(PARTS) == {*SERVERS, "scale"}
    assert parse_args([]).only == PARTS


def test_an_unknown_part_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(["--only", "connmock,jsonserver"])
    assert exited.value.code == 2
    assert "--only takes names among baseline, connmock" in capsys.readouterr().err


def test_the_servers_come_in_one_order_whatever_order_only_names_them(tmp_path: Path) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text('{"create": {}, "get": {}}')
    made = servers(replies, tmp_path, ("redis-2", "baseline", "state-file", "redis-1"), "redis://127.0.0.1:1/0")
    assert [server.key for server in made] == ["baseline", "state-file", "redis-1", "redis-2"]


def test_every_start_of_a_stateful_row_gets_a_store_of_its_own(tmp_path: Path) -> None:
    # Given the rows that keep state on disk or in the shared Redis
    replies = tmp_path / "replies.json"
    replies.write_text('{"create": {}, "get": {}}')
    state_file, one, two = servers(replies, tmp_path, ("state-file", "redis-1", "redis-2"), "redis://127.0.0.1:1/0")
    # Then each names its file or namespace by the port of the start (new at every start), and only the
    # second Redis row asks for two workers
    assert str(tmp_path / "state-{port}.json") in state_file.command
    for row in (one, two):
        flags = row.command[row.command.index("--store"):]
        assert flags[:4] == ["--store", "redis://127.0.0.1:1/0", "--store-namespace", "bench-{port}"]
    assert "--workers" not in one.command
    assert two.command[two.command.index("--workers") + 1] == "2"
    assert {row.ready_path for row in (state_file, one, two)} == {"/__connmock/health"}
