"""The server benchmark's table: medians, shares and goals, met or NOT met."""

from __future__ import annotations

from collections import Counter

from bench.table import Goal, PageStats, format_table, percentile, verdict


def page(key: str, *, rps: list[float], cpu: list[float], goal=None, **extra):
    stats = PageStats(key, key.replace("-", " "), f"/{key}/", goal, **extra)
    stats.rps = rps
    stats.cpu_ms = cpu
    stats.outcomes = Counter({"200": 10})
    return stats


def with_shares(pages: list[PageStats]) -> dict[str, PageStats]:
    reference = pages[0]
    for p in pages:
        rounds = zip(p.rps, reference.rps, strict=True)
        p.share = [100 * mine / ref for mine, ref in rounds]
    return {p.key: p for p in pages}


def rows(table: str) -> dict[str, list[str]]:
    lines = table.splitlines()[2:]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return {row[0]: row for row in cells}


def test_a_page_below_its_share_of_healthz_is_not_met():
    pages = with_shares(
        [
            page("healthz", rps=[1000, 800], cpu=[1, 1]),
            page("slow", rps=[150, 120], cpu=[9, 9], goal=Goal(min_share=20)),
            page("fast", rps=[250, 200], cpu=[4, 4], goal=Goal(min_share=20)),
        ]
    )
    assert verdict(pages["slow"], pages) == "NOT met"
    assert verdict(pages["fast"], pages) == "met"
    table = rows(format_table(list(pages.values())))
    assert table["slow"][-1] == "NOT met"
    assert table["slow"][2] == "15.0 %"
    assert table["fast"][-1] == "met"
    assert table["healthz"][-1] == ""


def test_shares_are_taken_round_by_round_then_the_median():
    pages = with_shares(
        [
            page("healthz", rps=[100, 200, 400], cpu=[1, 1, 1]),
            page("part", rps=[10, 10, 10], cpu=[5, 5, 5]),
        ]
    )
    # Per round 10 %, 5 %, 2.5 %: the median is 5 %, not 10 / 200.
    assert pages["part"].median_share == 5


def test_any_error_or_timeout_misses_the_goal_and_is_shown():
    pages = with_shares(
        [
            page("healthz", rps=[100], cpu=[1]),
            page("busy", rps=[50], cpu=[2], goal=Goal(min_share=5)),
            page("huge", rps=[1], cpu=[900], goal=Goal()),
        ]
    )
    pages["busy"].outcomes.update({"500": 2, "timeout": 1})
    pages["huge"].outcomes.update({"ConnectionResetError": 1})
    assert verdict(pages["busy"], pages) == "NOT met"
    assert verdict(pages["huge"], pages) == "NOT met"
    table = rows(format_table(list(pages.values())))
    assert table["busy"][9] == "**3** (500 ×2, timeout ×1)"
    assert table["huge"][10] == "no errors"


def test_a_page_without_errors_meets_a_no_errors_goal():
    pages = with_shares(
        [page("healthz", rps=[100], cpu=[1]), page("huge", rps=[1], cpu=[900])]
    )
    pages["huge"].goal = Goal()
    assert verdict(pages["huge"], pages) == "met"


def test_the_dashboard_goal_compares_cpu_with_another_page():
    pages = with_shares(
        [
            page("healthz", rps=[100], cpu=[1]),
            page("part-1000", rps=[5], cpu=[100]),
            page("dashboard", rps=[5], cpu=[120], goal=Goal(cpu_not_above="part-1000")),
        ]
    )
    assert verdict(pages["dashboard"], pages) == "NOT met"
    pages["dashboard"].cpu_ms = [90]
    assert verdict(pages["dashboard"], pages) == "met"
    assert rows(format_table(list(pages.values())))["dashboard"][10] == (
        "CPU ≤ part 1000"
    )


def test_sizes_the_server_did_not_compress_are_marked():
    pages = with_shares(
        [
            page(
                "healthz",
                rps=[100],
                cpu=[1],
                raw_bytes=3,
                compressed_bytes=23,
                compressed_by_server=False,
            ),
            page(
                "part",
                rps=[10],
                cpu=[4],
                raw_bytes=50_000,
                compressed_bytes=9_000,
                compressed_by_server=True,
            ),
        ]
    )
    table = rows(format_table(list(pages.values())))
    assert table["healthz"][7] == "23\\*"
    assert table["part"][6:8] == ["50,000", "9,000"]
    # The server-only ratio: healthz's CPU per request over the page's.
    assert table["part"][4] == "25.0 %"


def test_p99_is_the_nearest_rank_so_few_samples_give_the_slowest():
    assert percentile([5, 1, 3], 99) == 5
    assert percentile(list(range(1, 201)), 99) == 198
    assert percentile([], 99) is None


def test_a_killed_worker_is_shown_and_misses_the_goal_without_counting_twice():
    pages = with_shares(
        [
            page("healthz", rps=[100], cpu=[1]),
            page("notebook", rps=[0.1], cpu=[3000], goal=Goal(min_share=5)),
        ]
    )
    pages["notebook"].outcomes.update({"500": 2, "worker restarted": 2})
    assert pages["notebook"].errors == 2
    assert verdict(pages["notebook"], pages) == "NOT met"
    cell = rows(format_table(list(pages.values())))["notebook"][9]
    assert cell == "**2** (500 ×2; 2 workers killed)"
