"""/api/search/?q=: the search, as JSON, for every role and filter."""

from __future__ import annotations

import itertools
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotations.models import Annotation
from reader.models import Passage
from tests.factories import make_annotation, make_edition, make_part, make_user
from themes.models import Motif

from .conftest import passage

URL = "/api/search/"


def get(client: Client, **params):
    return client.get(URL, params)


def found(client: Client, q: str = "lantern", **params) -> set[str]:
    response = get(client, q=q, kinds="annotations", **params)
    assert response.status_code == 200, response.content
    return {note["id"] for note in response.json()["annotations"]["results"]}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def notes(classes):
    """Ann's lantern notes, shared every way there is, in the first class."""
    ann = classes["ann"]

    def note(visibility: str, course=None):
        return make_annotation(
            ann,
            passage("white-001"),
            0,
            10,
            motivation="commenting",
            body="The lantern, again.",
            visibility=visibility,
            course=course,
            tags=("secret",),
        )

    made = {
        "private": note("private"),
        "class": note("course", classes["first"]),
        "teacher": note("teacher", classes["first"]),
        "public": note("public"),
    }
    return {name: str(n.pk) for name, n in made.items()}


def every_filter(classes) -> list[dict]:
    """Each annotation filter the API reads, alone and with the others."""
    whose = [{}, *({"whose": w} for w in ("me", "class", "everyone"))]
    courses = [{}, {"course": classes["first"].pk}, {"course": classes["second"].pk}]
    others = [
        {},
        {"part": "white"},
        {"edition": "book"},
        {"tag": "secret"},
        {"kind": "commenting"},
        {"since": "2000-01-01", "until": "2100-01-01"},
    ]
    return [{**a, **b, **c} for a, b, c in itertools.product(whose, courses, others)]


# --- Who finds what --------------------------------------------------------


def test_a_student_never_gets_another_class_s_or_a_private_note(classes, notes):
    cat = signed_in(classes["cat"])  # in the second class
    hidden = {notes["private"], notes["class"], notes["teacher"]}
    for filters in every_filter(classes):
        assert not found(cat, **filters) & hidden, filters
    assert found(cat) == {notes["public"]}


def test_a_classmate_finds_the_class_s_notes_but_not_private_or_teachers_ones(
    classes, notes
):
    ben = signed_in(classes["ben"])
    for filters in every_filter(classes):
        assert not found(ben, **filters) & {notes["private"], notes["teacher"]}
    assert found(ben) == {notes["class"], notes["public"]}
    assert found(ben, whose="class") == {notes["class"]}
    assert found(ben, whose="me") == set()


def test_the_teacher_finds_the_class_s_and_teachers_notes_not_private_ones(
    classes, notes
):
    teacher = signed_in(classes["teacher"])
    assert found(teacher) == {notes["class"], notes["teacher"], notes["public"]}
    assert found(teacher, course=classes["first"].pk) == {
        notes["class"],
        notes["teacher"],
    }


def test_the_author_finds_every_note_of_theirs(classes, notes):
    assert found(signed_in(classes["ann"]), whose="me") == set(notes.values())


def test_an_anonymous_visitor_finds_no_notes_unless_the_site_shows_public_ones(
    classes, notes, settings
):
    anonymous = Client()
    assert found(anonymous) == set()
    settings.THREE_NOTEBOOKS_ANONYMOUS_SEE_PUBLIC = True
    assert found(anonymous) == {notes["public"]}
    for filters in every_filter(classes):
        assert found(anonymous, **filters) <= {notes["public"]}, filters
    assert found(anonymous, whose="me") == set()
    assert found(anonymous, whose="class") == set()
    assert found(anonymous, course=classes["first"].pk) == set()


