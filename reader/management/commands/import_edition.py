"""manage.py import_edition FILE: import a licensed text (Markdown, text, EPUB)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reader.importing import EditionDetails, import_apply, import_plan
from reader.splitting import parse_patterns


class Command(BaseCommand):
    help = (
        "Import an edition from a Markdown, plain-text or EPUB file: the parts are "
        "found by their headings. Shows what it found; writes only if nothing is "
        "wrong (and not with --dry-run). Re-importing over an edition is a revision."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--slug", required=True, help="the edition's slug")
        parser.add_argument("--title", required=True)
        parser.add_argument("--author", default="Kōbō Abe")
        parser.add_argument("--language", default="en")
        parser.add_argument("--translator", default="")
        parser.add_argument("--encoding", help="decode the file with this encoding")
        parser.add_argument("--patterns", type=Path, help="a file of part patterns")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        patterns = None
        if options["patterns"]:
            try:
                patterns = parse_patterns(
                    options["patterns"].read_text(encoding="utf-8")
                )
            except ValueError as exc:
                raise CommandError(f"{options['patterns']}: {exc}") from exc
        plan = import_plan(
            name=path.name,
            data=path.read_bytes(),
            encoding=options["encoding"],
            patterns=patterns,
            details=EditionDetails(
                slug=options["slug"],
                title=options["title"],
                author=options["author"],
                language=options["language"],
                translator=options["translator"],
            ),
        )
        if plan.split is not None:
            for part in plan.split.parts:
                first = part.passages[0][1][:60] if part.passages else ""
                self.stdout.write(
                    f"{part.pattern.title}: {len(part.passages)} passages. {first}…"
                )
        for warning in plan.warnings:
            self.stdout.write(f"warning: {warning}")
        if plan.errors:
            raise CommandError("; ".join(plan.errors) + " (nothing was imported)")
        for preview in plan.revisions:
            counts = ", ".join(
                f"{e.label}: {e.moved} move, {e.orphaned} orphaned"
                for e in preview.effects
            )
            self.stdout.write(f"revises {preview.passage.key} ({counts})")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        report = import_apply(plan)
        for line in report.lines():
            self.stdout.write(line)
        if not report.edition.is_published:
            self.stdout.write(
                "Unpublished: only curators can read it. Check it, then publish "
                "it in admin (Editions → Publish) and choose who may read it."
            )
