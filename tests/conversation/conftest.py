from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# A Wednesday morning: "next Tuesday at 3" is then 2024-05-14 15:00.
CALL_DATE = datetime(2024, 5, 8, 10, 0)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
