"""Who may read an edition: one rule, `Edition.objects.readable_by(user)`,
on every reading page. Whoever may not read it meets a 404, never a 403."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import NoReverseMatch, reverse

from classes.models import Enrollment
from reader.models import Audience, Edition
from reader.services import edition_publish
from tests.factories import make_edition, make_user

# An edition restricted to one class: (role, may read it).
CAST = [
    ("anonymous", False),
    ("stranger", False),
    ("student", True),
    ("teacher", True),
    ("curator", True),
]


def expected(may_read: bool, ok: int = 200) -> int:
    return ok if may_read else 404


# --- The rule ----------------------------------------------------------------------


@pytest.mark.parametrize("role, may_read", CAST)
def test_a_class_edition_is_readable_by_its_class_and_curators_only(
    licensed, role, may_read
):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if role == "anonymous" else getattr(licensed, role)
    readable = Edition.objects.readable_by(user)
    assert readable.filter(pk=licensed.edition.pk).exists() == may_read


@pytest.mark.parametrize(
    "audience, anonymous, signed_in",
    [
        (Audience.EVERYONE, True, True),
        (Audience.SIGNED_IN, False, True),
        (Audience.CURATORS, False, False),
    ],
)
def test_each_audience_admits_whom_it_says(db, audience, anonymous, signed_in):
    from django.contrib.auth.models import AnonymousUser

    edition = make_edition("e", audience=audience)
    reader = make_user()
    curator = make_user(groups=("Curators",), is_staff=True)
    assert Edition.objects.readable_by(AnonymousUser()).contains(edition) == anonymous
    assert Edition.objects.readable_by(reader).contains(edition) == signed_in
    assert Edition.objects.readable_by(curator).contains(edition)


def test_a_student_who_leaves_the_class_no_longer_reads_its_edition(licensed):
    Enrollment.objects.filter(student=licensed.student).delete()
    assert not Edition.objects.readable_by(licensed.student).exists()


def test_an_unpublished_edition_is_for_curators_only(licensed):
    edition_publish(edition=licensed.edition, audience=Audience.CURATORS)
    assert not Edition.objects.readable_by(licensed.student).exists()
    assert not Edition.objects.readable_by(licensed.teacher).exists()
    assert Edition.objects.readable_by(licensed.curator).exists()


# --- Reading pages -----------------------------------------------------------------


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_contents_page(licensed, role, may_read):
    response = licensed.client(role).get(licensed.edition.get_absolute_url())
    assert response.status_code == expected(may_read)


@pytest.mark.parametrize("role, may_read", CAST)
def test_the_edition_is_listed_only_for_its_readers(licensed, edition, role, may_read):
    html = licensed.client(role).get(reverse("reader:home")).content.decode()
    assert (licensed.edition.title in html) == may_read
    # The other edition's contents page lists the licensed one among others.
    html = licensed.client(role).get(edition.get_absolute_url()).content.decode()
    assert (licensed.edition.title in html) == may_read


@pytest.mark.parametrize("role, may_read", CAST)
def test_part_pages(licensed, role, may_read):
    url = reverse("reader:part", kwargs={"edition": "licensed", "part": "black"})
    response = licensed.client(role).get(url)
    assert response.status_code == expected(may_read)
    if not may_read:
        assert licensed.passage.text not in response.content.decode()
        assert licensed.edition.title not in response.content.decode()


@pytest.mark.parametrize("role, may_read", CAST)
def test_passage_permalinks(licensed, role, may_read):
    url = reverse("reader:passage", kwargs={"edition": "licensed", "key": "black-001"})
    assert licensed.client(role).get(url).status_code == expected(may_read, ok=302)


@pytest.mark.parametrize(
    "name, where",
    [("passage_text", {"key": "black-001"}), ("part_text", {"part": "black"})],
)
@pytest.mark.parametrize("role, may_read", CAST)
def test_plain_text_resources(licensed, name, where, role, may_read):
    try:
        url = reverse(f"reader:{name}", kwargs={"edition": "licensed", **where})
    except NoReverseMatch:
        # The whole text as plain text (W3C selectors' resources) arrives
        # with the exports branch; once merged, it must pass this gate too.
        pytest.skip(f"reader:{name} is not on this branch yet")
    response = licensed.client(role).get(url)
    assert response.status_code == expected(may_read)


@pytest.mark.parametrize("role, may_read", CAST)
def test_reading_progress_beacons(licensed, role, may_read):
    url = reverse("reader:progress", kwargs={"edition": "licensed"})
    response = licensed.client(role).post(
        url, json.dumps({"keys": ["black-001"]}), content_type="application/json"
    )
    if role == "anonymous":
        # Refused for every address alike, so it tells nothing either.
        assert response.status_code == 403
    else:
        assert response.status_code == expected(may_read)


def test_an_unknown_and_a_forbidden_edition_look_the_same(licensed):
    stranger = licensed.client("stranger")
    hidden = stranger.get(licensed.edition.get_absolute_url())
    unknown = stranger.get(reverse("reader:edition", kwargs={"edition": "nope"}))
    assert hidden.status_code == unknown.status_code == 404

    # The pages differ only by the address asked for and the form token.
    def page(response) -> str:
        html = response.content.decode().replace("licensed", "nope")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)

    assert page(hidden) == page(unknown)
    assert licensed.edition.title not in hidden.content.decode()


def test_the_contents_page_costs_the_same_for_a_class_reader(
    licensed, django_assert_max_num_queries
):
    client = licensed.client("student")
    client.get(licensed.edition.get_absolute_url())  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(licensed.edition.get_absolute_url()).status_code == 200
