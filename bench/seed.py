"""The benchmark's data: readers with many notes, a class at work, a crowd.

Imported by bench/server.py after Django is set up (and by the tests, which
seed a tiny version into the test database). Rows are written with
bulk_create in batches, as the services would write them: quotes with their
context (`build_quote`), `body_html` from the one renderer (each distinct
body rendered once), the passage's revision, tags through the many-to-many
table. Only the class and its assignment go through the services, because
they are a handful of rows whose rules (join codes, ranges, drafts) are
worth keeping.

No text of the novel is written here: bodies are made from a small
vocabulary of study words, and quotes are cut from whatever edition is
loaded (the bundled study edition is the project's own retelling).
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.utils import timezone

from accounts.models import TEACHERS_GROUP
from annotations.models import Annotation, Motivation, Tag, Visibility
from classes.models import Course, Enrollment
from classes.services import course_create
from reader.anchoring import build_quote, join_passages
from reader.markdown import render_markdown
from reader.models import Edition, Part, Passage, PassageRead
from teaching.models import Assignment, Completion
from teaching.services import assignment_item_create, assignment_save

BATCH = 2_000
# Users whose visible annotations on the measured part number these.
SIZES = (0, 1_000, 5_000, 20_000)
STUDENTS = 200
PER_STUDENT = 25
# Readers who write all over the rest of the edition (never on the measured
# part, whose readers must see exactly their own notes), some in public: with
# the above, 300 users and 50,000 annotations for the search to look through.
CROWD = 95
PER_CROWD = 200
CROWD_VISIBILITY = ((Visibility.PRIVATE, 70), (Visibility.PUBLIC, 30))
# Of each student's notes: answers to the assignment's prompts, and one reply
# to a classmate; the rest are highlights and notes in the reading range.
ANSWERS_PER_STUDENT = 2
PASSWORDLESS = "!bench"  # an unusable password: benchmark users sign in by session

WORD = re.compile(r"\w+(?:[’'-]\w+)*")

# Study words for the bodies readers write (nothing quoted from the novel).
VOCABULARY = (
    "mask identity face stranger mirror letter wife notebook scar voice skin "
    "anonymity disguise narrator reader gaze shame desire city laboratory "
    "theme motif symbol irony chapter contrast echo metaphor tone doubt "
    "memory confession distance portrait surface depth silence crowd"
).split()
TAGS = ("theme", "identity", "mask", "question", "style", "symbol", "essay", "exam")
COLOURS = (("yellow", 5), ("green", 2), ("blue", 2), ("pink", 1), ("purple", 1))
MOTIVATIONS = (
    (Motivation.HIGHLIGHTING, 55),
    (Motivation.COMMENTING, 30),
    (Motivation.QUESTIONING, 15),
)
# How long a reader's ranges are, in words, and how often (a few cross into
# the next passage).
SHAPES = (("word", 20), ("phrase", 50), ("sentence", 25), ("two passages", 5))


def _pick(rng: random.Random, weighted: Sequence[tuple[object, int]]) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


# --------------------------------------------------------------------------
# What readers write


def make_bodies(rng: random.Random, count: int) -> list[str]:
    """Distinct Markdown bodies of a realistic spread of lengths and marks."""

    def words(n: int) -> str:
        return " ".join(rng.choice(VOCABULARY) for _ in range(n))

    templates = (
        lambda: f"The *{words(1)}* here answers the {words(2)} earlier.",
        lambda: f"Why the **{words(1)}**? {words(6).capitalize()}?",
        lambda: f"Compare with the {words(1)}:\n\n- {words(4)}\n- {words(5)}",
        lambda: (
            f"{words(12).capitalize()}.\n\n{words(18).capitalize()}: "
            f"*{words(3)}*, not {words(2)}."
        ),
        lambda: (
            f"See [notes on {words(1)}](https://example.org/{words(1)}) "
            f"and `{words(1)}`."
        ),
        lambda: f"> {words(8)}\n\n{words(10).capitalize()}?",
        lambda: words(3).capitalize(),
        lambda: f"## {words(2).capitalize()}\n\n{words(40).capitalize()}.",
    )
    bodies: dict[str, None] = {}
    while len(bodies) < count:
        bodies[f"{rng.choice(templates)()} ({len(bodies)})"] = None
    return list(bodies)


def render_bodies(bodies: Sequence[str]) -> dict[str, str]:
    """Each distinct body rendered once, by the one renderer."""
    return {body: render_markdown(body) for body in bodies}


@dataclass(frozen=True)
class Range:
    start: Passage
    start_offset: int
    end: Passage
    end_offset: int
    exact: str
    prefix: str
    suffix: str


class RangeMaker:
    """Ranges on a part's passages as readers select them: whole words,
    from a word to a sentence, a few across two passages; they overlap."""

    def __init__(self, passages: Sequence[Passage], rng: random.Random) -> None:
        self.passages = list(passages)
        self.rng = rng
        self.words = [[m.span() for m in WORD.finditer(p.text)] for p in self.passages]
        self.weights = [max(1, len(w)) for w in self.words]

    def make(self) -> Range:
        rng = self.rng
        shape = _pick(rng, SHAPES)
        index = rng.choices(range(len(self.passages)), self.weights)[0]
        if shape == "two passages" and index + 1 < len(self.passages):
            return self._across(index)
        words = self.words[index] or [(0, len(self.passages[index].text))]
        size = {"word": 1, "phrase": rng.randint(2, 8)}.get(
            str(shape), rng.randint(9, 25)
        )
        size = min(size, len(words))
        first = rng.randrange(len(words) - size + 1)
        start, end = words[first][0], words[first + size - 1][1]
        passage = self.passages[index]
        quote = build_quote(passage.text, start, end)
        return Range(
            passage, start, passage, end, quote.exact, quote.prefix, quote.suffix
        )

    def _across(self, index: int) -> Range:
        first, second = self.passages[index], self.passages[index + 1]
        first_words = self.words[index][-6:] or [(0, len(first.text))]
        second_words = self.words[index + 1][:6] or [(0, len(second.text))]
        start = self.rng.choice(first_words)[0]
        end = self.rng.choice(second_words)[1]
        # Quoted on the joined span, as annotation_create quotes it.
        document = join_passages([first.text, second.text])
        quote = build_quote(document.text, start, document.starts[1] + end)
        return Range(first, start, second, end, quote.exact, quote.prefix, quote.suffix)


def annotation_rows(
    *,
    author: AbstractBaseUser,
    edition: Edition,
    ranges: RangeMaker,
    count: int,
    bodies: dict[str, str],
    rng: random.Random,
    visibility: Sequence[tuple[str, int]] = ((Visibility.PRIVATE, 1),),
    course: Course | None = None,
) -> list[Annotation]:
    """`count` root annotations by `author`, unsaved, in a realistic mix."""
    body_list = list(bodies)
    rows = []
    for _ in range(count):
        where = ranges.make()
        motivation = _pick(rng, MOTIVATIONS)
        body = "" if motivation == Motivation.HIGHLIGHTING else rng.choice(body_list)
        shared = _pick(rng, visibility)
        rows.append(
            Annotation(
                id=uuid.uuid4(),
                author=author,
                edition=edition,
                start_passage=where.start,
                start_offset=where.start_offset,
                end_passage=where.end,
                end_offset=where.end_offset,
                exact=where.exact,
                prefix=where.prefix,
                suffix=where.suffix,
                passage_revision=where.start.revision,
                motivation=motivation,
                body=body,
                body_html=bodies.get(body, ""),
                colour=_pick(rng, COLOURS),
                visibility=shared,
                course=course if shared != Visibility.PRIVATE else None,
            )
        )
    return rows


def reply_row(
    *, author: AbstractBaseUser, root: Annotation, body: str, body_html: str
) -> Annotation:
    """A reply as reply_create writes it: it shares its root's visibility."""
    return Annotation(
        id=uuid.uuid4(),
        author=author,
        edition_id=root.edition_id,
        reply_to=root,
        motivation=Motivation.REPLYING,
        body=body,
        body_html=body_html,
        visibility=root.visibility,
        course_id=root.course_id,
        anchor_state=root.anchor_state,
    )


