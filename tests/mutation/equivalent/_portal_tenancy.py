# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_portal_tenancy.py (see README.md; docs/mutation/portal.md)."""

ENTRIES = (
    ("_portal_tenancy.x_wait_for_task", (4,), "task = None before the loop: task is assigned before its first use"),
    ("_portal_tenancy.x_wait_for_task", (32,),
     "split('XX/XX'): the whole reference becomes path()'s first segment, which join_url splits on '/' itself, each "
     "part checked and encoded the same; only an empty segment ('//') would be dropped, and a portal task reference "
     "(servers/<server>/bgTasks/<id>, cterasdk's AwaitablePortalTask) has none"),
    ("_portal_tenancy.x_wait_for_task", (31,),
     "strip('XX/XX') also strips 'X' at the ends: a portal task reference (servers/<server>/bgTasks/<id>) starts "
     "with 'servers' or '/' and ends with the task id's digits"),
    ("_portal_tenancy.x_owner_uid", (12,), "owner or 'XXXX': 'XXXX' holds no number either, the answer stays None"),
)
