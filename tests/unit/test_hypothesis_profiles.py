"""The Hypothesis profiles are registered once (tests/support/profiles.py) and chosen by tox's environments."""

from __future__ import annotations

import configparser
import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.profiles import DEFAULT, ENV, PROFILES, chosen_profile

ROOT = Path(__file__).resolve().parents[2]


def test_the_profiles_are_registered_and_grow() -> None:
    counts = [settings.get_profile(name).max_examples for name in ("dev", "ci", "deep")]
    assert counts == sorted(counts) and len(set(counts)) == 3
    assert all(settings.get_profile(name).deadline is None for name in PROFILES)


def test_dev_is_the_default_and_a_name_is_checked() -> None:
    assert chosen_profile({}) == DEFAULT == "dev"
    assert chosen_profile({ENV: "ci"}) == "ci"
    with pytest.raises(ValueError, match="choose one of dev, ci, deep"):
        chosen_profile({ENV: "fast"})


def test_this_run_uses_the_profile_it_asked_for() -> None:
    assert settings.default is not None
    assert settings.default.max_examples == PROFILES[chosen_profile(os.environ)].max_examples


@pytest.mark.parametrize(("env", "profile"), [("tests", "ci"), ("fuzz", "deep")])
def test_tox_chooses_the_profile(env: str, profile: str) -> None:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    lines = [line.strip() for line in tox[f"testenv:{env}"]["setenv"].splitlines()]
    assert f"{ENV} = {profile}" in lines
