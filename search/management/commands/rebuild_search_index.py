from __future__ import annotations

from django.core.management.base import BaseCommand

from search.services import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Build the search index again from every passage, motif and annotation "
        "(safe to run at any time: it runs in one transaction)."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = search_index_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt ({report.language}): {report.passages} "
                f"passages, {report.motifs} motifs, {report.annotations} annotations."
            )
        )
