#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print one closing line for ``make test`` from pytest's JUnit XML: ``tests: N passed, N failed, N skipped``."""

import sys
import xml.etree.ElementTree as ET  # our own pytest output, not untrusted input


def main(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    print("tests: %d passed, %d failed, %d skipped" % (total - failed - skipped, failed, skipped))
    return 1 if failed or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
