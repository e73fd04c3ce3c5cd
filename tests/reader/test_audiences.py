"""The reader learns who reads an edition through classes from the audience
the classes app registers (reader/audiences.py), never by reaching into it."""

from __future__ import annotations

import pytest

from classes.audiences import CourseAudience
from reader import audiences
from reader.models import Edition


def test_the_classes_app_registers_its_audience():
    assert isinstance(audiences.class_audience(), CourseAudience)


@pytest.fixture
def without_classes(monkeypatch):
    monkeypatch.setattr(audiences, "_audience", audiences.NoClasses())


def test_without_an_app_that_knows_classes_a_class_edition_is_for_curators_only(
    licensed, without_classes
):
    readable = Edition.objects.readable_by
    assert not readable(licensed.student).filter(pk=licensed.edition.pk).exists()
    assert not readable(licensed.teacher).filter(pk=licensed.edition.pk).exists()
    assert readable(licensed.curator).filter(pk=licensed.edition.pk).exists()


def test_without_an_app_that_knows_classes_no_class_can_be_chosen(
    licensed, without_classes
):
    audience = audiences.class_audience()
    assert not audience.classes().exists()
    assert not audience.opened_to(licensed.edition).exists()
    with pytest.raises(ValueError):
        audience.open_to(licensed.edition, [licensed.course])
