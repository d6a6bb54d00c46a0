# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exact keys of results and diffs of the modules that handle secrets, in both execution modes.

Ansible's no_log masking would hide a password that a module put in its result or diff (the text is absent
either way), so these tests do not look for the text: they assert exactly which keys a result, its object and its
diff have, and the module's own masked markers. A secret that reached a result under any key fails here."""

import hashlib

from integration_support import cloutility_env, playbook_path, portal_env, run_playbook

PASSWORDS = {"user_password": "Initial-Pass-123!", "new_password": "Second-Pass-456!", "passphrase": "Backup-Phrase-789!"}
USER_KEYS = {"name", "email", "first_name", "last_name", "role", "company", "comment", "password_change", "uid", "tenant"}
BACKUP_KEYS = {"configured", "state", "status", "run", "progress", "encryption_mode", "last_successful_backup"}
NODE_KEYS = {"activated", "activated_date", "business_unit", "business_unit_id", "client_option_set", "consumer_id",
             "consumer_name", "contact", "cpu_count", "created_date", "decommissioned", "domain", "id",
             "last_access_time", "node_name", "node_type", "operating_system", "proxy_agents", "proxy_targets",
             "registered_time", "tsm_node_id", "tsm_password"}
NO_LOG_MARK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def without_invocation(result):
    """The module's own keys (ansible-core adds ``invocation`` with every no_log argument masked)."""
    invocation = result.get("invocation", {}).get("module_args", {})
    for option in ("password", "portal_password", "edge_password", "passphrase"):
        assert invocation.get(option) in (None, NO_LOG_MARK), option
    return set(result) - {"invocation", "_ansible_no_log"}


def test_exact_result_and_diff_shapes(sims, execution_mode):
    suffix = execution_mode.replace("_", "")
    env = dict(portal_env(sims))
    env.update(cloutility_env(sims))
    edge = sims.info["edges"][3]
    variables = dict(PASSWORDS, user="shape-%s" % suffix, edge=edge, workstation="shape-ws-%s" % suffix,
                     node_name="SHAPE_%s" % suffix.upper())
    run = run_playbook(playbook_path("result_shapes.yml"), extra_vars=variables, env=env, diff=True)
    assert run.rc == 0, run.output()[-3000:]

    created = run.result("User created with a password")
    assert without_invocation(created) == {"changed", "user", "diff"}
    assert set(created["user"]) == USER_KEYS
    assert created["diff"]["before"] == {}
    assert set(created["diff"]["after"]) == USER_KEYS | {"password"}
    assert created["diff"]["after"]["password"] == "******** (changed)"

    renewed = run.result("User given a new password")
    assert without_invocation(renewed) == {"changed", "user", "diff"} and renewed["changed"] is True
    assert set(renewed["user"]) == USER_KEYS
    assert renewed["diff"] == {"before": {"password": "********"}, "after": {"password": "******** (changed)"}}

    backup = run.result("Backup configured with a passphrase")
    assert without_invocation(backup) == {"changed", "backup", "diff"}
    assert set(backup["backup"]) == BACKUP_KEYS
    assert backup["diff"] == {"before": {"state": "not_configured"}, "after": {"state": "enabled"}}

    # The node results are censored for display; their shapes come from a debug task that never shows the password.
    for task in ("Node activated, password asked for", "Node read back, password asked for"):
        assert set(run.result(task)) == {"_ansible_no_log", "changed", "censored"}, task
    shapes = run.result("Shapes of the node results (never the password itself)")["msg"]
    assert set(shapes["node_result_keys"]) == {"changed", "diff", "failed", "node"}
    assert set(shapes["node_keys"]) == NODE_KEYS
    assert shapes["node_diff"]["before"] == {}
    assert set(shapes["node_diff"]["after"]) == NODE_KEYS and shapes["node_diff"]["after"]["tsm_password"] == "********"
    assert set(shapes["nodes_result_keys"]) == {"business_unit", "changed", "failed", "nodes"}
    stored = [c["node"]["tsmPassword"] for c in sims.state(sims.info["cloutility"])["consumers"].values()
              if c["name"] == variables["workstation"]]
    digest = hashlib.sha256(stored[0].encode()).hexdigest()
    assert shapes["node_password_sha256"] == digest
    assert digest in shapes["nodes_password_sha256"]
    for keys in shapes["nodes_keys"]:
        assert set(keys) == NODE_KEYS
    output = run.output()
    for secret in list(PASSWORDS.values()) + stored:
        assert secret not in output
