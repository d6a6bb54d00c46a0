# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make tests/ importable (``simulators``, ``helpers``) for every test directory."""

import os
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)


def pytest_sessionstart(session):
    """Start the reliability records (tests/reliability_log.py) afresh, once per run (not in xdist workers)."""
    if not hasattr(session.config, "workerinput"):
        import reliability_log  # pylint: disable=import-outside-toplevel
        reliability_log.clear()
