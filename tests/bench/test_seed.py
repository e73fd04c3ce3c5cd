"""The server benchmark's seeding, sessions and pages, on a tiny dataset, so
`make bench` cannot rot unnoticed. Nothing here starts gunicorn or times
anything."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import F

from annotations.models import Annotation, Motivation, Visibility
from bench import seed as bench_seed
from bench import server
from reader.markdown import render_markdown
from reader.models import Part, Passage

SIZES = (0, 3, 12)


@pytest.fixture
def bench(edition):
    part = Part.objects.get(edition=edition, slug="black")
    return bench_seed.seed(
        edition=edition,
        part=part,
        sizes=SIZES,
        students=4,
        per_student=6,
        crowd=3,
        per_crowd=10,
    )


def test_each_reader_sees_exactly_their_size_on_the_part(bench):
    for size, user in bench.readers.items():
        assert bench_seed.visible_on_part(user, bench.part) == size


def test_a_readers_notes_are_visible_to_nobody_else(bench, other_reader):
    assert bench_seed.visible_on_part(other_reader, bench.part) == 0


def test_readers_write_a_mix_of_highlights_notes_and_questions(edition):
    part = Part.objects.get(edition=edition, slug="black")
    seeded = bench_seed.seed(
        edition=edition, part=part, sizes=(400,), students=2, per_student=4, crowd=0
    )
    notes = Annotation.objects.filter(author=seeded.readers[400])
    kinds = Counter(notes.values_list("motivation", flat=True))
    assert set(kinds) == {
        Motivation.HIGHLIGHTING,
        Motivation.COMMENTING,
        Motivation.QUESTIONING,
    }
    assert notes.filter(tags__isnull=False).exists()
    # A few ranges run on into the next passage.
    assert notes.exclude(start_passage=F("end_passage")).exists()


def test_quotes_and_bodies_are_what_the_services_would_store(bench):
    for note in Annotation.objects.filter(reply_to__isnull=True).select_related(
        "start_passage", "end_passage"
    ):
        if note.start_passage_id == note.end_passage_id:
            text = note.start_passage.text
            assert text[note.start_offset : note.end_offset] == note.exact
        assert note.passage_revision == note.start_passage.revision
    for note in Annotation.objects.exclude(body=""):
        assert note.body_html == render_markdown(note.body)
    assert not Annotation.objects.filter(
        motivation=Motivation.HIGHLIGHTING, reply_to__isnull=True
    ).exclude(body="")


def test_every_student_wrote_their_share_answers_and_a_reply_included(bench):
    students = bench.assignment.course.enrollments.values_list("student", flat=True)
    assert len(students) == 4
    by_author = Counter(
        Annotation.objects.filter(author__in=students).values_list("author", flat=True)
    )
    assert by_author == {pk: 6 for pk in students}
    prompts = Annotation.objects.filter(assignment_item__assignment=bench.assignment)
    assert prompts.count() == 2
    for student in students:
        replies = Annotation.objects.filter(author=student, reply_to__isnull=False)
        assert replies.filter(reply_to__in=prompts).count() == 2
        to_classmates = replies.exclude(reply_to__in=prompts)
        assert to_classmates.count() == 1
        assert to_classmates.get().reply_to.author_id != student


def test_the_teacher_sees_the_classs_shared_notes_not_the_private_ones(bench):
    students = bench.assignment.course.enrollments.values_list("student", flat=True)
    theirs = Annotation.objects.filter(author__in=students)
    seen = Annotation.objects.visible_to(bench.teacher).filter(author__in=students)
    assert seen.count() == theirs.exclude(visibility=Visibility.PRIVATE).count()
    assert seen.count() > 0


def test_find_returns_what_seed_made(bench):
    found = bench_seed.find(edition=bench.edition, part=bench.part, sizes=SIZES)
    assert found == bench
    assert found.notebook_reader == bench.readers[12]


def test_every_page_answers_200_to_its_signed_in_session(bench):
    listed = server.pages(bench)
    assert [page.key for page, _goal in listed] == [
        "healthz",
        "readyz",
        "part-anonymous",
        "part-0",
        "part-3",
        "part-12",
        "dashboard",
        "notebook",
        "export",
        "search-common",
        "search-rare",
        "search-phrase",
        "search-filtered",
        "search-none",
        "search-own",
    ]
    for page, _goal in listed:
        queries, status = server.count_queries(page)
        assert status == 200, page
        assert queries is not None
    assert server.count_queries(listed[0][0])[0] == 0


def test_the_bench_serves_with_make_serves_gunicorn_arguments():
    args = server.gunicorn_args()
    assert args[0] == "config.wsgi"
    assert "--workers" in args
    makefile = (server.ROOT / "Makefile").read_text()
    assert "gunicorn $(GUNICORN_ARGS) --bind" in makefile


def test_passages_of_the_part_are_all_annotated_somewhere(bench):
    # Ranges spread over the whole part, as a class's reading does.
    # (The crowd writes on the other parts: see the test above.)
    used = set(
        Annotation.objects.filter(start_passage__isnull=False)
        .exclude(author__username__startswith="bench-crowd-")
        .values_list("start_passage", flat=True)
    )
    passages = Passage.objects.filter(part=bench.part)
    assert used == set(passages.values_list("pk", flat=True))


def test_the_full_seed_is_300_users_and_50_000_annotations():
    users = len(bench_seed.SIZES) + 1 + bench_seed.STUDENTS + bench_seed.CROWD
    prompts = 2
    notes = (
        sum(bench_seed.SIZES)
        + bench_seed.STUDENTS * bench_seed.PER_STUDENT
        + prompts
        + bench_seed.CROWD * bench_seed.PER_CROWD
    )
    assert users == 300
    assert 50_000 <= notes < 50_010


def test_the_crowd_writes_on_the_other_parts_in_public_and_in_private(bench):
    crowd = Annotation.objects.filter(author__username__startswith="bench-crowd-")
    assert crowd.count() == 3 * 10
    assert not crowd.filter(start_passage__part=bench.part).exists()
    assert not crowd.filter(end_passage__part=bench.part).exists()
    assert set(crowd.values_list("visibility", flat=True)) == {
        Visibility.PUBLIC,
        Visibility.PRIVATE,
    }
    parts = set(crowd.values_list("start_passage__part__slug", flat=True))
    assert parts == {"opening", "letter"}


def test_every_seeded_note_is_in_the_search_index(bench):
    import re

    from django.contrib.auth import get_user_model

    from search.selectors import search

    assert server.search_index_check() == Annotation.objects.count()
    # A crowd reader finds their notes by the words they wrote.
    author = get_user_model().objects.get(username="bench-crowd-001")
    body = Annotation.objects.filter(author=author).exclude(body="").first().body
    word = next(w for w in re.findall(r"[a-z]+", body) if w in bench_seed.VOCABULARY)
    found = search(author, word, kinds=["annotations"], author_scope="me")
    assert found.annotations.count > 0


def test_the_rare_word_is_a_word_of_one_passage(edition):
    Passage.objects.filter(key="letter-002").update(text="A quillpen, once.")
    word = server.rare_word(edition)
    assert word == "quillpen"
    assert Passage.objects.filter(text__icontains=word).count() == 1


def test_the_searches_measured_answer_with_what_they_found(bench):
    searches = [page for page, _goal in server.search_pages(bench)]
    for page in searches:
        queries, status = server.count_queries(page)
        assert status == 200, page
        assert server.search_findings(page).startswith(page.name)
    assert bench.student.username == "bench-student-001"
