# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/reliability_report.py: totals, the exit status and a stable output, on records written to tmp_path."""

import json

import reliability_report


def write(tmp_path, rows):
    records = tmp_path / "records"
    records.mkdir(exist_ok=True)
    with open(str(records / "gw0.jsonl"), "w", encoding="utf-8") as handle:
        for row in rows:
            full = {"suite": "fault", "case": "c", "module": "m", "outcome": "survived", "retries": 1, "requests": 2,
                    "writes": 0, "duplicates": 0, "lost": 0, "secrets": 0, "detail": "", "mode": "in_process"}
            full.update(row)
            handle.write(json.dumps(full) + "\n")
    return str(records)


def report(tmp_path, rows):
    out = tmp_path / "reliability.md"
    status = reliability_report.main(["--records", write(tmp_path, rows), "--output", str(out)])
    return status, out.read_text(encoding="utf-8")


def test_totals_and_a_passing_report(tmp_path):
    rows = [{"case": "b"}, {"case": "a", "outcome": "converged"},
            {"suite": "bad_input", "case": "x", "outcome": "refused"},
            {"suite": "hostile_answer", "case": "h", "outcome": "error"},
            {"suite": "secrets", "case": "s", "outcome": "ok", "secrets": 0}]
    status, text = report(tmp_path, rows)
    assert status == 0
    assert "| faults survived on the first run | 1 |" in text and "| faults converged on rerun | 1 |" in text
    assert "| bad inputs refused | 1 |" in text and "| hostile answers reported as errors | 1 |" in text
    # Sorted by case: a before b, whatever order the records came in.
    assert text.index("| a | m |") < text.index("| b | m |")
    assert report(tmp_path, list(reversed(rows)))[1] == text


def test_a_must_be_zero_total_or_a_failed_record_fails_the_report(tmp_path):
    for row in ({"duplicates": 1}, {"lost": 2}, {"suite": "secrets", "outcome": "ok", "secrets": 1},
                {"suite": "bad_input", "outcome": "refused", "writes": 1}, {"outcome": "FAILED"}):
        status, _text = report(tmp_path, [row])
        assert status == 1, row


def test_no_records_is_a_failure(tmp_path):
    status, text = report(tmp_path, [])
    assert status == 1 and "No records." in text