def test_a_token_finds_what_the_session_finds(classes, notes):
    token = Token.objects.create(user=classes["ben"])
    script = Client()
    response = script.get(
        URL,
        {"q": "lantern", "kinds": "annotations"},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    ids = {note["id"] for note in response.json()["annotations"]["results"]}
    assert ids == found(signed_in(classes["ben"])) == {notes["class"], notes["public"]}


def test_a_bad_token_is_refused_as_by_the_rest_of_the_api(classes, notes):
    bad = {"HTTP_AUTHORIZATION": "Token not-a-token"}
    response = Client().get(URL, {"q": "lantern"}, **bad)
    assert response.status_code == Client().get("/api/annotations/", **bad).status_code
    assert response.status_code in (401, 403)
    assert "lantern" not in response.content.decode()


def test_an_edition_nobody_may_read_is_not_searched_nor_jumped_to(book):
    hidden = make_edition("drafts", audience="curators")
    part = make_part(hidden, 1, slug="draft")
    Passage.objects.create(
        edition=hidden, part=part, order=1, key="draft-001", text="A lantern unseen."
    )
    reader = signed_in(make_user("reader"))
    for client in (Client(), reader):
        answer = get(client, q="unseen").json()
        assert answer["passages"]["count"] == 0
        assert get(client, q="draft-001").json()["jump"] is None
        assert (
            get(client, q="lantern", edition="drafts").json()["passages"]["count"] == 0
        )


# --- What a result says ----------------------------------------------------


def test_a_passage_found_names_its_key_part_citation_and_place(book):
    answer = get(Client(), q="clocks").json()
    (hit,) = answer["passages"]["results"]
    assert hit["key"] == "white-001"
    assert hit["edition"] == "book"
    assert hit["part"] == "white"
    assert hit["part_title"] == "The White Notebook"
    assert hit["number"] == 1
    assert hit["citation"] == "White Notebook, ¶1"
    # Opened in the reader with its words painted (search/links.py).
    assert hit["url"] == "http://testserver/read/book/white/?find=clocks#white-001"
    assert {"text": "clocks", "hit": True} in hit["snippet"]
    assert "<mark>clocks</mark>" in hit["snippet_html"]


def test_a_snippet_s_html_escapes_the_text_and_marks_only_the_hits(book):
    Passage.objects.filter(key="white-004").update(
        text='A <b>lantern</b> & "a <script>x</script> hook", 1 < 2.'
    )
    (hit,) = get(Client(), q="lantern").json()["passages"]["results"]
    html = hit["snippet_html"]
    assert "<mark>lantern</mark>" in html
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
    assert "&amp;" in html and "&quot;a" in html
    # The segments are text, not HTML: what the snippet shows, unescaped.
    assert {"text": "lantern", "hit": True} in hit["snippet"]
    assert all("&amp;" not in s["text"] for s in hit["snippet"])


def test_a_motif_found_has_its_slug_name_summary_aliases_and_page(book):
    Motif.objects.create(
        name="Lanterns",
        slug="lanterns",
        summary="Light carried at night.",
        search_terms="lamp, torch",
        order=1,
    )
    (motif,) = get(Client(), q="torch").json()["motifs"]["results"]
    assert motif == {
        "slug": "lanterns",
        "name": "Lanterns",
        "summary": "Light carried at night.",
        "aliases": ["lamp", "torch"],
        "url": "http://testserver/motifs/lanterns/",
    }


def test_a_note_found_is_shown_as_the_annotations_api_shows_it(classes, notes):
    from annotations.services import reply_create

    ben = signed_in(classes["ben"])
    parent = Annotation.objects.get(pk=notes["class"])
    reply = reply_create(author=classes["ben"], parent=parent, body="Hm.")
    (hit,) = get(ben, q="lantern", kinds="annotations", whose="class").json()[
        "annotations"
    ]["results"]
    shown = ben.get(f"/api/annotations/{notes['class']}/").json()
    snippet = {k: hit.pop(k) for k in ("snippet", "snippet_html", "snippet_source")}
    url = hit.pop("url")
    assert hit == shown
    assert hit["tags"] == ["secret"] and hit["replies"] == [str(reply.pk)]
    assert snippet == {
        "snippet": [
            {"text": "The ", "hit": False},
            {"text": "lantern", "hit": True},
            {"text": ", again.", "hit": False},
        ],
        "snippet_html": "The <mark>lantern</mark>, again.",
        "snippet_source": "body",
    }
    pk = notes["class"]
    assert url == (
        f"http://testserver/read/book/white/?note={pk}&at=white-001#card-{pk}"
    )


def test_a_note_found_by_its_quote_shows_the_quote(classes):
    ann = signed_in(classes["ann"])
    note = make_annotation(
        classes["ann"],
        passage("white-001"),
        4,
        15,
        motivation="commenting",
        body="Look here.",
    )
    (hit,) = get(ann, q="clockmaker", kinds="annotations").json()["annotations"][
        "results"
    ]
    assert hit["id"] == str(note.pk)
    assert hit["snippet_source"] == "quote"
    assert hit["snippet_html"] == "<mark>clockmaker</mark>"


def test_a_note_s_snippet_never_carries_its_html(classes):
    ann = signed_in(classes["ann"])
    make_annotation(
        classes["ann"],
        passage("white-001"),
        motivation="commenting",
        body="A **bold** lantern <script>alert(1)</script> & *more*",
    )
    (hit,) = get(ann, q="lantern", kinds="annotations").json()["annotations"]["results"]
    assert "<script" not in hit["snippet_html"]
    assert "<strong>" not in hit["snippet_html"]
    assert "<mark>lantern</mark>" in hit["snippet_html"]
    assert "&amp;" in hit["snippet_html"]


def test_a_key_or_a_citation_names_the_passage_to_jump_to(book):
    for q in ("white-002", "White Notebook ¶2", "White Notebook, ¶ 2"):
        jump = get(Client(), q=q).json()["jump"]
        assert jump == {
            "key": "white-002",
            "edition": "book",
            "part": "white",
            "part_title": "The White Notebook",
            "number": 2,
            "citation": "White Notebook, ¶2",
            "url": "http://testserver/read/book/white/#white-002",
        }, q
    assert get(Client(), q="¶3", part="white").json()["jump"]["key"] == "white-003"
    assert get(Client(), q="lantern").json()["jump"] is None


def test_a_long_query_is_cut_and_says_so(book):
    answer = get(Client(), q="clocks " + "x" * 400).json()
    assert answer["query"]["truncated"] is True
    assert answer["query"]["max_length"] == 200
    assert len(answer["query"]["text"]) == 200
    assert answer["query"]["words"][0] == "clocks"


def test_syntax_characters_are_searched_literally_or_explained(book):
    for q in ('"unbalanced', "NEAR(", "*", "-mask", "AND OR NOT", '"" -', "(:)"):
        response = get(Client(), q=q)
        assert response.status_code == 200, q
        answer = response.json()
        if not answer["query"]["words"]:
            assert answer["query"]["error"], q
            assert answer["passages"]["count"] == 0


# --- Filters -----------------------------------------------------------------


def test_kinds_choose_what_is_searched(book):
    only = get(Client(), q="mask", kinds="passages").json()
    assert only["passages"]["count"] > 0
    assert only["motifs"] is None and only["annotations"] is None
    two = get(Client(), q="mask", kinds="passages,motifs").json()
    assert two["motifs"] is not None and two["annotations"] is None
    repeated = Client().get(URL, {"q": "mask", "kinds": ["motifs", "annotations"]})
    assert repeated.json()["passages"] is None
    every = get(Client(), q="mask").json()
    assert all(
        every[kind] is not None for kind in ("passages", "motifs", "annotations")
    )


def test_passages_are_filtered_by_part_and_motif(book):
    everywhere = {
        h["key"] for h in get(Client(), q="mask*").json()["passages"]["results"]
    }
    assert {"white-002", "gray-001"} <= everywhere
    gray = get(Client(), q="mask*", part="gray").json()["passages"]["results"]
    assert [h["key"] for h in gray] == ["gray-001"]
    from themes.models import MotifOccurrence

    motif = Motif.objects.create(name="Glue", slug="glue", summary="Sticky.", order=1)
    MotifOccurrence.objects.create(
        motif=motif, passage=passage("gray-001"), start_offset=0, end_offset=3
    )
    on_motif = get(Client(), q="mask*", motif="glue").json()["passages"]["results"]
    assert [h["key"] for h in on_motif] == ["gray-001"]


def test_notes_are_filtered_by_tag_kind_and_date(classes):
    ann = classes["ann"]
    tagged = make_annotation(
        ann,
        passage("white-001"),
        motivation="commenting",
        body="lantern one",
        tags=("essay",),
    )
    question = make_annotation(
        ann, passage("white-002"), motivation="questioning", body="lantern two?"
    )
    Annotation.objects.filter(pk=question.pk).update(
        created=timezone.now() - timedelta(days=10)
    )
    client = signed_in(ann)
    assert found(client, tag="essay") == {str(tagged.pk)}
    assert found(client, tag="#Essay") == {str(tagged.pk)}
    assert found(client, kind="questioning") == {str(question.pk)}
    today = timezone.localdate()
    assert found(client, since=today.isoformat()) == {str(tagged.pk)}
    assert found(client, until=(today - timedelta(days=5)).isoformat()) == {
        str(question.pk)
    }
    assert found(client, part="white", edition="book") == {
        str(tagged.pk),
        str(question.pk),
    }
    assert found(client, edition="elsewhere") == set()


def test_empty_filters_are_no_filters(classes, notes):
    ben = signed_in(classes["ben"])
    assert found(ben, part="", tag="", kind="", course="", since="") == found(ben)


# --- Paging ------------------------------------------------------------------


def test_each_kind_is_paged_with_links_to_its_own_pages(book):
    first = get(Client(), q="mask*", per_page=1).json()["passages"]
    assert first["count"] == 3 and first["pages"] == 3 and first["page"] == 1
    assert first["previous"] is None
    query = parse_qs(urlsplit(first["next"]).query)
    assert query["page"] == ["2"] and query["kinds"] == ["passages"]
    assert query["per_page"] == ["1"] and query["q"] == ["mask*"]
    seen = [first["results"][0]["key"]]
    link = first["next"]
    while link:
        page = Client().get(link).json()
        assert page["motifs"] is None and page["annotations"] is None
        seen.append(page["passages"]["results"][0]["key"])
        previous = page["passages"]["previous"]
        link = page["passages"]["next"]
    assert sorted(seen) == ["gray-001", "white-002", "white-003"]
    assert parse_qs(urlsplit(previous).query)["page"] == ["2"]


def test_a_page_past_the_end_is_empty_and_points_back(book):
    past = get(Client(), q="mask*", per_page=2, page=9).json()["passages"]
    assert past["results"] == [] and past["count"] == 3 and past["next"] is None
    assert parse_qs(urlsplit(past["previous"]).query)["page"] == ["2"]


# --- Refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "mask", "kinds": "passages,everything"}, "kinds"),
        ({"q": "mask", "whose": "theirs"}, "whose"),
        ({"q": "mask", "kind": "shouting"}, "kind"),
        ({"q": "mask", "since": "yesterday"}, "since"),
        ({"q": "mask", "until": "2026-02-30"}, "until"),
        ({"q": "mask", "since": "2026-03-02", "until": "2026-03-01"}, "until"),
        ({"q": "mask", "page": "0"}, "page"),
        ({"q": "mask", "page": "201"}, "page"),
        ({"q": "mask", "page": "two"}, "page"),
        ({"q": "mask", "per_page": "51"}, "per_page"),
        ({"q": "mask", "course": "first"}, "course"),
        ({"q": "mask", "course": str(2**64)}, "course"),
        ({"q": "mask", "part": "not a slug!"}, "part"),
        ({"q": "mask", "edition": "x" * 65}, "edition"),
        ({"q": "mask", "tag": "t" * 41}, "tag"),
    ],
)
def test_a_filter_that_cannot_be_read_is_a_400_naming_it(book, params, field):
    response = get(Client(), **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field]


