"""Target resolution: CLI, configuration, installed, declared, newest."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from ce_lint.knowledge import Knowledge
from ce_lint.targets import TargetError, declared_specs, parse_target, resolve

KN = Knowledge.load()


def test_parse_target() -> None:
    assert parse_target("transformers==5.24") == ("transformers", "==5.24")
    assert parse_target("sentence_transformers>=5.0,<6") == ("sentence-transformers", "<6,>=5.0")
    with pytest.raises(TargetError):
        parse_target("transformers")
    with pytest.raises(TargetError):
        parse_target("numpy==2")


def test_cli_beats_config_and_installed() -> None:
    t = resolve(KN, ["transformers==4.44"], {"transformers": "==5.0"}, use_installed=True)
    assert t.transformers.origin == "cli" and t.tf == Version("4.44.0")
    # sentence-transformers follows: the newest release that installs beside 4.44
    assert t.st < Version("6.0")


def test_ranges_give_lowest_and_highest() -> None:
    t = resolve(KN, ["transformers>=4.41,<5", "sentence-transformers==4.0.2"], use_installed=False)
    assert t.transformers.lo == Version("4.41.0") and t.transformers.hi == Version("4.57.6")
    assert t.sentence_transformers.hi == Version("4.0.2")


def test_unexamined_patch_maps_to_its_minor() -> None:
    t = resolve(KN, ["transformers==5.22.2"], use_installed=False)
    assert t.tf == Version("5.22.0")


def test_newer_than_known_uses_newest() -> None:
    t = resolve(KN, ["transformers==5.99"], use_installed=False)
    assert t.tf == KN.tf.newest


def test_declared_dependencies(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["transformers>=4.46,<4.50", "sentence-transformers==4.0.2"]\n'
    )
    (tmp_path / "configs").mkdir()
    assert declared_specs(tmp_path / "configs") == {
        "transformers": "<4.50,>=4.46",
        "sentence-transformers": "==4.0.2",
    }
    t = resolve(KN, [], None, tmp_path / "configs", use_installed=False)
    assert t.transformers.origin == "declared" and t.tf == Version("4.49.0")


def test_requirements_txt(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("# deps\ntransformers==4.44.2  # pinned\ntorch\n")
    assert declared_specs(tmp_path) == {"transformers": "==4.44.2"}


def test_newest_known_without_anything(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    t = resolve(KN, [], None, tmp_path, use_installed=False)
    assert t.transformers.origin == "newest" and t.tf == KN.tf.newest


def test_a_minor_pin_uses_that_minor() -> None:
    # 4.46.0 is not on the index; its minor starts at 4.46.1.
    assert resolve(KN, ["transformers==4.46"], use_installed=False).tf == Version("4.46.1")
    assert resolve(KN, ["transformers==4.46.3"], use_installed=False).tf == Version("4.46.3")
