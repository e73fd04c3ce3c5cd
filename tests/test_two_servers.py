"""deploy/two_servers.py's own logic: the table, the exit code, the database
it may drop, and reading a form back as a browser would."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "two_servers.py"
spec = importlib.util.spec_from_file_location("two_servers", SCRIPT)
two_servers = importlib.util.module_from_spec(spec)
# Its dataclass looks its module up while the module runs.
sys.modules["two_servers"] = two_servers
spec.loader.exec_module(two_servers)
Check = two_servers.Check


def test_a_failed_check_fails_the_run():
    passed = Check("a", two_servers.PASSED)
    failed = Check("c", two_servers.FAILED, "B still serves the old text")
    assert two_servers.exit_code([passed, passed]) == 0
    assert two_servers.exit_code([passed, failed, passed]) == 1
    assert two_servers.exit_code([]) == 1


def test_the_table_has_a_row_per_check_in_aligned_columns():
    checks = [
        Check("note written on A, read on B", "passed", "at once"),
        Check("throttle", "refused", "no login throttle configured"),
    ]
    lines = two_servers.table(checks).splitlines()
    assert lines[0].split() == ["check", "result", "detail"]
    assert lines[2].startswith("note written on A, read on B  passed   at once")
    assert lines[3].startswith("throttle                      refused  no login")
    assert len(lines) == 4


def test_only_a_database_named_for_the_check_is_created_and_dropped():
    name, maintenance = two_servers.database_to_create(
        "postgres://u:p@db.example:5432/notebooks_two_servers"
    )
    assert name == "notebooks_two_servers"
    assert maintenance == "postgres://u:p@db.example:5432/postgres"
    for url in (
        "postgres://u:p@db.example:5432/notebooks",
        'postgres://u:p@db.example:5432/two_servers";DROP',
    ):
        with pytest.raises(SystemExit, match="must contain 'two_servers'"):
            two_servers.database_to_create(url)


def test_a_form_is_read_back_as_a_browser_sends_it():
    page = (
        '<form><input type="hidden" name="token" value="ab12">'
        '<input type="text" name="encoding" value="utf-8">'
        '<input type="submit" name="go" value="Go">'
        '<textarea name="text">\nFish &amp; chips &lt;b&gt;</textarea></form>'
    )
    assert two_servers.form_fields(page) == {
        "token": "ab12",
        "encoding": "utf-8",
        "text": "Fish & chips <b>",
    }


def test_words_are_found_on_a_page_escaped_or_not():
    assert two_servers.shows("<p>Fish &amp; chips</p>", "Fish & chips")
    assert not two_servers.shows("<p>Fish</p>", "chips")
