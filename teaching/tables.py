"""The dashboard's heat map and roster as HTML, built once per page.

A class of 200 is 1,400 roster cells; the template language would resolve,
localise and escape each of them on its own (most of the page's time). As the
reader's cards do (annotations/cards.py), the rows are assembled here from
constant templates with `reader.markdown.format_escaped`, which escapes every
value. Each address is built once and extended (not a reverse() per student
or passage), each date is written without a formatter per cell, and numbers
are written as the template wrote them (this project has no thousands
separator). The markup is the one the template had, byte for byte.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext

from reader.markdown import format_escaped

from .models import Assignment
from .selectors import Dashboard

# Each bar is a link named by its own text (no role="img" around the strip:
# an image cannot hold links for a screen reader, axe's nested-interactive).
BAR = (
    '<a href="{}" title="{}"><span class="annotated bar-{}">'
    '</span><span class="questioned bar-{}"></span>'
    '<span class="visually-hidden">{}</span></a>'
)
HEAT_ROW = '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>'
ROSTER_ROW = """
        <tr>
          <th scope="row"><a href="{}">{}</a></th>
          <td>{}% <span class="help">({}/{})</span></td>
          <td>{}</td>
          <td>{}</td>
          <td>{}</td>
          <td>{}</td>
          <td class="{}">{}</td>
        </tr>
        """


def heat_html(assignment: Assignment, data: Dashboard) -> tuple[SafeString, SafeString]:
    """The bars (a link to each passage) and the table of their numbers."""
    part_urls: dict[int, str] = {}
    bars, rows = [], []
    bar_name = gettext(
        "%(key)s: %(annotated)s notes and highlights, %(questioned)s questions"
    )
    for passage, annotated, questioned in data.heat:
        if passage.part_id not in part_urls:
            part_urls[passage.part_id] = passage.part.get_absolute_url()
        href = f"{part_urls[passage.part_id]}?assignment={assignment.pk}#{passage.key}"
        name = bar_name % {
            "key": passage.key,
            "annotated": annotated,
            "questioned": questioned,
        }
        bars.append(
            format_escaped(
                BAR,
                href,
                name,
                # As {% widthratio value maximum 80 %} computes them.
                round(annotated / data.maximum * 80),
                round(questioned / data.maximum * 80),
                name,
            )
        )
        rows.append(format_escaped(HEAT_ROW, passage.key, annotated, questioned))
    return _joined(bars), _joined(rows)


def roster_html(assignment: Assignment, data: Dashboard) -> SafeString:
    """One row per student, in the roster's order."""
    # The student's id ends the address of their page.
    head = reverse("teaching:student", args=[assignment.pk, 0]).removesuffix("0/")
    months: dict[int, str] = {}
    status_classes: dict[str, str] = {}
    rows = []
    for row in data.rows:
        when = row.last_activity
        if when is None:
            activity = "—"
        else:
            when = timezone.localtime(when)
            if when.month not in months:
                months[when.month] = MONTHS_3[when.month].title()
            # What {{ when|date:"j M, H:i" }} writes.
            activity = (
                f"{when.day} {months[when.month]}, {when.hour:02}:{when.minute:02}"
            )
        if row.status not in status_classes:
            status_classes[row.status] = f"status-{slugify(row.status)}"
        rows.append(
            format_escaped(
                ROSTER_ROW,
                f"{head}{row.student.pk}/",
                row.student.get_username(),
                row.percent,
                row.read,
                row.total,
                row.annotations,
                row.answers,
                row.replies_to_classmates,
                activity,
                status_classes[row.status],
                row.status,
            )
        )
    return _joined(rows)


def _joined(fragments: list[SafeString]) -> SafeString:
    return format_escaped("{}" * len(fragments), *fragments)