def test_only_reading_is_allowed(book, reader_user):
    client = signed_in(reader_user)
    assert client.post(URL, {"q": "mask"}).status_code == 405


def test_anonymous_searches_are_throttled_per_address(book, throttle_rates):
    throttle_rates(api_anon="2/m")
    codes = [get(Client(), q="mask").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert int(get(Client(), q="mask")["Retry-After"]) > 0


def test_a_reader_s_searches_are_throttled_per_account(
    book, reader_user, throttle_rates
):
    throttle_rates(api_user="2/m")
    client = signed_in(reader_user)
    assert [get(client, q="mask").status_code for _ in range(3)] == [200, 200, 429]


# --- Cost and schema ---------------------------------------------------------


def _grow(book, author, n: int) -> None:
    part = make_part(book, 10 + n, slug=f"more-{n}")
    for i in range(n):
        p = Passage.objects.create(
            edition=book,
            part=part,
            order=i,
            key=f"more{n}-{i:03d}",
            text=f"Mask passage {i}.",
        )
        make_annotation(
            author,
            p,
            0,
            4,
            motivation="commenting",
            body=f"Mask note {i}.",
            visibility="public",
            tags=("mask",),
        )
        reply = make_annotation(author, p, motivation="commenting", body="mask too")
        Annotation.objects.filter(pk=reply.pk).update(visibility="public")
        Motif.objects.create(
            name=f"Mask {n}-{i}", slug=f"mask-{n}-{i}", summary="A mask.", order=i
        )


def test_a_search_costs_the_same_queries_however_much_is_found(book, throttle_rates):
    # Unthrottled: the throttle's store writes a new row when its window
    # ends, which would count here.
    throttle_rates(api_user=None)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    author, reader = make_user("author"), signed_in(make_user("reader"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            answer = get(reader, q="mask", per_page=50).json()
        return len(captured), answer

    queries()  # the session's and the throttle's first rows written
    _grow(book, author, 2)
    small, few = queries()
    _grow(book, author, 25)
    large, many = queries()
    assert many["annotations"]["count"] > few["annotations"]["count"] >= 2
    assert len(many["annotations"]["results"]) > len(few["annotations"]["results"])
    assert large == small


def test_the_schema_documents_the_search(client, db):
    schema = yaml.safe_load(client.get(reverse("api:schema")).content)
    operation = schema["paths"][URL]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {
        "q",
        "kinds",
        "edition",
        "part",
        "motif",
        "tag",
        "whose",
        "course",
        "kind",
        "since",
        "until",
        "page",
        "per_page",
    }
    (q,) = [p for p in operation["parameters"] if p["name"] == "q"]
    assert q["required"] is True
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/SearchAnswer")
    assert {"400", "404", "414", "429", "503"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    hit = schema["components"]["schemas"]["AnnotationHit"]["properties"]
    note = schema["components"]["schemas"]["Annotation"]["properties"]
    assert set(note) < set(hit)


def test_a_reply_found_opens_its_thread_in_the_reader(classes, notes):
    from annotations.services import reply_create

    parent = Annotation.objects.get(pk=notes["class"])
    reply = reply_create(author=classes["ben"], parent=parent, body="A kettle.")
    ben = signed_in(classes["ben"])
    (hit,) = get(ben, q="kettle", kinds="annotations").json()["annotations"]["results"]
    assert hit["id"] == str(reply.pk) and hit["reply_to"] == notes["class"]
    assert hit["target"] is None
    assert hit["url"] == (
        f"http://testserver/read/book/white/?note={reply.pk}&at=white-001#card-{reply.pk}"
    )
    assert hit == {
        **ben.get(f"/api/annotations/{reply.pk}/").json(),
        **{k: hit[k] for k in ("snippet", "snippet_html", "snippet_source", "url")},
    }
