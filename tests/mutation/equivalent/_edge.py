# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_edge.py (see README.md; measured in docs/mutation/edge.md and by the
s3 session's whole-file run)."""

UPPER = "HttpClient.request upper-cases the method before it chooses retries or sends it"

ENTRIES = (
    ("_edge.x_edge_session", (5,), "getattr(module, 'check_mode', None): bool(None) is False like the default"),
    ("_edge.x_edge_session", (11,),
     "default True for check_mode: every module object (AnsibleModule, FilefleetModule, ModuleDouble) has "
     "check_mode, so the default is never used"),
    ("_edge.x_edge_session", (74,),
     "the NotReadyYet of a real run without its warning: the warning is read only in check mode "
     "(Resource.read_or_assume re-raises first otherwise), and check mode stores its own NotReadyYet"),
    ("_edge.xǁEdgeSessionǁ__init__", (34,), "current_user '' instead of None before a login: nothing reads it"),
    ("_edge.xǁEdgeSessionǁ_login_once", (18, 104), UPPER),
    ("_edge.xǁEdgeSessionǁfactory_fresh", (7,), UPPER),
    ("_edge.xǁEdgeSessionǁ_bootstrap_get", (7,), UPPER),
    ("_edge.xǁEdgeSessionǁ_is_expired", (18,),
     "a redirect without Location read as 'XXXX' instead of '': no host and no 'login' in the path either way, so "
     "not an expired session"),
    ("_edge.xǁEdgeSessionǁ_login_once", (64, 117), "check_answer(require_body=None) instead of False: only its truth is read"),
    ("_edge.xǁ_ExpiredDuringLoginǁ__init__", (2, 4),
     "the internal exception's text None or empty: it is never shown; _login builds the SessionExpired message from "
     "its step attribute"),
    ("_edge.x_firmware_tuple", (5,),
     "no version read as 'XXXX' instead of '': one part without digits either way, so (0,) either way"),
    ("_edge.xǁEdgeSessionǁwait_task", (11,), "task '' instead of None before the loop: assigned before any read"),
    ("_edge.xǁEdgeSessionǁ_logout", (10,), UPPER),
    ("_edge.xǁEdgeSessionǁ_logout", (4, 8),
     "idempotent None or left out on the logout POST: HttpClient then takes it from the method, False for POST, the "
     "same value"),
)
