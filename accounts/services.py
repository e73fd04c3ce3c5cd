"""Writes for accounts: sign-up, e-mail verification, preferences, demo
accounts, deleting an account."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AbstractUser, Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .mail import account_mail_later
from .models import (
    CURATORS_GROUP,
    FORMER_READER_USERNAME,
    TEACHERS_GROUP,
    Profile,
    ReadingPreferences,
)
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
        # A verified address at the reserved example.org, so that the demo's
        # mail (printed on `make run`'s console) has somewhere to go.
        user.email = user.email or f"{username}@example.org"
        user.save()
        user.groups.set(Group.objects.filter(name__in=groups))
        profile, _ = Profile.objects.get_or_create(user=user)
        if profile.verified_email != user.email:
            profile.verified_email = user.email
            profile.email_verified_at = timezone.now()
            profile.awaiting_verification = False
            profile.save()
    return list(DEMO_ACCOUNTS)


# --- Sign-up and e-mail verification (#16) ------------------------------------

# The links mailed to verify an address (at sign-up, or a new one): signed,
# so no one can make one, and dated, so an old one stops working.
EMAIL_LINK_SALT = "three-notebooks.accounts.email-link"


def verification_required() -> bool:
    return settings.THREE_NOTEBOOKS_REQUIRE_EMAIL_VERIFICATION


@transaction.atomic
def account_create(*, username: str, password: str, email: str = "") -> AbstractUser:
    """A new account (the sign-up form has checked the name and password).
    While verification is required it stays closed until its link is
    followed."""
    user = get_user_model().objects.create_user(
        username=username, email=email.strip(), password=password
    )
    closed = verification_required()
    if closed:
        user.is_active = False
        user.save(update_fields=["is_active"])
    Profile.objects.create(user=user, awaiting_verification=closed)
    return user


def email_link_make(*, user: AbstractUser, email: str) -> str:
    """A link's token: verify `email` for `user`, as long as the account's
    address is still the one it has now (so a later change of address
    voids every earlier link)."""
    return signing.dumps(
        {"u": user.pk, "e": email, "p": user.email}, salt=EMAIL_LINK_SALT
    )


def email_link_read(token: str) -> dict[str, Any] | None:
    """What a link's token says, or None when it is forged, damaged or old."""
    try:
        data = signing.loads(
            token,
            salt=EMAIL_LINK_SALT,
            max_age=settings.THREE_NOTEBOOKS_EMAIL_LINK_MAX_AGE,
        )
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or not {"u", "e", "p"} <= data.keys():
        return None
    return data


def email_verification_send(
    *, user: AbstractUser, request: HttpRequest, email: str | None = None
) -> None:
    """Mail a link that verifies `email` (the account's own by default)."""
    address = (email if email is not None else user.email).strip()
    if not address:
        return
    account_mail_later(
        kind="email_verification", to=address, request=request, user=user
    )


def email_change_request(
    *, user: AbstractUser, new_email: str, request: HttpRequest
) -> None:
    """Ask to move an account to `new_email`: nothing changes until the
    link mailed there is followed; the current address hears of it at once
    (someone with the password asked, and it should not be a surprise)."""
    new_email = new_email.strip()
    email_verification_send(user=user, request=request, email=new_email)
    if user.email and user.email.lower() != new_email.lower():
        account_mail_later(
            kind="email_change_notice",
            to=user.email,
            request=request,
            user=user,
            new_email=new_email,
        )


@transaction.atomic
def email_link_confirm(*, token: str) -> AbstractUser:
    """Follow a verification link: the address becomes the account's and
    verified; an account waiting for it opens. Following it twice is
    harmless; a link made before the address last changed is refused."""
    refused = ValidationError(
        _(
            "This link does not work: it is too old, it was made before the "
            "address last changed, or it was not copied whole."
        ),
        code="invalid_link",
    )
    data = email_link_read(token)
    if data is None:
        raise refused
    user = get_user_model().objects.select_for_update().filter(pk=data["u"]).first()
    if user is None or (user.email or "").lower() != str(data["p"]).lower():
        raise refused
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if not user.is_active and not profile.awaiting_verification:
        raise refused
    user.email = str(data["e"])
    user.is_active = True
    user.save(update_fields=["email", "is_active"])
    profile.verified_email = user.email
    profile.email_verified_at = timezone.now()
    profile.awaiting_verification = False
    profile.full_clean()
    profile.save()
    return user


