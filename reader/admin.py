"""Admin for curators: editions, parts and passages in reading order."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from config.throttling import throttle

from .audiences import class_audience
from .import_files import MAX_UPLOAD_BYTES
from .importing import EditionDetails, import_apply, import_plan
from .models import (
    Audience,
    Edition,
    Part,
    Passage,
    PassageRead,
    PassageRevision,
)
from .revisions import revision_apply, revision_preview
from .services import edition_publish
from .splitting import DEFAULT_PATTERNS, format_patterns, parse_patterns


class PartInline(admin.TabularInline):
    model = Part
    fields = ("order", "title", "slug", "kind", "short_title", "summary")
    extra = 0
    show_change_link = True
    ordering = ("order",)


UNPUBLISHED_NOTICE = _(
    "This edition is unpublished: only curators can read it. Check it, then "
    "publish it and choose who may read it."
)


class EditionDetailsForm(forms.Form):
    """What the import calls the edition; checked again at every step."""

    slug = forms.SlugField(
        label=_("Edition slug"),
        help_text=_("A new slug creates an edition; an existing one revises it."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    author = forms.CharField(label=_("Author"), max_length=200, initial="Kōbō Abe")
    language = forms.CharField(label=_("Language"), max_length=16, initial="en")
    translator = forms.CharField(label=_("Translator"), max_length=200, required=False)


class ImportForm(EditionDetailsForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Markdown (.md), plain text (.txt) or EPUB (.epub)."),
    )
    field_order = ["file"]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class PublishForm(forms.Form):
    """Publishing asks who may read the edition (curators always may)."""

    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
    )
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        queryset=Edition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "With “Members of chosen classes”: the students and teachers of "
            "these classes may read it."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The classes come from the app that knows them (reader/audiences.py).
        self.fields["classes"].queryset = class_audience().classes()
        self.fields["classes"].label_from_instance = lambda course: (
            f"{course.name} ({course.edition.title}, "
            f"{course.term_start:%Y-%m-%d} – {course.term_end:%Y-%m-%d})"
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("audience") == Audience.CLASSES and not data.get("classes"):
            self.add_error("classes", _("Choose at least one class that may read it."))
        return data


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "author", "language", "audience")
    list_filter = ("audience", "language")
    search_fields = ("title", "slug", "author")
    # Who may read an edition changes only through "Publish" (it asks for the
    # classes too) and "Unpublish": never as a side effect of another edit.
    readonly_fields = ("who_may_read",)
    exclude = ("audience",)
    inlines = [PartInline]
    change_list_template = "admin/reader/edition/change_list.html"
    actions = ["publish_editions", "unpublish_editions"]

    def get_urls(self) -> list:
        return [
            path(
                "import/",
                self.admin_site.admin_view(
                    # Each step re-reads the upload: per account, per hour.
                    throttle("edition_import_user", key="user")(self.import_view)
                ),
                name="reader_edition_import",
            ),
            path(
                "publish/",
                self.admin_site.admin_view(self.publish_view),
                name="reader_edition_publish",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("who may read it"))
    def who_may_read(self, edition: Edition) -> str:
        if not edition.pk:
            return str(Audience.CURATORS.label)
        label = edition.get_audience_display()
        if edition.audience == Audience.CLASSES:
            names = ", ".join(c.name for c in class_audience().opened_to(edition))
            label = f"{label}: {names}"
        return format_html(
            '{} <a class="button" href="{}?ids={}">{}</a>',
            label,
            reverse("admin:reader_edition_publish"),
            edition.pk,
            _("Publish or change who may read it"),
        )

    @admin.action(
        description=_("Publish: choose who may read them…"), permissions=["change"]
    )
    def publish_editions(
        self, request: HttpRequest, queryset: QuerySet[Edition]
    ) -> HttpResponse:
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(
            f"{reverse('admin:reader_edition_publish')}?ids={ids}"
        )

    @admin.action(description=_("Unpublish: curators only"), permissions=["change"])
    def unpublish_editions(
        self, request: HttpRequest, queryset: QuerySet[Edition]
    ) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        for edition in queryset:
            edition_publish(edition=edition, audience=Audience.CURATORS)
        messages.success(
            request,
            _("Unpublished %(n)d editions: only curators can read them now.")
            % {"n": queryset.count()},
        )

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        """Ask who may read the chosen editions, then store the answer."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        raw = request.POST.get("ids") or request.GET.get("ids", "")
        ids = [int(pk) for pk in raw.split(",") if pk.strip().isdigit()][:100]
        editions = list(Edition.objects.filter(pk__in=ids))
        if not editions:
            messages.error(request, _("Choose the editions to publish."))
            return HttpResponseRedirect(reverse("admin:reader_edition_changelist"))
        initial: dict = {}
        if len(editions) == 1:
            edition = editions[0]
            chosen = list(class_audience().opened_to(edition))
            initial = {
                "audience": edition.audience
                if edition.audience != Audience.CURATORS
                else Audience.CLASSES,
                # First time: the classes that already read this edition.
                "classes": chosen or list(class_audience().reading(edition)),
            }
        form = PublishForm(
            request.POST if request.method == "POST" else None, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            for edition in editions:
                edition_publish(
                    edition=edition,
                    audience=form.cleaned_data["audience"],
                    classes=form.cleaned_data["classes"],
                )
            audience = Audience(form.cleaned_data["audience"])
            messages.success(
                request,
                _("%(editions)s: %(audience)s.")
                % {
                    "editions": ", ".join(e.title for e in editions),
                    "audience": audience.label,
                },
            )
            if audience == Audience.CLASSES:
                self._warn_about_classes_left_out(request, editions)
            return HttpResponseRedirect(reverse("admin:reader_edition_changelist"))
        return TemplateResponse(
            request,
            "admin/reader/edition/publish.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Who may read it?"),
                "editions": editions,
                "ids": ",".join(str(e.pk) for e in editions),
                "form": form,
            },
            status=400 if form.errors else 200,
        )

    def _warn_about_classes_left_out(
        self, request: HttpRequest, editions: list[Edition]
    ) -> None:
        """Classes that read an edition but were not chosen lose it."""
        for edition in editions:
            audience = class_audience()
            left_out = audience.reading(edition).exclude(
                pk__in=audience.opened_to(edition).values("pk")
            )
            names = ", ".join(c.name for c in left_out)
            if names:
                messages.warning(
                    request,
                    _(
                        "%(edition)s is the edition of classes you did not "
                        "choose: %(names)s. Their students cannot read it now."
                    )
                    % {"edition": edition.title, "names": names},
                )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload, then preview (parts, problems, revisions), then confirm.

        The upload waits in the default storage (MEDIA_ROOT/imports) under
        a random name between the steps; confirming loads it in one
        transaction, cancelling or confirming removes it.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import an edition"),
        }
        step = request.POST.get("step", "")
        if request.method != "POST" or step == "":
            form = ImportForm(request.POST or None, request.FILES or None)
            if request.method == "POST" and form.is_valid():
                upload = form.cleaned_data["file"]
                token = _stash(upload.read(), upload.name)
                details = {
                    k: form.cleaned_data[k] for k in EditionDetailsForm.base_fields
                }
                return self._preview(request, context, token, upload.name, details)
            return TemplateResponse(
                request, "admin/reader/edition/import.html", {**context, "form": form}
            )
        token = request.POST.get("token", "")
        stashed = _stashed(token)
        if stashed is None:
            messages.error(
                request, _("The upload has expired; please upload it again.")
            )
            return HttpResponseRedirect(reverse("admin:reader_edition_import"))
        name = request.POST.get("name", "upload")
        details_form = EditionDetailsForm(request.POST)
        if step != "cancel" and not details_form.is_valid():
            for field, errors in details_form.errors.items():
                messages.error(request, f"{field}: {' '.join(errors)}")
            return HttpResponseRedirect(reverse("admin:reader_edition_import"))
        details = details_form.cleaned_data if step != "cancel" else {}
        if step == "cancel":
            stashed.unlink(missing_ok=True)
            messages.info(request, _("Import cancelled; nothing was written."))
            return HttpResponseRedirect(reverse("admin:reader_edition_changelist"))
        return self._preview(
            request, context, token, name, details, confirm=step == "confirm"
        )

    def _preview(
        self,
        request: HttpRequest,
        context: dict,
        token: str,
        name: str,
        details: dict,
        *,
        confirm: bool = False,
    ) -> HttpResponse:
        stashed = _stashed(token)
        patterns_text = request.POST.get("patterns") or format_patterns(
            DEFAULT_PATTERNS
        )
        pattern_error = ""
        try:
            patterns = parse_patterns(patterns_text)
        except ValueError as exc:
            pattern_error = str(exc)
            patterns = DEFAULT_PATTERNS
        encoding = request.POST.get("encoding") or None
        plan = import_plan(
            name=name,
            data=stashed.read_bytes(),
            encoding=encoding,
            patterns=patterns,
            details=EditionDetails(
                slug=details.get("slug", ""),
                title=details.get("title", ""),
                author=details.get("author", ""),
                language=details.get("language", "en") or "en",
                translator=details.get("translator", ""),
            ),
        )
        if confirm and plan.ok and not pattern_error:
            existing = Edition.objects.filter(slug=plan.details.slug).exists()
            if existing and not request.user.has_perm("reader.change_passage"):
                # Importing over an edition revises its passages.
                raise PermissionDenied
            report = import_apply(plan)
            stashed.unlink(missing_ok=True)
            for line in report.lines():
                messages.success(request, line)
            if not report.edition.is_published:
                messages.warning(request, UNPUBLISHED_NOTICE)
            return HttpResponseRedirect(
                reverse("admin:reader_edition_change", args=[report.edition.pk])
            )
        return TemplateResponse(
            request,
            "admin/reader/edition/import_preview.html",
            {
                **context,
                "plan": plan,
                "token": token,
                "name": name,
                "details": details,
                "patterns": patterns_text,
                "pattern_error": pattern_error,
                "encoding": encoding or "",
            },
        )


