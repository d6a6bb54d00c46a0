# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_portal_users.py (see README.md; docs/mutation/portal.md)."""

ENTRIES = (
    ("_portal_users.x_desired_password_change", (36,),
     "'current_date < limit' instead of '<=': at equality both branches return the same date (the current one is "
     "the limit)"),
    ("_portal_users.x_name_of_ref", (5, 12),
     "rsplit('/') / rsplit('/', 2) instead of rsplit('/', 1): the last element is the same whatever the maxsplit"),
    ("_portal_users.x_uid_from_reference", (5,),
     "reference or 'XXXX': 'XXXX' is no objs/<uid>/... reference either, the answer stays None"),
    ("_portal_users.xǁGroupDirectoryǁ__init__", (3, 4),
     "self.reads = None / 1: the attribute is never read anywhere (dead attribute)"),
    ("_portal_users.xǁGroupDirectoryǁset_groups", (27,), "update(add=None) instead of False: update only tests its truth"),
    ("_portal_users.xǁGroupDirectoryǁupdate", (62,),
     "users.discard(None): None is never a member; the case-insensitive loop right after removes the exact name too"),
)
