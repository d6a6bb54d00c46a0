# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests; the helpers live in integration_support (a unique module name, so
``from integration_support import run_playbook`` works whichever conftest pytest imported first)."""

from integration_support import sims  # noqa: F401  pylint: disable=unused-import
