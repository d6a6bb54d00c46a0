#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every benchmark in turn; each prints its own numbers (``make benchmarks``)."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

BENCHMARKS = [
    ("Portal users (ctera_user)", ["bench_portal_users.py"]),
    ("Edge Filer fleet (ctera_share + edge_sync)", ["bench_edge_fleet.py", "25", "100"]),
    ("Office onboarding (office_onboarding role)", ["bench_office.py"]),
    ("Soak: fleet of 300 filers with 1% transient errors", ["bench_soak.py"]),
]


def main():
    failed = 0
    for title, argv in BENCHMARKS:
        print("== %s" % title, flush=True)
        code = subprocess.call([sys.executable, os.path.join(HERE, argv[0])] + argv[1:])
        if code:
            print("   (exited %d)" % code)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
