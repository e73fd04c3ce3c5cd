"""The server benchmark's figures and its Markdown table (no Django here).

bench/server.py fills one PageStats per page, round by round; this module
turns them into medians, goal verdicts and the table for the README.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

OK = "200"
# Not an answer but an event: gunicorn killed a worker (a request over its
# timeout). Shown beside the errors, not counted among them twice.
RESTARTED = "worker restarted"


@dataclass(frozen=True)
class Goal:
    """What a page must reach. Every goal also needs no error or timeout.

    `min_share`: req/s at least this % of /healthz/'s in the same round.
    `cpu_not_above`: CPU per request no more than that page's (its key).
    """

    min_share: float | None = None
    cpu_not_above: str | None = None

    def describe(self, names: dict[str, str]) -> str:
        if self.min_share is not None:
            return f"≥ {self.min_share:g} %"
        if self.cpu_not_above is not None:
            other = names.get(self.cpu_not_above, self.cpu_not_above)
            return f"CPU ≤ {other}"
        return "no errors"


@dataclass
class PageStats:
    key: str
    name: str
    path: str
    goal: Goal | None = None
    # One entry per round.
    rps: list[float] = field(default_factory=list)
    share: list[float] = field(default_factory=list)  # % of /healthz/ req/s
    cpu_ms: list[float] = field(default_factory=list)
    # Every request, all rounds.
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    raw_bytes: int | None = None
    compressed_bytes: int | None = None
    compressed_by_server: bool = False
    queries: int | None = None

    @property
    def errors(self) -> int:
        """Every answer that was not a 200: other statuses, timeouts, resets."""
        return sum(
            n for outcome, n in self.outcomes.items() if outcome not in (OK, RESTARTED)
        )

    @property
    def median_rps(self) -> float | None:
        return statistics.median(self.rps) if self.rps else None

    @property
    def median_share(self) -> float | None:
        return statistics.median(self.share) if self.share else None

    @property
    def median_cpu_ms(self) -> float | None:
        return statistics.median(self.cpu_ms) if self.cpu_ms else None

    @property
    def p99_ms(self) -> float | None:
        return percentile(self.latencies_ms, 99)


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: with few samples, p99 is the slowest."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def cpu_share(page: PageStats, reference: PageStats) -> float | None:
    """/healthz/'s CPU per request as a % of this page's: the req/s share
    the page would reach if the server's CPU alone set the pace."""
    mine, theirs = page.median_cpu_ms, reference.median_cpu_ms
    if not mine or theirs is None:
        return None
    return 100 * theirs / mine


def verdict(page: PageStats, pages: dict[str, PageStats]) -> str:
    """ "met", "NOT met", or "" for a page without a goal."""
    if page.goal is None:
        return ""
    if page.errors or page.outcomes[RESTARTED] or not page.rps:
        return "NOT met"
    goal = page.goal
    if goal.min_share is not None:
        share = page.median_share
        if share is None or share < goal.min_share:
            return "NOT met"
    if goal.cpu_not_above is not None:
        other = pages.get(goal.cpu_not_above)
        mine = page.median_cpu_ms
        theirs = other.median_cpu_ms if other else None
        if mine is None or theirs is None or mine > theirs:
            return "NOT met"
    return "met"


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _share(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f} %" if value < 10 else f"{value:.1f} %"


def _errors(page: PageStats) -> str:
    restarted = page.outcomes[RESTARTED]
    if not page.errors and not restarted:
        return "0"
    kinds = ", ".join(
        f"{outcome} ×{n}"
        for outcome, n in sorted(page.outcomes.items())
        if outcome not in (OK, RESTARTED)
    )
    if restarted:
        kinds += (
            f"; {restarted} workers killed" if kinds else f"{restarted} workers killed"
        )
    return f"**{page.errors}** ({kinds})"


def format_table(pages: Sequence[PageStats], *, reference: str = "healthz") -> str:
    """The Markdown table, one row per page, in the order given."""
    by_key = {page.key: page for page in pages}
    names = {page.key: page.name for page in pages}
    base = by_key.get(reference)
    header = (
        "| page | req/s | % of /healthz/ | CPU ms/req | CPU: % of /healthz/ "
        "| p99 ms | HTML bytes | gzip bytes | queries | errors | goal | verdict |"
    )
    columns = header.count("|") - 1
    lines = [header, "|" + "---|" * columns]
    for page in pages:
        compressed = _number(page.compressed_bytes)
        if page.compressed_bytes is not None and not page.compressed_by_server:
            compressed += "\\*"
        share = "100 %" if page is base else _share(page.median_share)
        cpu_pct = (
            "100 %" if page is base else _share(cpu_share(page, base) if base else None)
        )
        goal = page.goal.describe(names) if page.goal else ""
        lines.append(
            "| "
            + " | ".join(
                [
                    page.name,
                    _number(page.median_rps, 1),
                    share,
                    _number(page.median_cpu_ms, 1),
                    cpu_pct,
                    _number(page.p99_ms),
                    _number(page.raw_bytes),
                    compressed,
                    _number(page.queries),
                    _errors(page),
                    goal,
                    verdict(page, by_key),
                ]
            )
            + " |"
        )
    return "\n".join(lines)