class PassageInline(admin.TabularInline):
    """Passages of a part, read-only here: text changes are revisions, made
    one passage at a time so the old text is kept."""

    model = Passage
    fields = ("order", "key", "excerpt", "revision")
    readonly_fields = ("order", "key", "excerpt", "revision")
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("order",)

    @admin.display(description=_("text"))
    def excerpt(self, passage: Passage) -> str:
        return Truncator(passage.text).words(16)

    def has_add_permission(self, request: HttpRequest, obj: Part | None = None) -> bool:
        return False


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("title", "edition", "order", "kind", "slug")
    list_filter = ("edition", "kind")
    search_fields = ("title", "slug")
    ordering = ("edition", "order")
    inlines = [PassageInline]


class PassageRevisionInline(admin.TabularInline):
    model = PassageRevision
    fields = ("revision", "text", "replaced")
    readonly_fields = ("revision", "text", "replaced")
    extra = 0
    can_delete = False

    def has_add_permission(
        self, request: HttpRequest, obj: Passage | None = None
    ) -> bool:
        return False


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ("key", "part_title", "order", "excerpt", "revision", "view_link")
    list_display_links = ("key",)
    list_filter = ("edition", "part__kind", "part")
    search_fields = ("key", "text")
    ordering = ("edition", "part__order", "order")
    list_select_related = ("part", "edition")
    readonly_fields = (
        "edition",
        "part",
        "key",
        "text",
        "revise_link",
        "revision",
        "modified",
    )
    fields = (
        "edition",
        "part",
        "order",
        "key",
        "text",
        "revise_link",
        "revision",
        "modified",
    )
    inlines = [PassageRevisionInline]
    list_per_page = 100

    @admin.display(description=_("part"), ordering="part__order")
    def part_title(self, passage: Passage) -> str:
        return passage.part.short_title

    @admin.display(description=_("text"))
    def excerpt(self, passage: Passage) -> str:
        return Truncator(passage.text).words(14)

    @admin.display(description=_("read"))
    def view_link(self, passage: Passage) -> str:
        return format_html(
            '<a href="{}">{}</a>', passage.get_absolute_url(), _("open in reader")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Passages arrive through load_edition (and, later, the importer),
        # which assign keys that must never be reused.
        return False

    @admin.display(description=_("revise"))
    def revise_link(self, passage: Passage) -> str:
        if not passage.pk:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:reader_passage_revise", args=[passage.pk]),
            _("Revise the text (preview its effect on annotations first)"),
        )

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/revise/",
                self.admin_site.admin_view(self.revise_view),
                name="reader_passage_revise",
            ),
            *super().get_urls(),
        ]

    def revise_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Edit a passage's text: preview the diff and what happens to every
        annotation and motif occurrence on it, then apply, all or nothing."""
        passage = get_object_or_404(Passage.objects.select_related("part"), pk=pk)
        if not self.has_change_permission(request, passage):
            raise PermissionDenied
        text = request.POST.get("text", passage.text)
        preview = None
        if request.method == "POST":
            if not " ".join(text.split()):
                messages.error(request, _("A passage cannot be empty."))
            elif request.POST.get("action") == "apply":
                revision_apply({passage: text})
                messages.success(
                    request,
                    _("Revised %(key)s. Annotations were re-anchored; none deleted.")
                    % {"key": passage.key},
                )
                return HttpResponseRedirect(
                    reverse("admin:reader_passage_change", args=[passage.pk])
                )
            else:
                previews = revision_preview({passage: text})
                preview = previews[0] if previews else None
                if preview is None:
                    messages.info(request, _("The text is unchanged."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": passage,
            "passage": passage,
            "text": text,
            "preview": preview,
            "title": _("Revise %s") % passage.key,
        }
        return TemplateResponse(request, "admin/reader/passage/revise.html", context)


@admin.register(PassageRead)
class PassageReadAdmin(admin.ModelAdmin):
    list_display = ("user", "passage", "first_seen", "last_seen")
    list_filter = ("passage__edition",)
    search_fields = ("user__username", "passage__key")
    list_select_related = ("user", "passage")
    readonly_fields = ("user", "passage", "first_seen", "last_seen")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PassageRead]:
        return super().get_queryset(request).order_by("-last_seen")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# An upload neither confirmed nor cancelled is forgotten after this long.
STASH_LIFETIME_SECONDS = 24 * 60 * 60
# Where uploads wait, in the default storage.
STASH_FOLDER = "imports"


class StashedUpload:
    """An upload waiting between preview and confirmation in the default
    storage: a folder every app server shares, or object storage (see
    MEDIA_ROOT in config/settings.py), never one process's memory or one
    machine's disk, since the confirmation may reach another app server than
    the preview. It answers the two calls the steps make of a file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def read_bytes(self) -> bytes:
        with default_storage.open(self.name, "rb") as file:
            return file.read()

    def unlink(self, missing_ok: bool = False) -> None:
        # Confirming twice (a double click) finds it gone: nothing to do.
        default_storage.delete(self.name)


def _forget_abandoned_uploads() -> None:
    """Uploads abandoned at the preview (never confirmed nor cancelled) are
    removed once they are a day old: a licensed text is not left lying about."""
    try:
        _folders, files = default_storage.listdir(STASH_FOLDER)
    except FileNotFoundError:
        return
    too_old = timezone.now() - timedelta(seconds=STASH_LIFETIME_SECONDS)
    for file in files:
        name = f"{STASH_FOLDER}/{file}"
        try:
            if default_storage.get_modified_time(name) < too_old:
                default_storage.delete(name)
        except FileNotFoundError:  # another server removed it meanwhile
            continue


def _stash(data: bytes, name: str) -> str:
    """Keep an upload between preview and confirmation, under a random name."""
    _forget_abandoned_uploads()
    token = secrets.token_hex(16)
    default_storage.save(f"{STASH_FOLDER}/{token}", ContentFile(data))
    return token


def _stashed(token: str) -> StashedUpload | None:
    if not token or not all(c in "0123456789abcdef" for c in token):
        return None
    name = f"{STASH_FOLDER}/{token}"
    return StashedUpload(name) if default_storage.exists(name) else None
