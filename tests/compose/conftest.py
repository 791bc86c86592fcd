from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ember.settings import get_settings
from tests.compose_support import cli_runner


@pytest.fixture
def ember(engine, tmp_path, monkeypatch) -> Iterator[Callable[..., Any]]:  # type: ignore[no-untyped-def]
    yield cli_runner(engine, tmp_path, monkeypatch)
    get_settings.cache_clear()
