# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``make mutation`` (all.py) runs: for each file of plugins/module_utils/, the unit tests that cover it.

PLAN: file -> the unit test files run against each of its mutants (in one process, stopping at the first
failure; integration tests run ansible-playbook in subprocesses and never see a mutant, so they are not listed).
CRITICAL: file -> globs of the functions whose survivors must be zero (TLS, secrets, check mode, idempotency,
paging); mutmut spells methods ``xǁClassǁmethod`` and functions ``x_function``.
EQUIVALENT: mutant (as report.py prints it, e.g. ``_http.xǁHttpClientǁ__init____mutmut_7``) -> why it has no
observable effect. A survivor listed here still counts as not killed in the rate. The reasons for _common, _engine,
_ctera_xml and _validate are below; those of the other files are in tests/mutation/equivalent/<file>.py, each a
tuple ``ENTRIES`` of (function as report.py prints it, mutant numbers, reason). Mutant numbers are mutmut's for
the file as it is: a change to the file renumbers its mutants, and its entries must be re-checked (all.py lists
the entries that name a killed mutant or none at all).
"""

import importlib.util
import os

U = "tests/unit/"

PLAN = {
    "_cloutility.py": [U + t for t in ("test_connection_spec_matches_docs.py", "test_mutation_kills_cloutility.py",
                                       "test_cloutility_client.py", "test_cloutility_fidelity_logic.py",
                                       "test_mutation_kills_connection_options.py", "test_mutation_kills_cloutility_late.py")],
    "_cloutility_resources.py": [U + t for t in ("test_mutation_kills_cloutility_resources.py",
                                                 "test_cloutility_resources.py", "test_cloutility_fidelity_logic.py",
                                                 "test_concurrent_create_logic.py")],
    "_common.py": [U + t for t in ("test_mutation_kills_common.py", "test_mutation_kills_http_common.py",
                                   "test_mutation_kills_connection_options.py", "test_mutation_kills_validate.py",
                                   "test_argument_properties.py")],
    "_ctera_xml.py": [U + t for t in ("test_mutation_kills_ctera_xml.py", "test_ctera_xml.py")],
    "_edge.py": [U + t for t in ("test_mutation_kills_edge_tasks.py", "test_connection_spec_matches_docs.py",
                                 "test_mutation_kills_edge_session.py", "test_edge_session.py",
                                 "test_mutation_kills_connection_options.py", "test_engine_not_ready.py",
                                 "test_edge_fidelity_logic.py")]
    + [U + "test_client_reliability_logic.py::" + t for t in (
        "test_edge_login_is_retried_on_gateway_errors_and_drops", "test_edge_wrong_password_costs_exactly_one_attempt",
        "test_edge_session_expiring_before_the_migrate_token_is_renewed_once",
        "test_a_base64_credential_echoed_in_an_error_body_is_redacted")],
    "_edge_device.py": [U + t for t in ("test_mutation_kills_edge_device.py", "test_edge_device_resources.py",
                                        "test_mutation_kills_edge_setup_answers.py")],
    "_edge_portal.py": [U + t for t in ("test_mutation_kills_edge_portal.py",)],
    "_edge_shares.py": [U + t for t in ("test_mutation_kills_edge_shares.py", "test_mutation_kills_edge_share_view.py", "test_edge_share_logic.py",
                                        "test_edge_fidelity_logic.py", "test_edge_resources.py")],
    "_edge_status.py": [U + t for t in ("test_mutation_kills_edge_status.py", "test_edge_fidelity_logic.py",
                                        "test_edge_resources.py")],
    "_engine.py": [U + t for t in ("test_mutation_kills_engine.py", "test_engine.py", "test_engine_not_ready.py",
                                   "test_concurrent_create_logic.py", "test_engine_resend_logic.py")],
    "_http.py": [U + t for t in ("test_mutation_kills_http_request.py", "test_mutation_kills_http_answers.py",
                                 "test_mutation_kills_http_client.py", "test_mutation_kills_http.py", "test_http.py",
                                 "test_mutation_kills_cloutility.py")],
    "_portal.py": [U + t for t in ("test_connection_spec_matches_docs.py", "test_mutation_kills_portal.py",
                                   "test_mutation_kills_connection_options.py", "test_mutation_kills_portal_late.py")],
    "_portal_tenancy.py": [U + t for t in ("test_mutation_kills_portal_tenancy.py", "test_tenant_change_logic.py",
                                           "test_mutation_kills_portal_late.py")],
    "_portal_users.py": [U + t for t in ("test_mutation_kills_portal_user_options.py",
                                         "test_mutation_kills_portal_users.py", "test_portal_users_logic.py")],
    "_transfer.py": [U + t for t in ("test_transfer_blocks.py", "test_mutation_kills_transfer.py", "test_mutation_kills_transfer_late.py",
                                     "test_mutation_kills_transfer_direct.py", "test_mutation_kills_transfer_portal.py")],
    "_validate.py": [U + t for t in ("test_mutation_kills_validate.py",)],
}

# TLS (certificate checks and their options), secrets (redaction, masking, no_log), check mode and idempotency
# (the engine's plan and compare, normalisation that decides "changed"), paging (every listing the collection reads).
CRITICAL = {
    "_cloutility.py": ["x_cloutility_argument_spec", "x_cloutility_session", "x*ǁlist", "x*ǁ_grant", "x*ǁlogin",
                       "x*ǁ__init__"],
    "_common.py": ["x_secret_fingerprint", "x*ǁFilefleetModuleǁ*"],
    "_edge.py": ["x_edge_argument_spec", "x_edge_session", "x*ǁEdgeSessionǁ__init__", "x*ǁEdgeSessionǁ*login*",
                 "x*ǁEdgeSessionǁfactory_fresh"],
    "_edge_portal.py": ["x_certificate_verified"],
    "_edge_shares.py": ["x_ace_from_obj", "x_ace_to_obj", "x_nfs_*", "x_share_view", "x_*compare*", "x_*normal*"],
    "_engine.py": ["*"],
    "_http.py": ["x*ǁRedactorǁ*", "x*ǁHttpClientǁ__init__", "x*ǁHttpClientǁclone", "x*ǁHttpClientǁraise_for_status",
                 "x*ǁHttpClientǁ_short", "x__verification_failed"],
    "_portal.py": ["x_tls_argument_spec", "x_portal_argument_spec", "x_portal_session", "x*ǁCteraXmlSessionǁquery",
                   "x*ǁPortalSessionǁ_login", "x*ǁPortalSessionǁ__init__"],
    "_portal_tenancy.py": ["x_query_all", "x_zone_members"],
    "_portal_users.py": ["x_read_members", "x*ǁGroupDirectoryǁload", "x_list_users"],
    "_transfer.py": ["x*ǁCloudFilesǁ_api", "x*ǁCloudFilesǁ_storage_clients", "x*ǁCloudFilesǁ_fetch",
                     "x*ǁCloudFilesǁlistdir", "x*ǁCloudFilesǁwalk"],
}


def _equivalent(function, numbers, reason):
    return dict(("%s__mutmut_%d" % (function, n), reason) for n in numbers)


EQUIVALENT = {}
for _entry in (
    # _common.py
    ("_common.x__register_finalizer", (1, 2), "append(None)/append(False): any element makes the list true"),
    ("_common.x__register_finalizer", (8,), "exit priority 51 instead of 50: any priority runs at exit; nothing else "
                                            "depends on the order"),
    ("_common.x_secret_fingerprint", (6,), "codec name 'UTF-8': codec names are case-insensitive"),
    ("_common.x_secret_fingerprint", (8,), "another separator: fingerprints are only compared within one run"),
    ("_common.xǁSessionScopeǁ__init__", (6,), "getattr(..., None): only its truth is read, None is false like the default"),
    ("_common.xǁFilefleetModuleǁ__init__", (15, 18, 21),
     "the default of getattr(_INVOCATION, 'loop'): invocation() always sets loop with args; without args the `and` stops"),
    ("_common.xǁFilefleetModuleǁ__init__", (49,), "False -> None for a flag only tested for truth"),
    ("_common.xǁFilefleetModuleǁ_set_internal_properties", (1, 2, 3, 4, 9, 10, 14, 15),
     "ansible-core calls it exactly once, without arguments: the defaults and the repeat guard never differ"),
    ("_common.xǁFilefleetModuleǁ_record_module_result", (9,), "the legacy encoder ignores the direction argument"),
    # _engine.py
    ("_engine.x_ensure", (1, 2), "the default state 'present' changed: only 'absent' is ever tested for, every caller "
                                 "passes state, any other default behaves as present"),
    ("_engine.x_plan", (1, 2), "the same default of plan()"),
    ("_engine.x_plan", (14,), "an absent plan's changes None instead of {}: a delete reads only 'before' and ensure "
                              "never returns the plan"),
    ("_engine.x_plan", (41, 43), "an unchanged plan's before/changes None: nothing reads them (no action, no diff)"),
    ("_engine.x_run_entries", (29,), "max_workers=None: each task still takes one of exactly `count` connections from "
                                     "a queue, so at most `count` run at once"),
    # _ctera_xml.py
    ("_ctera_xml.x__decode", (6,), "sniff(None) returns '' like the branch it replaces"),
    ("_ctera_xml.x_sniff", (2,), "sniff(None) returns 'XXXX': its only caller never passes None"),
    ("_ctera_xml.x__encode", (7,), "attrs = instead of += while attrs is still ''"),
    ("_ctera_xml.x_from_xml", (12,), "codec name 'UTF-8': codec names are case-insensitive"),
    # _validate.py
    ("_validate.x__scalar_error", (68,), "strip('XX ()XX'): only nan and inf reach it; their text has no X at either end"),
    ("_validate.x_check_base_url", (21,), "'HTTPS://' for a bare host: urlsplit lowercases the scheme, compared lowercased"),
    ("_validate.x_check_reference", (41,), "_shown(value, None) instead of False: both false"),
    ("_validate.x_number_text", (20, 21), "'<= 0' / '< 1' in a branch that only sees numbers of at least 10^15 in size"),
    ("_validate.x_text_problem", (12,), "'XX' added to the allowed characters: only characters below 32 are checked"),
):
    EQUIVALENT.update(_equivalent(*_entry))


def _load_entries(directory=os.path.join(os.path.dirname(os.path.abspath(__file__)), "equivalent")):
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".py") or name.startswith("__"):
            continue
        spec = importlib.util.spec_from_file_location("mutation_equivalent_" + name[:-3], os.path.join(directory, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for entry in module.ENTRIES:
            EQUIVALENT.update(_equivalent(*entry))


_load_entries()