def tag_rows(
    owner: AbstractBaseUser, annotations: Sequence[Annotation], rng: random.Random
) -> list:
    """The owner's tags on about a quarter of the annotations (one or two)."""
    tags = Tag.objects.bulk_create(Tag(owner=owner, name=name) for name in TAGS)
    through = Annotation.tags.through
    rows = []
    for annotation in annotations:
        if rng.random() < 0.25:
            for tag in rng.sample(tags, rng.choice((1, 1, 2))):
                rows.append(through(annotation_id=annotation.pk, tag_id=tag.pk))
    return rows


def _batches(rows: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def save(model: type, rows: Sequence) -> None:
    """bulk_create in batches, each its own short transaction."""
    for batch in _batches(rows):
        with transaction.atomic():
            model.objects.bulk_create(batch)


def make_users(names: Sequence[str]) -> list[AbstractBaseUser]:
    User = get_user_model()
    User.objects.bulk_create(
        User(username=name, password=PASSWORDLESS) for name in names
    )
    by_name = User.objects.in_bulk(list(names), field_name="username")
    return [by_name[name] for name in names]


# --------------------------------------------------------------------------
# The benchmark's cast


def reader_name(size: int) -> str:
    return f"bench-reader-{size}"


def seed_readers(
    *,
    edition: Edition,
    part: Part,
    sizes: Sequence[int] = SIZES,
    rng: random.Random,
    bodies: dict[str, str],
) -> dict[int, AbstractBaseUser]:
    """One reader per size, with that many private notes on `part` (their
    own, so exactly that many are visible to them and to nobody else)."""
    passages = list(part.passages.order_by("order"))
    ranges = RangeMaker(passages, rng)
    users = make_users([reader_name(size) for size in sizes])
    for size, user in zip(sizes, users, strict=True):
        rows = annotation_rows(
            author=user,
            edition=edition,
            ranges=ranges,
            count=size,
            bodies=bodies,
            rng=rng,
        )
        save(Annotation, rows)
        save(Annotation.tags.through, tag_rows(user, rows, rng))
    return dict(zip(sizes, users, strict=True))


@dataclass(frozen=True)
class ClassAtWork:
    teacher: AbstractBaseUser
    course: Course
    assignment: Assignment
    students: list[AbstractBaseUser]


def seed_class(
    *,
    edition: Edition,
    part: Part,
    students: int = STUDENTS,
    per_student: int = PER_STUDENT,
    rng: random.Random,
    bodies: dict[str, str],
) -> ClassAtWork:
    """A teacher, a class of `students`, and a published assignment on `part`
    with two prompts; each student wrote `per_student` annotations: answers
    to both prompts, a reply to a classmate, and highlights and notes in the
    range, mostly shared with the class or the teacher, some private. Most
    students have read part of the range and some have finished."""
    from annotations.services import TargetInput

    passages = list(part.passages.order_by("order"))
    ranges = RangeMaker(passages, rng)
    now = timezone.now()
    (teacher,) = make_users(["bench-teacher"])
    teacher.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    course = course_create(
        teacher=teacher,
        name="Bench class",
        edition=edition,
        term_start=timezone.localdate() - timedelta(days=30),
        term_end=timezone.localdate() + timedelta(days=120),
    )
    assignment = assignment_save(
        teacher=teacher,
        course=course,
        title="Read the first notebook",
        instructions="Highlight what *changes*; answer both prompts.",
        start_passage=passages[0],
        end_passage=passages[-1],
        due=now + timedelta(days=7),
        published=True,
    )
    prompts = []
    for n, body in enumerate(("What does the mask promise?", "Who is speaking?")):
        where = ranges.make()
        prompts.append(
            assignment_item_create(
                teacher=teacher,
                assignment=assignment,
                target=TargetInput(
                    where.start.key, where.start_offset, where.end.key, where.end_offset
                ),
                motivation=Motivation.QUESTIONING,
                body=f"{body} ({n + 1})",
            ).annotation
        )

    cast = make_users([f"bench-student-{i:03d}" for i in range(1, students + 1)])
    save(Enrollment, [Enrollment(course=course, student=s) for s in cast])
    answers = min(ANSWERS_PER_STUDENT, per_student)
    # A reply to a classmate needs a classmate, and a note of theirs to answer.
    classmate_replies = 1 if per_student > answers + 1 and len(cast) > 1 else 0
    roots_each = per_student - answers - classmate_replies
    roots: list[Annotation] = []
    replies: list[Annotation] = []
    body_list = list(bodies)
    for student in cast:
        own = annotation_rows(
            author=student,
            edition=edition,
            ranges=ranges,
            count=roots_each,
            bodies=bodies,
            rng=rng,
            visibility=(
                (Visibility.COURSE, 60),
                (Visibility.TEACHER, 25),
                (Visibility.PRIVATE, 15),
            ),
            course=course,
        )
        if own:
            # At least one note each that classmates can answer.
            own[0].visibility, own[0].course = Visibility.COURSE, course
        roots += own
        for prompt in prompts[:answers]:
            body = rng.choice(body_list)
            replies.append(
                reply_row(
                    author=student, root=prompt, body=body, body_html=bodies[body]
                )
            )
    shared = [a for a in roots if a.visibility == Visibility.COURSE]
    for student in cast[: len(cast) if classmate_replies else 0]:
        root = rng.choice([a for a in shared[:400] if a.author_id != student.pk])
        body = rng.choice(body_list)
        replies.append(
            reply_row(author=student, root=root, body=body, body_html=bodies[body])
        )
    save(Annotation, roots)
    save(Annotation, replies)

    reads, completions = [], []
    for student in cast:
        seen = rng.randint(0, len(passages))
        for passage in passages[:seen]:
            when = now - timedelta(minutes=rng.randint(1, 60 * 24 * 7))
            reads.append(
                PassageRead(
                    user=student, passage=passage, first_seen=when, last_seen=when
                )
            )
        if seen == len(passages) and rng.random() < 0.7:
            completions.append(Completion(assignment=assignment, student=student))
    save(PassageRead, reads)
    save(Completion, completions)
    return ClassAtWork(teacher, course, assignment, cast)


def crowd_name(number: int) -> str:
    return f"bench-crowd-{number:03d}"


def seed_crowd(
    *,
    edition: Edition,
    part: Part,
    readers: int = CROWD,
    per_reader: int = PER_CROWD,
    rng: random.Random,
    bodies: dict[str, str],
) -> list[AbstractBaseUser]:
    """`readers` readers with `per_reader` notes each on every part of
    `edition` but `part` (each part as often as it has passages), some
    public, the rest private, a quarter tagged: the bulk that a search
    looks through and a part page never shows."""
    makers, weights = [], []
    for other in edition.parts.exclude(pk=part.pk).order_by("order"):
        passages = list(other.passages.order_by("order"))
        if passages:
            makers.append(RangeMaker(passages, rng))
            weights.append(len(passages))
    if not makers or readers < 1:
        return []
    users = make_users([crowd_name(n) for n in range(1, readers + 1)])
    for user in users:
        rows = []
        for _ in range(per_reader):
            rows += annotation_rows(
                author=user,
                edition=edition,
                ranges=rng.choices(makers, weights)[0],
                count=1,
                bodies=bodies,
                rng=rng,
                visibility=CROWD_VISIBILITY,
            )
        save(Annotation, rows)
        save(Annotation.tags.through, tag_rows(user, rows, rng))
    return users


def visible_on_part(user: AbstractBaseUser, part: Part) -> int:
    """What the part page shows this user: visible notes on its passages."""
    return (
        Annotation.objects.visible_to(user)
        .on_passages(Passage.objects.filter(part=part))
        .count()
    )


# --------------------------------------------------------------------------
# The whole database


@dataclass(frozen=True)
class Bench:
    """What the benchmark visits, looked up in a seeded database."""

    edition: Edition
    part: Part
    readers: dict[int, AbstractBaseUser]
    teacher: AbstractBaseUser
    assignment: Assignment
    # A student of the class: whose searches are measured.
    student: AbstractBaseUser

    @property
    def notebook_reader(self) -> AbstractBaseUser:
        """The reader whose notebook and export are measured (5,000 notes,
        or the largest size below that in a smaller run)."""
        fitting = [size for size in self.readers if size <= NOTEBOOK_SIZE]
        return self.readers[max(fitting or self.readers)]


NOTEBOOK_SIZE = 5_000


def load_study_edition() -> Edition:
    """The study edition and its motif catalogue, as `make setup` loads them."""
    from django.conf import settings

    from reader.edition_files import read_edition_folder
    from reader.services import edition_load
    from themes.catalogue import read_catalogue
    from themes.services import catalogue_load

    edition = edition_load(
        source=read_edition_folder(settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR)
    ).edition
    catalogue_load(
        motifs=read_catalogue(settings.THREE_NOTEBOOKS_MOTIF_DIR), edition=edition
    )
    return edition


def seed(
    *,
    edition: Edition,
    part: Part,
    sizes: Sequence[int] = SIZES,
    students: int = STUDENTS,
    per_student: int = PER_STUDENT,
    crowd: int = CROWD,
    per_crowd: int = PER_CROWD,
    seed_value: int = 1964,
) -> Bench:
    """Readers of every size and a class at work on `part` of `edition`,
    and a crowd writing on its other parts."""
    rng = random.Random(seed_value)  # noqa: S311 - reproducible data, not secrets
    bodies = render_bodies(make_bodies(rng, 300))
    readers = seed_readers(
        edition=edition, part=part, sizes=sizes, rng=rng, bodies=bodies
    )
    work = seed_class(
        edition=edition,
        part=part,
        students=students,
        per_student=per_student,
        rng=rng,
        bodies=bodies,
    )
    seed_crowd(
        edition=edition,
        part=part,
        readers=crowd,
        per_reader=per_crowd,
        rng=rng,
        bodies=bodies,
    )
    return Bench(
        edition, part, readers, work.teacher, work.assignment, work.students[0]
    )


def find(*, edition: Edition, part: Part, sizes: Sequence[int] = SIZES) -> Bench:
    """The Bench of a database `seed` filled before."""
    User = get_user_model()
    names = {reader_name(size): size for size in sizes}
    readers = {
        names[user.username]: user
        for user in User.objects.filter(username__in=list(names))
    }
    teacher = User.objects.get(username="bench-teacher")
    assignment = Assignment.objects.get(course__teachers=teacher)
    student = (
        User.objects.filter(enrollments__course=assignment.course)
        .order_by("username")
        .first()
    )
    return Bench(
        edition, part, dict(sorted(readers.items())), teacher, assignment, student
    )