# --- Deleting an account (#16) -----------------------------------------------


def former_reader() -> AbstractUser:
    """The account that keeps shared notes of readers who deleted theirs.
    It never logs in: no usable password, and inactive."""
    user, created = get_user_model().objects.get_or_create(
        username=FORMER_READER_USERNAME, defaults={"is_active": False}
    )
    if created or user.is_active or user.has_usable_password():
        user.is_active = False
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def account_delete(*, user: AbstractUser, keep_shared: bool) -> None:
    """Delete an account and everything it holds.

    Private notes always go. Shared notes (and replies) go too, unless the
    reader chose to leave them for their classmates: then they stay where
    they are, shared as they were, written by "a former reader". Either way
    a thread others replied in keeps its place: a note that goes but has
    others' replies is left as a tombstone (as `annotation_delete` leaves
    one), so their replies keep their context. Nothing else of the account
    survives (reading places, preferences, classes, tags, flags ...: they
    go with the user row).
    """
    # Imported here: annotations imports from accounts' neighbours, and this
    # is the one write of accounts that reaches into it.
    from annotations.models import (
        Annotation,
        ModerationLog,
        PromotionRequest,
        Visibility,
    )

    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    username = user.get_username()
    mine = Annotation.objects.filter(author=user)
    replies = mine.filter(reply_to__isnull=False)
    roots = mine.filter(reply_to__isnull=True)
    if keep_shared:
        kept_replies = replies.exclude(visibility=Visibility.PRIVATE).exclude(
            reply_to__author=user, reply_to__visibility=Visibility.PRIVATE
        )
        kept_roots = roots.exclude(visibility=Visibility.PRIVATE)
    else:
        kept_replies = replies.none()
        kept_roots = roots.none()
    kept_reply_ids = list(kept_replies.values_list("pk", flat=True))
    kept_root_ids = list(kept_roots.values_list("pk", flat=True))

    # Threads are flat: a reply has no replies, so it can simply go.
    replies.exclude(pk__in=kept_reply_ids).delete()
    leaving = roots.exclude(pk__in=kept_root_ids)
    # Of the notes that go, those with replies left (others', or the
    # reader's own kept ones) stay as tombstones: no note, no tags.
    answered = list(
        leaving.filter(replies__isnull=False).distinct().values_list("pk", flat=True)
    )
    leaving.exclude(pk__in=answered).delete()
    now = timezone.now()
    Annotation.objects.filter(pk__in=answered).update(
        body="", body_html="", deleted=now, editorial=False, modified=now
    )
    Annotation.tags.through.objects.filter(annotation_id__in=answered).delete()

    handed_on = [*kept_reply_ids, *kept_root_ids, *answered]
    if handed_on:
        Annotation.objects.filter(pk__in=handed_on).update(author=former_reader())
    # The tags are the reader's own (and go with the account); the name an
    # imported note credited, if it was theirs, goes too.
    Annotation.tags.through.objects.filter(annotation_id__in=handed_on).delete()
    Annotation.objects.filter(pk__in=handed_on, original_creator=username).update(
        original_creator=""
    )
    # Nobody is left to say yes to publishing these.
    PromotionRequest.objects.filter(
        annotation_id__in=handed_on, status=PromotionRequest.Status.PENDING
    ).delete()
    # The moderators' record keeps what happened, not who it happened to.
    ModerationLog.objects.filter(annotation_author=username).update(
        annotation_author=FORMER_READER_USERNAME
    )
    # django-axes keeps failed log-ins by name (and address): the name's.
    for record in (AccessAttempt, AccessFailureLog, AccessLog):
        record.objects.filter(username=username).delete()
    # Its post_delete also forgets the pages cached for visitors, which
    # showed the name on public notes (the updates above send no signal).
    user.delete()
