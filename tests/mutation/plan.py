# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``make mutation`` (all.py) runs: for each file of plugins/module_utils/, the unit tests that cover it.

PLAN: file -> the unit test files run against each of its mutants (in one process, stopping at the first
failure; integration tests run ansible-playbook in subprocesses and never see a mutant, so they are not listed).
CRITICAL: file -> globs of the functions whose survivors must be zero (TLS, secrets, check mode, idempotency,
paging); mutmut spells methods ``xǁClassǁmethod`` and functions ``x_function``.
EQUIVALENT: mutant (as report.py prints it, e.g. ``_http.xǁHttpClientǁ__init____mutmut_7``) -> why it has no
observable effect. A survivor listed here still counts as not killed in the rate.
"""

U = "tests/unit/"

PLAN = {
    "_cloutility.py": [U + t for t in ("test_mutation_kills_cloutility.py", "test_cloutility_client.py",
                                       "test_client_reliability_logic.py", "test_hostile_answer_logic.py",
                                       "test_mutation_kills_connection_options.py")],
    "_cloutility_resources.py": [U + t for t in ("test_mutation_kills_cloutility_resources.py",
                                                 "test_cloutility_resources.py", "test_cloutility_fidelity_logic.py")],
    "_common.py": [U + t for t in ("test_mutation_kills_common.py", "test_mutation_kills_http_common.py",
                                   "test_mutation_kills_connection_options.py", "test_mutation_kills_validate.py",
                                   "test_argument_properties.py")],
    "_ctera_xml.py": [U + t for t in ("test_mutation_kills_ctera_xml.py", "test_ctera_xml.py")],
    "_edge.py": [U + t for t in ("test_mutation_kills_edge_session.py", "test_edge_session.py",
                                 "test_mutation_kills_connection_options.py", "test_engine_not_ready.py",
                                 "test_edge_fidelity_logic.py")]
    + [U + "test_client_reliability_logic.py::" + t for t in (
        "test_edge_login_is_retried_on_gateway_errors_and_drops", "test_edge_wrong_password_costs_exactly_one_attempt",
        "test_edge_session_expiring_before_the_migrate_token_is_renewed_once",
        "test_a_base64_credential_echoed_in_an_error_body_is_redacted")],
    "_edge_device.py": [U + t for t in ("test_mutation_kills_edge_device.py", "test_edge_device_resources.py")],
    "_edge_portal.py": [U + t for t in ("test_mutation_kills_edge_portal.py",)],
    "_edge_shares.py": [U + t for t in ("test_mutation_kills_edge_shares.py", "test_edge_share_logic.py",
                                        "test_edge_fidelity_logic.py", "test_edge_resources.py")],
    "_edge_status.py": [U + t for t in ("test_mutation_kills_edge_status.py", "test_edge_fidelity_logic.py",
                                        "test_edge_resources.py")],
    "_engine.py": [U + t for t in ("test_mutation_kills_engine.py", "test_engine.py", "test_engine_not_ready.py",
                                   "test_concurrent_create_logic.py")],
    "_http.py": [U + t for t in ("test_mutation_kills_http_client.py", "test_mutation_kills_http.py", "test_http.py",
                                 "test_hostile_answer_logic.py", "test_client_reliability_logic.py")],
    "_portal.py": [U + t for t in ("test_mutation_kills_portal.py", "test_mutation_kills_connection_options.py")],
    "_portal_tenancy.py": [U + t for t in ("test_mutation_kills_portal_tenancy.py", "test_tenant_change_logic.py")],
    "_portal_users.py": [U + t for t in ("test_mutation_kills_portal_user_options.py",
                                         "test_mutation_kills_portal_users.py", "test_portal_users_logic.py")],
    "_transfer.py": [U + t for t in ("test_transfer_blocks.py", "test_mutation_kills_transfer.py",
                                     "test_mutation_kills_transfer_direct.py", "test_mutation_kills_transfer_portal.py")],
    "_validate.py": [U + t for t in ("test_mutation_kills_validate.py",)],
}

CRITICAL = {}

EQUIVALENT = {}
