# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-file summary of a mutmut 3 run: mutants, killed, survived, timeouts, no tests, kill rate, survivors.

Usage: report.py STAGE_DIR [FILE ...]   (STAGE_DIR holds mutants/, see run.py)
Reads mutmut's own result files (mutants/<path>.meta).  The kill rate counts timeouts as
killed (the mutant made the tests hang; mutmut does the same) and every other non-killed
outcome (survived, no tests, suspicious, skipped) as not killed; mutants not run (outside ``--only`` or
an interrupted run) are counted apart and left out of the rate.
"""

from __future__ import annotations

import json
import os
import sys

COLL = os.path.join("ansible_collections", "filefleet", "office")
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def main(argv):
    stage = argv[1]
    files = argv[2:]
    base = os.path.join(stage, "mutants", COLL, "plugins", "module_utils")
    if not files:
        files = sorted(n[:-len(".meta")] for n in os.listdir(base) if n.endswith(".py.meta"))
    rows = []
    survivors = []
    totals = [0, 0, 0, 0, 0, 0]
    for name in files:
        meta_path = os.path.join(base, name + ".meta")
        if not os.path.exists(meta_path):
            print("%s: not measured (no %s)" % (name, meta_path))
            continue
        with open(meta_path) as f:
            codes = json.load(f)["exit_code_by_key"]
        # mutants run, killed, survived, timeout, no tests, not run (outside --only, or interrupted)
        counts = [0, 0, 0, 0, 0, 0]
        for key, code in sorted(codes.items()):
            if code is None:
                counts[5] += 1
                continue
            counts[0] += 1
            if code in KILLED:
                counts[1] += 1
            elif code in SURVIVED:
                counts[2] += 1
                survivors.append((key, "survived"))
            elif code in TIMEOUT:
                counts[3] += 1
            elif code in NO_TESTS:
                counts[4] += 1
                survivors.append((key, "no tests"))
            else:  # suspicious, segfault, ...: not killed
                counts[4] += 1
                survivors.append((key, "exit code %s" % code))
        rows.append((name, counts))
        totals = [a + b for a, b in zip(totals, counts)]
    header = "%-26s %8s %7s %9s %8s %9s %8s %10s" % (
        "file", "mutants", "killed", "survived", "timeout", "no tests", "not run", "kill rate")
    print(header)
    print("-" * len(header))
    for name, c in rows + [("total", totals)]:
        rate = 100.0 * (c[1] + c[3]) / c[0] if c[0] else 100.0
        print("%-26s %8d %7d %9d %8d %9d %8d %9.1f%%" % (name, c[0], c[1], c[2], c[3], c[4], c[5], rate))
    print()
    print("survivors (%d); `cd %s && mutmut show %sNAME` shows the diff:"
          % (len(survivors), stage, COLL.replace(os.sep, ".") + ".plugins.module_utils."))
    prefix = COLL.replace(os.sep, ".") + ".plugins.module_utils."
    for key, why in survivors:
        print("  %-10s %s" % (why, key[len(prefix):] if key.startswith(prefix) else key))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
