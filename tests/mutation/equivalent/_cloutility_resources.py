# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_cloutility_resources.py (see README.md; measured in
docs/mutation/cloutility.md)."""

ENTRIES = (
    ("_cloutility_resources.x_marked_for_deletion", (10,),
     "a missing state read as 'XXXX' instead of '': neither is a deletion state"),
    ("_cloutility_resources.xǁNodePlanǁactivate", (25,),
     "a 409 without server message read as 'XXXX' instead of '': neither contains 'activated'"),
    ("_cloutility_resources.x_proxy_ids", (11,), "pick(casefold=None) instead of False: only tested for truth"),
    ("_cloutility_resources.x_proxy_view", (30,),
     "the sort key of a proxy without id 0 -> 1: the first key already puts those apart, and Cloutility ids are "
     "positive, so only a missing id (sorted by name) reaches it"),
    ("_cloutility_resources.x_read_node", (18,), "node = '' instead of None: the next line turns any non-dict into None"),
    ("_cloutility_resources.xǁNodePlanǁ_proxies", (65, 66, 67),
     "the stand-in of a missing consumer with 'consumerId' misspelt: proxy_view reads it with .get, None either way"),
    ("_cloutility_resources.x_keep_oldest", (19, 21),
     "ids sorted without key=int: they are JSON ints, which sort the same"),
    ("_cloutility_resources.x_keep_oldest", (49,),
     "params not copied into the delete's options: delete_consumer reads only delete_associations and "
     "deletion_comment, both set here"),
    ("_cloutility_resources.x_locate_consumer", (21, 31),
     "a single match also read through the 'full' branch: the same one read with missing_ok=False, the same result"),
    ("_cloutility_resources.x_new_consumer_view", (7, 11, 17, 18, 21, 22),
     "the prediction's embedded business unit dropped or misspelt: consumer_view takes the id from the resolved "
     "business unit (the same id) and the name from its path, which resolve_bunit always sets"),
    ("_cloutility_resources.x_validate_date", (31,), "[8:11] for [8:10]: DATE_RE makes the text exactly 10 characters"),
    ("_cloutility_resources.xǁNodePlanǁ__init__", (3, 6),
     "node/activating '' instead of None: read() sets node before any use; activating is only tested for truth"),
    ("_cloutility_resources.xǁNodePlanǁ_get", (4,), "read_node(missing_ok=None): read_node tests `not missing_ok`"),
)
