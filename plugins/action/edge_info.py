# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs filefleet.office.edge_info in-process on the controller (see plugins/plugin_utils/_inprocess.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.filefleet.office.plugins.plugin_utils._inprocess import InProcessAction as ActionModule  # noqa: F401 pylint: disable=unused-import
