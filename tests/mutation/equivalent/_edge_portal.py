# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_edge_portal.py (see README.md; measured in docs/mutation/edge.md)."""

ENTRIES = (
    ("_edge_portal.x_certificate_verified", (6,),
     "partition(':') for rpartition(':'): only taken when the server holds exactly one ':', where both split alike"),
    ("_edge_portal.x_certificate_verified", (12,), "the unused separator (_sep) of a server without a port is 'XXXX'"),
    ("_edge_portal.x_certificate_verified", (13,),
     "port 'XXXX' for a server without a port: not digits, so port 443 and the whole server as host, like ''"),
    ("_edge_portal.x_license_name", (7, 8),
     "the test for 'NA' misspelt: 'NA' does not start with 'vGateway', so the next test returns None for it too"),
)
