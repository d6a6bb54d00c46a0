#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write docs/reliability.md from the records of the reliability suite (tests/reliability_log.py).

    .venv/bin/python tests/reliability_report.py [--records DIR] [--output docs/reliability.md]

Run by ``make test`` right after pytest. The report has one table per suite (case, module, execution mode,
outcome, retries, requests and what went wrong: writes, duplicates, lost objects, secret occurrences) and the
totals. It exits non-zero (after writing the report) when there are no records, when a record's outcome is
FAILED, or when a total that must be 0 is not: writes after bad input, duplicates, lost objects, secret
occurrences. The output is sorted and carries no timestamp but the date, so a rerun changes only what changed.
"""

import argparse
import datetime
import os
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TESTS_DIR)

import reliability_log  # noqa: E402  pylint: disable=wrong-import-position

DEFAULT_OUTPUT = os.path.join(reliability_log.ROOT, "docs", "reliability.md")
TITLES = {
    "fault": "Faults (tests/integration/test_fault_matrix.py, test_fault_matrix_new_modules.py)",
    "bad_input": "Bad input",
    "hostile_answer": "Answers that are not the API's (tests/integration/test_hostile_answers.py)",
    "concurrency": "Sliced jobs and concurrent runs",
    "secrets": "Secrets (tests/integration/test_secret_echo.py)",
}
MUST_BE_ZERO = ("writes after bad input", "duplicates", "lost", "secret occurrences", "FAILED records")


def totals(rows):
    """The figures of the report: name -> number (see MUST_BE_ZERO for those that must be 0)."""
    def count(suite, outcome):
        return sum(1 for r in rows if r["suite"] == suite and r["outcome"] == outcome)
    return {
        "faults survived on the first run": count("fault", "survived"),
        "faults converged on rerun": count("fault", "converged"),
        "bad inputs refused": count("bad_input", "refused"),
        "writes after bad input": sum(r.get("writes") or 0 for r in rows if r["suite"] == "bad_input"),
        "hostile answers reported as errors": count("hostile_answer", "error"),
        "concurrency cases held": count("concurrency", "ok"),
        "secret cases held": count("secrets", "ok"),
        "duplicates": sum(r.get("duplicates") or 0 for r in rows),
        "lost": sum(r.get("lost") or 0 for r in rows),
        "secret occurrences": sum(r.get("secrets") or 0 for r in rows),
        "FAILED records": sum(1 for r in rows if r["outcome"] == "FAILED"),
    }


def _cell(value):
    if value is None:
        return "-"
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(rows, today):
    """The Markdown text of the report."""
    figures = totals(rows)
    lines = ["# Reliability of filefleet.office", "",
             "Generated on %s by `tests/reliability_report.py` from the records the test suite wrote during "
             "`make test` (tests/reliability_log.py). Do not edit by hand." % today, "",
             "What the suites prove, as issue 10 puts it: a transient fault within the retry budget is survived on "
             "the first run, anything else fails with an error naming the operation and the cause and a rerun "
             "converges; bad input is refused before any write; an answer that is not the API's is an error, "
             "never an empty success; no object is duplicated or lost; no secret shows in any encoding.", "",
             "## Totals", "", "| figure | value | must be |", "|---|---:|---|"]
    for name, value in figures.items():
        lines.append("| %s | %d | %s |" % (name, value, "0" if name in MUST_BE_ZERO else ""))
    lines.append("")
    for suite in reliability_log.SUITES:
        suite_rows = sorted((r for r in rows if r["suite"] == suite),
                            key=lambda r: (r["case"], r["module"], r.get("mode") or ""))
        lines += ["## %s" % TITLES[suite], ""]
        if not suite_rows:
            lines += ["No records.", ""]
            continue
        outcomes = {}
        for row in suite_rows:
            outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
        lines += ["%d cases: %s." % (len(suite_rows), ", ".join("%s %d" % item for item in sorted(outcomes.items()))),
                  "", "| case | module | mode | outcome | retries | requests | writes | duplicates | lost | secrets |",
                  "|---|---|---|---|---:|---:|---:|---:|---:|---:|"]
        for row in suite_rows:
            lines.append("| %s |" % " | ".join(_cell(row.get(key)) for key in (
                "case", "module", "mode", "outcome", "retries", "requests", "writes", "duplicates", "lost",
                "secrets")))
        lines.append("")
    return "\n".join(lines)


def problems(rows):
    """Why the suite's promise did not hold (empty when it held)."""
    found = []
    if not rows:
        found.append("no reliability records (run the test suite first)")
    figures = totals(rows)
    for name in MUST_BE_ZERO:
        if figures[name]:
            found.append("%s: %d (must be 0)" % (name, figures[name]))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", default=reliability_log.RECORD_DIR, help="directory of the *.jsonl records")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="the Markdown file to write")
    args = parser.parse_args(argv)
    rows = reliability_log.load(args.records)
    text = render(rows, datetime.date.today().isoformat())
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(text)
    found = problems(rows)
    for problem in found:
        print("reliability report: %s" % problem, file=sys.stderr)
    print("reliability report: %d records, written to %s" % (len(rows), args.output))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
