# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_edge_device.py (see README.md; measured in docs/mutation/edge.md)."""

ENTRIES = (
    ("_edge_device.xǁSetupSessionǁcreate_first_user", (10,),
     "'post': HttpClient.request upper-cases the method before sending or choosing retries, and open_call's retry "
     "choice compares with 'GET' (false for both spellings)"),
    ("_edge_device.xǁSetupSessionǁopen_call", (10,),
     "idempotent=None: HttpClient then decides by method (GET retried, POST not), the same for the only two methods "
     "open_call is given"),
    ("_edge_device.xǁSetupSessionǁopen_call", (22, 26),
     "the re-raised TransportError without its status: HttpClient raises TransportError (and TLSError) with no "
     "status, so it is None either way"),
    ("_edge_device.xǁSetupSessionǁopen_call", (44,),
     "redact(message) also for an empty message: message is None then (`or None`), and the redactor gives None back "
     "for None"),
    ("_edge_device.xǁSetupSessionǁopen_call", (62,),
     "from_xml also for an empty body: from_xml gives None for an empty body, the value the branch returns"),
)
