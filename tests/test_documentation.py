"""Settings and commands that are not documented do not ship."""

from __future__ import annotations

import re
from pathlib import Path

from ember.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(EMBER_[A-Z0-9_]+)`", (ROOT / "docs" / "configuration.md").read_text()))
    defined = set(Settings.env_names())
    assert defined - documented == set(), "document these in docs/configuration.md"
    assert documented - defined == set(), "these are documented but do not exist"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme


def _tree_names() -> list[str]:
    """The packages and modules the README's architecture tree names under src/ember/."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("\nsrc/ember/\n", 1)[1].split("\ntests/", 1)[0]
    names = []
    for line in block.splitlines():
        for word in line.split():
            if not re.fullmatch(r"[a-z_]+(/|\.py)", word):
                break  # the words after the names say what they hold
            names.append(word.removesuffix("/"))
    return names


def _packages() -> set[str]:
    return {p.name for p in (ROOT / "src" / "ember").iterdir() if (p / "__init__.py").exists()}


def test_the_readme_tree_lists_every_package_and_module_once() -> None:
    modules = {p.name for p in (ROOT / "src" / "ember").glob("*.py") if p.name != "__init__.py"}
    assert sorted(_tree_names()) == sorted(_packages() | modules)


def test_the_tests_mirror_the_packages() -> None:
    folders = {p.name for p in (ROOT / "tests").iterdir() if any(p.glob("test_*.py"))}
    assert _packages() - folders == set(), "give each package its folder of tests under tests/"
