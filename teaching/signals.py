"""Events of feedback and grades, for whoever wants to hear of them (the
notifications inbox and e-mail). Teaching calls nothing of theirs: it sends
these once the change is committed (`transaction.on_commit`), so a receiver
never hears of a write that was rolled back.

- `feedback_written(sender=Feedback, feedback, created)`: a teacher wrote or
  changed feedback (and scores) on a student's note. Not yet shown to the
  student unless the assignment's feedback is released.
- `feedback_released(sender=Assignment, assignment, release_at, students)`:
  the assignment's feedback and grades are (or will be, at `release_at`, a
  datetime that may be in the future) shown to its students; `students`:
  ids of the students who have feedback or a grade to see. A receiver that
  must wait for a future date asks `Assignment.grades_released()` later.
- `grade_overridden(sender=GradeOverride, override)`: a teacher set a
  student's score by hand.
"""

from __future__ import annotations

from django.dispatch import Signal

feedback_written = Signal()
feedback_released = Signal()
grade_overridden = Signal()
