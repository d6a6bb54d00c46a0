# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_edge_status.py (see README.md; measured in docs/mutation/edge.md)."""

ENTRIES = (
    ("_edge_status.x_backup_info", (3,),
     "a status that is no dict kept as is: backup_view checks it again (not configured), and backup_running, the "
     "only other reader, is called only for a configured backup"),
    ("_edge_status.x_backup_info", (25, 26),
     "the 'enabled' key of the state -> suspended map misspelt: .get's default False is the same value"),
)
