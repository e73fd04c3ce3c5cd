"""Writes for accounts: sign-up, preferences, demo accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from .models import CURATORS_GROUP, TEACHERS_GROUP, ReadingPreferences
from .preferences import Preferences


@transaction.atomic
def reading_preferences_save(
    *, user: AbstractBaseUser, prefs: Preferences
) -> ReadingPreferences:
    saved, _ = ReadingPreferences.objects.update_or_create(
        user=user,
        defaults={
            "theme": prefs.theme,
            "font_size": prefs.font_size,
            "line_width": prefs.line_width,
        },
    )
    saved.full_clean()
    return saved


# Demo accounts for a local try-out; the command refuses to make them when
# debug is off. Passwords are printed by `make run` and shown in the README.
DEMO_ACCOUNTS = (
    ("reader", "reader-demo-2026", ()),
    ("teacher", "teacher-demo-2026", (TEACHERS_GROUP,)),
    ("curator", "curator-demo-2026", (CURATORS_GROUP,)),
)


@transaction.atomic
def demo_accounts_create() -> list[tuple[str, str, tuple[str, ...]]]:
    """Create (or reset) the demo reader, teacher and curator."""
    user_model = get_user_model()
    for username, password, groups in DEMO_ACCOUNTS:
        user, _ = user_model.objects.get_or_create(username=username)
        user.set_password(password)
        # Curators look after the edition in admin, which needs staff status.
        user.is_staff = CURATORS_GROUP in groups
        user.save()
        user.groups.set(Group.objects.filter(name__in=groups))
    return list(DEMO_ACCOUNTS)
