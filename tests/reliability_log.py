# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records of the reliability suite (issue 10), written by the tests and turned into docs/reliability.md by
tests/reliability_report.py after pytest in ``make test``.

Each test that proves a reliability promise calls ``record(...)`` once per case. Records are JSON lines in
``build/reliability/<worker>.jsonl`` (one file per pytest-xdist worker, so parallel workers never interleave).

Fields:
  suite      "fault", "bad_input", "hostile_answer", "concurrency" or "secrets"
  case       a short unique name of the case (e.g. "502 burst on POST /admin/api/login")
  module     the module or role under test (e.g. "ctera_user", "role:office_onboarding")
  outcome    "survived" (a fault, the first run succeeded), "converged" (the first run failed with a clear error,
             the rerun converged), "refused" (bad input refused with a clear message), "error" (a hostile answer
             reported as an error), "ok" (concurrency/secrets case held), or "FAILED" (the promise broke; the test
             itself fails too)
  retries    requests the client repeated (from the simulators' counters), or None
  requests   requests the simulators answered during the case, or None
  writes     writes the simulators accepted during the case that should not have happened (bad input: any write)
  duplicates objects found twice in simulator state after the case
  lost       objects missing from simulator state after the case
  secrets    occurrences of a secret (any encoding) in the case's output
  detail     free text (the error message, the mode)
"""

import json
import os

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS_DIR)
RECORD_DIR = os.environ.get("FILEFLEET_RELIABILITY_DIR", os.path.join(ROOT, "build", "reliability"))
SUITES = ("fault", "bad_input", "hostile_answer", "concurrency", "secrets")
OUTCOMES = ("survived", "converged", "refused", "error", "ok", "FAILED")


def record(suite, case, module, outcome, retries=None, requests=None, writes=0, duplicates=0, lost=0, secrets=0,
           detail="", mode=None):
    """Append one record of the reliability suite (see the module docstring)."""
    if suite not in SUITES:
        raise ValueError("suite %r is not one of %s" % (suite, SUITES))
    if outcome not in OUTCOMES:
        raise ValueError("outcome %r is not one of %s" % (outcome, OUTCOMES))
    os.makedirs(RECORD_DIR, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if mode is None:
        mode = _current_mode()
    row = {"suite": suite, "case": case, "module": module, "outcome": outcome, "retries": retries,
           "requests": requests, "writes": writes, "duplicates": duplicates, "lost": lost, "secrets": secrets,
           "detail": str(detail)[:300], "mode": mode}
    with open(os.path.join(RECORD_DIR, "%s.jsonl" % worker), "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, sort_keys=True) + "\n")


def _current_mode():
    """The execution mode of the running integration test ("in_process", "module"), "" outside them."""
    try:
        import integration_support  # pylint: disable=import-outside-toplevel
    except ImportError:
        return ""
    flag = integration_support.EXECUTION_MODE_ENV.get("FILEFLEET_OFFICE_IN_PROCESS", "")
    return {"1": "in_process", "0": "module"}.get(flag, "")


def load(record_dir=RECORD_DIR):
    """Every record written so far, in file order."""
    rows = []
    if not os.path.isdir(record_dir):
        return rows
    for name in sorted(os.listdir(record_dir)):
        if name.endswith(".jsonl"):
            with open(os.path.join(record_dir, name), encoding="utf-8") as handle:
                rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def clear(record_dir=RECORD_DIR):
    """Remove the records of an earlier run (called once at the start of a pytest session)."""
    if os.path.isdir(record_dir):
        for name in os.listdir(record_dir):
            if name.endswith(".jsonl"):
                os.remove(os.path.join(record_dir, name))
