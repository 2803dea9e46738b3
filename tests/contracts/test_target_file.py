"""A target file that lacks what the run needs is one clear line before anything is sent, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.target import TargetError, load_target
from speclib import VENDORS
from speclib.profile import vendor_profile

BOUND = [vendor for vendor in VENDORS if vendor_profile(vendor).binds is not None]


@pytest.mark.parametrize("vendor", BOUND)
def test_a_vendor_whose_creates_refer_to_existing_objects_needs_their_ids(
        vendor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = vendor_profile(vendor).binds.table  # type: ignore[union-attr]
    monkeypatch.setenv("TARGET_FILE_KEY", "k")
    config = tmp_path / "target.toml"
    config.write_text(f'[{vendor}]\napi_key_env = "TARGET_FILE_KEY"\n', encoding="utf-8")
    with pytest.raises(TargetError, match=rf"\[{vendor}\.ids\] needs a {table} table"):
        load_target(vendor, "http://127.0.0.1:9", config)
    config.write_text(f'[{vendor}]\napi_key_env = "TARGET_FILE_KEY"\n[{vendor}.ids]\n{table} = {{}}\n',
                      encoding="utf-8")
    with pytest.raises(TargetError, match=table):
        load_target(vendor, "http://127.0.0.1:9", config)

