"""manage.py load_motifs [PATH]: load or update the motif catalogue."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reader.edition_files import EditionSourceError
from reader.models import Edition
from themes.catalogue import read_catalogue
from themes.services import catalogue_load


class Command(BaseCommand):
    help = (
        "Load the motif catalogue (one Markdown file per motif) onto an edition's "
        "passages. Loading again updates in place; nothing is deleted, and what "
        "a curator edited since the last load is kept (--force replaces it)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=settings.THREE_NOTEBOOKS_MOTIF_DIR,
            help="the catalogue folder (default: content/motifs)",
        )
        parser.add_argument(
            "--edition",
            default="study",
            help="the slug of the edition whose passages the catalogue cites",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "replace motifs and occurrences a curator edited since the last "
                "load with the catalogue's; without it they are kept and reported"
            ),
        )

    def handle(
        self, *args: Any, path: Path, edition: str, force: bool, **options: Any
    ) -> None:
        edition_obj = Edition.objects.filter(slug=edition).first()
        if edition_obj is None:
            raise CommandError(f"No edition {edition!r}: run load_edition first.")
        try:
            report = catalogue_load(
                motifs=read_catalogue(path), edition=edition_obj, force=force
            )
        except EditionSourceError as exc:
            raise CommandError(f"{exc} (nothing was loaded)") from exc
        for line in report.lines():
            self.stdout.write(line)
