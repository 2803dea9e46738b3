"""The compatibility table is checked, not rewritten, by a plain run: stale only when what ran differs."""

from __future__ import annotations

from pathlib import Path

from tests.sdk.compat import Compat


def test_the_table_is_stale_only_when_a_result_changed(tmp_path: Path) -> None:
    doc = tmp_path / "sdk-compat.md"
    first = Compat(doc)
    first.record("sdk-a", "1.0", "create", None)
    first.record("sdk-b", "2.0", "get", None)
    assert first.stale()  # nothing committed yet
    first.write()
    assert not first.stale()

    partial = Compat(doc)
    partial.record("sdk-a", "1.0", "create", None)
    assert not partial.stale()  # sdk-b's committed rows are kept
    partial.record("sdk-a", "1.0", "delete", None)
    assert partial.stale()
    before = doc.read_text()
    assert partial.stale() and doc.read_text() == before  # checking never writes

    broken = Compat(doc)
    broken.record("sdk-b", "2.0", "get", "404")
    assert broken.stale()
    assert not Compat(doc).stale()  # a run that reached no SDK checks nothing
