# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_cloutility.py (see README.md; measured in docs/mutation/cloutility.md
and by the s3 session's runs of the resolvers and the waiter)."""

CACHE_KEY = ("a cache key renamed: the session's cached lists keep distinct keys ('tree', 'os', 'nodetypes', "
             "('domains', bid), ('optionsets', bid)), so each list is still read once and never answers for another")

ENTRIES = (
    ("_cloutility.x_cloutility_argument_spec", (73,),
     "no_log=False left out on cloutility_client_id: absent is false, and the name matches no pattern of "
     "ansible-core's 'no_log not set' warning"),
    ("_cloutility.x__decode", (2,),
     "'not text and not text.strip()': a blank text then fails json.loads, which also gives None"),
    ("_cloutility.xǁCloutilitySessionǁ__init__", (34,),
     "retries not passed on to HttpClient: its default is 3 like the session's, and no caller passes retries"),
    ("_cloutility.xǁCloutilitySessionǁ__init__", (38,),
     "first access token '' instead of None: the first call then renews, which without a refresh token is the "
     "same single password grant"),
    ("_cloutility.xǁCloutilitySessionǁ__init__", (39,), "first refresh token '' instead of None: only tested for truth"),
    ("_cloutility.xǁCloutilitySessionǁ__init__", (40, 41),
     "_stale_at None or 1.0 before a grant: only read once a grant has set it"),
    ("_cloutility.xǁCloutilitySessionǁ__init__", (56, 59), "the grant counters start at 1: nothing reads them"),
    ("_cloutility.xǁCloutilitySessionǁ_grant", (4, 5, 6),
     "the grant counter set, decreased or raised by 2: nothing reads it, and its keys are the only two grant types"),
    ("_cloutility.xǁCloutilitySessionǁ_grant", (25,), "_headers(authorized=None) instead of False: only tested for truth"),
    ("_cloutility.xǁCloutilitySessionǁ_grant", (74, 76, 77),
     "the text of a refused refresh grant: renew, its only caller, catches the refusal and falls back to the "
     "password grant, so the text is never shown"),
    ("_cloutility.xǁCloutilitySessionǁcall", (10,),
     "attempts (1, 3) instead of (1, 2): only attempt == 1 is tested, and 3 is not 1 like 2"),
    ("_cloutility.xǁCloutilitySessionǁclose", (2,), "refresh token '' instead of None: only tested for truth"),
    ("_cloutility.xǁCloutilitySessionǁrenew", (10,), "refresh token '' instead of None: only tested for truth"),
    ("_cloutility.xǁCloutilitySessionǁdomains", (7, 8), CACHE_KEY),
    ("_cloutility.xǁCloutilitySessionǁclient_option_sets", (7, 8), CACHE_KEY),
    ("_cloutility.xǁCloutilitySessionǁnode_types", (1, 7, 8), CACHE_KEY),
    ("_cloutility.xǁCloutilitySessionǁoperating_systems", (1, 7, 8), CACHE_KEY),
    ("_cloutility.xǁCloutilitySessionǁresolve_bunit", (52, 54, 57),
     "the default of the top business unit's name: bunit_tree refuses a tree whose top has no name, so it is "
     "never used"),
)
