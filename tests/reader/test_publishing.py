"""An imported edition starts unpublished; publishing asks who may read it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from reader.models import Audience, Edition
from reader.services import edition_publish
from tests.factories import make_edition, make_user
from tests.reader.test_import_edition import markdown, step, upload

CHANGELIST = reverse("admin:reader_edition_changelist")
PUBLISH = reverse("admin:reader_edition_publish")


def imported_through_admin(client) -> Edition:
    preview = upload(client, markdown(), "book.md")
    assert step(client, preview, "confirm").status_code == 302
    return Edition.objects.get(slug="licensed")


def test_an_edition_imported_in_admin_is_unpublished(client, curator, db):
    client.force_login(curator)
    edition = imported_through_admin(client)
    assert edition.audience == Audience.CURATORS
    page = client.get(reverse("admin:reader_edition_change", args=[edition.pk]))
    assert "only curators can read it" in page.content.decode()
    # The curator checks it on the site; nobody else finds it.
    assert client.get(edition.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(edition.get_absolute_url()).status_code == 404
    assert "Licensed" not in client.get(reverse("reader:home")).content.decode()
    client.force_login(make_user())
    assert client.get(edition.get_absolute_url()).status_code == 404


def test_an_edition_imported_by_the_command_is_unpublished(tmp_path, db):
    path = tmp_path / "book.md"
    path.write_bytes(markdown())
    out = StringIO()
    call_command(
        "import_edition", str(path), "--slug", "licensed", "--title", "L", stdout=out
    )
    assert Edition.objects.get(slug="licensed").audience == Audience.CURATORS
    assert "Unpublished: only curators can read it" in out.getvalue()


def test_reimporting_keeps_who_may_read_it(tmp_path, db):
    path = tmp_path / "book.md"
    path.write_bytes(markdown())
    call_command("import_edition", str(path), "--slug", "licensed", "--title", "L")
    edition = Edition.objects.get(slug="licensed")
    edition_publish(edition=edition, audience=Audience.SIGNED_IN)
    call_command("import_edition", str(path), "--slug", "licensed", "--title", "L2")
    assert Edition.objects.get(slug="licensed").audience == Audience.SIGNED_IN


def test_the_bundled_study_edition_is_readable_by_everyone(client, db):
    call_command("load_edition", stdout=StringIO())
    edition = Edition.objects.get()
    assert edition.audience == Audience.EVERYONE
    assert client.get(edition.get_absolute_url()).status_code == 200


def test_the_publish_action_asks_who_may_read_it_and_stores_it(licensed, client):
    edition = licensed.edition
    edition_publish(edition=edition, audience=Audience.CURATORS)
    client.force_login(licensed.curator)
    chosen = client.post(
        CHANGELIST, {"action": "publish_editions", "_selected_action": [edition.pk]}
    )
    assert chosen.status_code == 302
    form = client.get(chosen["Location"])
    assert form.status_code == 200
    html = form.content.decode()
    for audience in Audience:
        assert str(audience.label) in html
    assert licensed.course.name in html

    done = client.post(
        PUBLISH,
        {
            "ids": str(edition.pk),
            "audience": Audience.CLASSES,
            "classes": [licensed.course.pk],
        },
    )
    assert done.status_code == 302
    edition.refresh_from_db()
    assert edition.audience == Audience.CLASSES
    assert list(edition.reading_classes.all()) == [licensed.course]
    # A member reads it; a stranger gets a 404.
    assert licensed.client("student").get(edition.get_absolute_url()).status_code == 200
    assert (
        licensed.client("stranger").get(edition.get_absolute_url()).status_code == 404
    )


def test_publishing_to_classes_without_a_class_is_refused(licensed, client):
    edition = licensed.edition
    edition_publish(edition=edition, audience=Audience.CURATORS)
    client.force_login(licensed.curator)
    response = client.post(
        PUBLISH, {"ids": str(edition.pk), "audience": Audience.CLASSES}
    )
    assert response.status_code == 400
    assert "Choose at least one class" in response.content.decode()
    edition.refresh_from_db()
    assert edition.audience == Audience.CURATORS


def test_publishing_to_everyone_forgets_the_chosen_classes(licensed, client):
    client.force_login(licensed.curator)
    client.post(
        PUBLISH, {"ids": str(licensed.edition.pk), "audience": Audience.SIGNED_IN}
    )
    licensed.edition.refresh_from_db()
    assert licensed.edition.audience == Audience.SIGNED_IN
    assert not licensed.edition.reading_classes.exists()


def test_the_unpublish_action_leaves_the_edition_to_curators(licensed, client):
    client.force_login(licensed.curator)
    client.post(
        CHANGELIST,
        {"action": "unpublish_editions", "_selected_action": [licensed.edition.pk]},
    )
    licensed.edition.refresh_from_db()
    assert licensed.edition.audience == Audience.CURATORS
    assert not licensed.edition.reading_classes.exists()
    assert (
        licensed.client("student").get(licensed.edition.get_absolute_url()).status_code
        == 404
    )


def test_the_change_form_does_not_change_who_may_read_it(licensed, client):
    client.force_login(licensed.curator)
    url = reverse("admin:reader_edition_change", args=[licensed.edition.pk])
    assert 'name="audience"' not in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["reader", "teacher"])
def test_only_curators_publish(licensed, client, who):
    user = licensed.stranger if who == "reader" else licensed.teacher
    client.force_login(user)
    response = client.post(
        PUBLISH, {"ids": str(licensed.edition.pk), "audience": Audience.EVERYONE}
    )
    assert response.status_code == 302  # to the admin's login
    assert "login" in response["Location"]
    licensed.edition.refresh_from_db()
    assert licensed.edition.audience == Audience.CLASSES


@pytest.mark.django_db(transaction=True)
def test_existing_editions_keep_who_could_read_them(settled_connection):
    executor = MigrationExecutor(connection)
    before = [("reader", "0001_initial_edition_models")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("reader", "Edition")
    old.objects.create(slug="open", title="Open", author="A", published=True)
    old.objects.create(slug="shut", title="Shut", author="A", published=False)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    audiences = dict(Edition.objects.values_list("slug", "audience"))
    assert audiences == {"open": Audience.EVERYONE, "shut": Audience.CURATORS}


def test_a_new_edition_made_in_admin_is_unpublished(db):
    # The model's default: nothing is public until a curator says so.
    assert Edition(slug="x", title="X", author="A").audience == Audience.CURATORS
    assert make_edition("y").audience == Audience.EVERYONE  # tests' own default
