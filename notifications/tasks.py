"""Work done off the request (django-tasks; the database backend by
default, run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .mail import pending_mail_send


@task()
def send_notification_mail(notification_ids: list[int]) -> int:
    """E-mail these notifications, each at most once (a task run twice, or
    beside `send_pending_mail`, sends nothing twice)."""
    return pending_mail_send(notification_ids)
