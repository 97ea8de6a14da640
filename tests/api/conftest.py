"""Shows the schemathesis run's figures at the end of every run, not only with -s or on failure."""

import pytest

from tests.api.test_schemathesis import schemathesis_report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if schemathesis_report:
        report = schemathesis_report
        terminalreporter.write_sep("-", "schemathesis")
        terminalreporter.write_line(
            f"{report['operations']} operations, {report['requests']} requests, "
            f"{report['server_errors']} x 5xx, {report['failures']} conformance failures"
        )
        terminalreporter.write_line(f"{report['positive_only']} operations have no negative data")
        for mode, statuses in report["statuses"].items():
            terminalreporter.write_line(f"{mode} data, answers by status: {statuses}")
