"""manage.py load_edition PATH: load or update an edition from its folder."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reader.edition_files import EditionSourceError, read_edition_folder
from reader.services import edition_load


class Command(BaseCommand):
    help = (
        "Load an edition from a folder of part files (front matter and keyed "
        "paragraphs). Loading again updates changed passages in place and adds "
        "new ones; nothing is deleted, and what a curator revised since the "
        "last load is kept (--force replaces it). Without PATH, loads the "
        "bundled study edition."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=settings.THREE_NOTEBOOKS_STUDY_EDITION_DIR,
            help="the edition folder (default: the bundled study edition)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "replace texts a curator revised since the last load with the "
                "bundled ones, as revisions (the preview is printed); without "
                "it, curators' revisions are kept and reported"
            ),
        )

    def handle(self, *args: Any, path: Path, force: bool, **options: Any) -> None:
        try:
            source = read_edition_folder(path)
        except EditionSourceError as exc:
            # One line, naming file and line; nothing has been written.
            raise CommandError(f"{exc} (nothing was loaded)") from exc
        report = edition_load(source=source, force=force)
        for line in report.lines():
            self.stdout.write(line)
