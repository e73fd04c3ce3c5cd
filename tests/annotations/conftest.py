from __future__ import annotations

import pytest

from reader.models import Passage


@pytest.fixture
def passage(edition) -> Passage:
    """black-001: 'Passage 1 of Part 2: he looked at the mask again.'"""
    return Passage.objects.get(edition=edition, key="black-001")


@pytest.fixture
def next_passage(edition) -> Passage:
    return Passage.objects.get(edition=edition, key="black-002")
