"""A curator imports a licensed text: nobody else finds it until it is
published, and then only the class it was opened to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from classes.models import Enrollment
from classes.services import course_create
from reader.models import Audience, Edition
from tests.e2e.browsing import log_in
from tests.factories import make_user
from tests.reader.test_import_edition import markdown

pytestmark = pytest.mark.e2e


def make_curator():
    keeper = make_user("keeper", groups=("Curators",), is_staff=True)
    # Browser tests flush the database, the curators' permissions with it.
    keeper.groups.get().permissions.add(
        *Permission.objects.filter(content_type__app_label="reader").exclude(
            codename__startswith="delete_"
        )
    )
    return keeper


def test_an_imported_text_is_read_only_by_the_class_it_is_published_to(
    browser, live_server, live_edition, tmp_path
):
    base = live_server.url
    make_curator()
    teacher = make_user("teacher1", groups=("Teachers",))
    member = make_user("member1")
    make_user("stranger1")
    today = timezone.localdate()
    course = course_create(
        teacher=teacher,
        name="Licensed Seminar",
        edition=live_edition,
        term_start=today,
        term_end=today + timedelta(days=60),
    )
    Enrollment.objects.create(course=course, student=member)
    book = tmp_path / "book.md"
    book.write_bytes(markdown())

    # The curator imports the text through admin.
    curator = browser.new_context(viewport={"width": 1300, "height": 900})
    c = curator.new_page()
    c.set_default_timeout(10_000)
    c.goto(f"{base}/admin/login/")
    c.fill("#id_username", "keeper")
    c.fill("#id_password", "correct horse battery")
    c.click("input[type=submit]")
    c.goto(f"{base}/admin/reader/edition/")
    c.get_by_role("link", name="Import a licensed text").click()
    c.set_input_files("#id_file", str(book))
    c.fill("#id_slug", "licensed")
    c.fill("#id_title", "A Licensed Text")
    c.get_by_role("button", name="Preview").click()
    c.get_by_role("button", name="Confirm the import").click()
    assert "only curators can read it" in c.locator(".messagelist").inner_text()
    edition = Edition.objects.get(slug="licensed")
    assert edition.audience == Audience.CURATORS
    reading = f"{base}/read/licensed/black-notebook/"
    # The curator checks it on the site ...
    assert c.goto(reading).status == 200

    # ... an anonymous visitor finds nothing, not even its title.
    visitor = browser.new_context()
    v = visitor.new_page()
    assert v.goto(f"{base}/read/licensed/").status == 404
    assert v.goto(reading).status == 404
    v.goto(f"{base}/")
    assert "A Licensed Text" not in v.content()

    # The curator publishes it to one class.
    c.goto(f"{base}/admin/reader/edition/")
    c.locator(f'input[name="_selected_action"][value="{edition.pk}"]').check()
    c.select_option('select[name="action"]', "publish_editions")
    c.get_by_role("button", name="Go").click()
    c.get_by_label("Members of chosen classes").check()
    c.get_by_label("Licensed Seminar", exact=False).check()
    c.get_by_role("button", name="Save who may read it").click()
    assert "Members of chosen classes" in c.locator(".messagelist").inner_text()
    edition.refresh_from_db()
    assert edition.audience == Audience.CLASSES
    assert list(edition.reading_classes.all()) == [course]

    # A member of the class reads it; a stranger and the visitor get 404.
    student = browser.new_context()
    s = student.new_page()
    s.set_default_timeout(10_000)
    log_in(s, base, "member1")
    assert "A Licensed Text" in s.content()
    assert s.goto(reading).status == 200
    assert "The lamp was lit early that evening." in s.content()

    other = browser.new_context()
    o = other.new_page()
    o.set_default_timeout(10_000)
    log_in(o, base, "stranger1")
    assert "A Licensed Text" not in o.content()
    assert o.goto(reading).status == 404
    assert v.goto(reading).status == 404
    for context in (curator, visitor, student, other):
        context.close()
