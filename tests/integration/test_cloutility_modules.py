# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloutility_consumer(_info) and backup_node(_info) in real ansible-playbook runs against the Cloutility simulator.

Every effect is checked through the simulator's state (GET /_sim/state) or plain requests to its API, never
through the modules under test.
"""

import hashlib
import json
import uuid

import pytest
import requests

from integration_support import cloutility_env, playbook_path, run_playbook
from simulators.harness import Simulators

STOCKHOLM = 101
OSLO = 102
HR = 94


def clou(sims):
    return sims.info["cloutility"]


def state(sims):
    return sims.state(clou(sims))


def consumers_in(sims, bid, name=None):
    return sorted((c for c in state(sims)["consumers"].values()
                   if c["bunitId"] == bid and (name is None or c["name"] == name)), key=lambda c: c["id"])


def requests_by_route(sims):
    return sims.stats(clou(sims))["requests"]


def delta(before, after):
    return dict((k, after.get(k, 0) - before.get(k, 0)) for k in after if after.get(k, 0) != before.get(k, 0))


def api_token(sims):
    entry = clou(sims)
    response = requests.post(entry["url"] + "/v1/oauth", headers={"Origin": entry["origin"]}, verify=entry["ca_path"],
                             data={"client_id": entry["client_id"], "grant_type": "password",
                                   "username": entry["username"], "password": entry["password"]}, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


def api_create_consumer(sims, bid, name):
    """Set-up through the plain API (the modules never create duplicates)."""
    entry = clou(sims)
    response = requests.post("%s/v1/bunits/%d/consumers" % (entry["url"], bid), json={"name": name},
                             headers={"Origin": entry["origin"], "Authorization": "Bearer " + api_token(sims)},
                             verify=entry["ca_path"], timeout=10)
    response.raise_for_status()
    return response.json()["id"]


def consumer_run(name, step, env, **kwargs):
    """One step (tag) of playbooks/cloutility_consumer.yml: create, update, info or delete the consumer name."""
    return run_playbook(playbook_path("cloutility_consumer.yml"), env=env, tags=step,
                        extra_vars={"consumer": name, "stockholm_id": STOCKHOLM}, **kwargs)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def test_consumer_create_converge_update_delete_with_check_and_diff(sims):
    env = cloutility_env(sims)
    name = unique("LisasWS")
    check = consumer_run(name, "create", env, check=True, diff=True)
    assert check.rc == 0, check.output()
    assert check.changed() == 1 and consumers_in(sims, STOCKHOLM, name) == []
    assert check.result("Create")["diff"]["after"]["tags"] == ["stockholm", "workstation"]

    real = consumer_run(name, "create", env, diff=True)
    assert real.rc == 0 and real.changed() == check.changed(), real.output()
    [stored] = consumers_in(sims, STOCKHOLM, name)
    assert (stored["note"], stored["limitHighStorage"], stored["externalReference"]) == ("Lisa's workstation", 250.0, "CMDB-1")
    assert sorted(t["text"] for t in stored["tags"]) == ["stockholm", "workstation"]
    assert real.result("Create")["consumer"]["id"] == stored["id"]

    before = requests_by_route(sims)
    again = consumer_run(name, "create", env)
    assert again.rc == 0 and again.changed() == 0, again.output()
    used = delta(before, requests_by_route(sims))
    assert not [k for k in used if not k.startswith("GET ") and k != "POST /v1/oauth"], used
    assert sum(used.values()) == 4, used  # token, business unit tree, consumer list, consumer

    # Only the note is given: tags, limit and reference are not touched.
    check = consumer_run(name, "update", env, check=True, diff=True)
    assert check.rc == 0 and check.changed() == 1, check.output()
    assert consumers_in(sims, STOCKHOLM, name)[0]["note"] == "Lisa's workstation"
    assert check.result("Update")["diff"] == {"before": {"note": "Lisa's workstation"}, "after": {"note": "Lisa's laptop"}}
    real = consumer_run(name, "update", env, diff=True)
    assert real.rc == 0 and real.changed() == 1 and real.result("Update")["diff"] == check.result("Update")["diff"]
    [stored] = consumers_in(sims, STOCKHOLM, name)
    assert stored["note"] == "Lisa's laptop" and stored["limitHighStorage"] == 250.0
    assert stored["externalReference"] == "CMDB-1" and len(stored["tags"]) == 2

    info = consumer_run(name, "info", env)
    assert info.rc == 0 and [c["id"] for c in info.result("Info")["consumers"]] == [stored["id"]]

    check = consumer_run(name, "delete", env, check=True)
    assert check.rc == 0 and check.changed() == 1 and len(consumers_in(sims, STOCKHOLM, name)) == 1
    real = consumer_run(name, "delete", env)
    assert real.rc == 0 and real.changed() == 1 and consumers_in(sims, STOCKHOLM, name) == []
    logs = [e for e in state(sims)["auditLogs"] if e["consumerId"] == stored["id"] and e["type"] == 300]
    assert logs and "returned laptop" in logs[-1]["message"]
    assert consumer_run(name, "delete", env).changed() == 0


def nodes_run(workstation, fileserver, node_name, env, return_password=False, **kwargs):
    """playbooks/cloutility_backup_nodes.yml: the two consumers and their activated nodes."""
    variables = {"workstation": workstation, "fileserver": fileserver, "ws_node_name": node_name,
                 "fs_node_name": fileserver.upper().replace("-", "_"), "oslo_id": OSLO,
                 "return_password": return_password}
    return run_playbook(playbook_path("cloutility_backup_nodes.yml"), env=env, extra_vars=variables, **kwargs)


def node_change_run(workstation, fileserver, step, env, **kwargs):
    """One step (tag) of playbooks/cloutility_backup_node_changes.yml: rename, contact, nodes, unlink or delete."""
    return run_playbook(playbook_path("cloutility_backup_node_changes.yml"), env=env, tags=step,
                        extra_vars={"workstation": workstation, "fileserver": fileserver}, **kwargs)


def test_backup_node_create_activate_proxies_converge_and_delete(sims):
    env = cloutility_env(sims)
    workstation, fileserver = unique("ws"), unique("fs")
    node_name = "%s+&.x" % workstation.lower()  # legal SP characters that need URL encoding
    check = nodes_run(workstation, fileserver, node_name, env, check=True, diff=True)
    assert check.rc == 0, check.output()
    assert consumers_in(sims, OSLO, workstation) == [] and consumers_in(sims, OSLO, fileserver) == []

    real = nodes_run(workstation, fileserver, node_name, env, diff=True)
    assert real.rc == 0, real.output()
    assert real.changed() == check.changed() == 3  # two consumers (one loop task) and two nodes
    [ws] = consumers_in(sims, OSLO, workstation)
    [fs] = consumers_in(sims, OSLO, fileserver)
    node = ws["node"]
    assert node["tsmName"] == node_name.upper()
    assert (node["operatingSystemId"], node["typeId"], node["domainId"], node["clientOptionSetId"]) == (2, 2, 1, 2)
    assert (node["cpuCount"], node["contact"]) == (4, "lisa@example.com")
    assert fs["node"]["tsmName"] == fileserver.upper().replace("-", "_")
    assert fs["node"]["proxyTargets"] == [ws["id"]] and node["proxyAgents"] == [fs["id"]]
    assert node["tsmPassword"] not in real.output()
    # Check mode predicts the real run: a creation's diff is the whole node after (the engine's shape), with the
    # same keys in both runs and the same values for everything the task manages; no password in either.
    check_diff = check.result("Workstation node")["diff"]
    real_diff = real.result("Workstation node")["diff"]
    assert check_diff["before"] == real_diff["before"] == {}
    assert set(check_diff["after"]) == set(real_diff["after"])
    managed = ("activated", "node_name", "operating_system", "node_type", "domain", "client_option_set", "cpu_count",
               "contact", "proxy_agents", "proxy_targets", "consumer_name", "business_unit")
    assert dict((k, check_diff["after"][k]) for k in managed) == dict((k, real_diff["after"][k]) for k in managed)
    assert real_diff["after"]["node_name"] == node_name.upper() and real_diff["after"]["activated"] is True
    assert "tsm_password" not in real_diff["after"] and "tsm_password" not in check_diff["after"]

    # A second run, activation included, changes nothing and only reads.
    before = requests_by_route(sims)
    again = nodes_run(workstation, fileserver, node_name, env, return_password=True, verbosity=3)
    assert again.rc == 0 and again.changed() == 0, again.output()
    # return_password: the registered value is the real password, the displayed result is censored
    assert again.result("Password fingerprint")["msg"] == hashlib.sha256(node["tsmPassword"].encode()).hexdigest()
    assert again.result("Workstation password").get("censored")
    used = delta(before, requests_by_route(sims))
    assert not [k for k in used if not k.startswith("GET ") and k != "POST /v1/oauth"], used
    assert not [k for k in used if k.endswith("/activate")]
    node_requests = sum(v for k, v in used.items() if k.endswith("/node"))
    assert node_requests == 3, used  # one read per backup_node task
    assert node["tsmPassword"] not in again.output()  # -vvv does not show it either
    assert state(sims)["consumers"][str(ws["id"])]["node"] == dict(node)

    # Renaming an activated node is refused before anything is written.
    snapshot = state(sims)["consumers"]
    renamed = node_change_run(workstation, fileserver, "rename", env)
    assert renamed.rc != 0
    msg = renamed.result("Rename")["msg"]
    assert "node_name" in msg and node_name.upper() in msg and "already activated" in msg
    assert state(sims)["consumers"] == snapshot

    # Omitted options stay; a changed contact is the only change.
    check = node_change_run(workstation, fileserver, "contact", env, check=True, diff=True)
    assert check.changed() == 1 and check.result("Contact")["diff"] == {
        "before": {"contact": "lisa@example.com"}, "after": {"contact": "helpdesk@example.com"}}
    assert state(sims)["consumers"] == snapshot
    real = node_change_run(workstation, fileserver, "contact", env, diff=True)
    assert real.changed() == 1 and real.result("Contact")["diff"] == check.result("Contact")["diff"]
    stored = state(sims)["consumers"][str(ws["id"])]["node"]
    assert stored["contact"] == "helpdesk@example.com"
    assert (stored["cpuCount"], stored["clientOptionSetId"], stored["tsmName"]) == (4, 2, node_name.upper())

    info = node_change_run(workstation, fileserver, "nodes", env)
    [seen] = info.result("Nodes")["nodes"]
    assert seen["proxy_targets"] == [{"consumer_id": ws["id"], "name": workstation, "node_name": node_name.upper()}]
    assert "tsm_password" not in seen

    # Proxy targets as a set: an empty list removes the relation.
    assert node_change_run(workstation, fileserver, "unlink", env).changed() == 1
    assert state(sims)["consumers"][str(fs["id"])]["node"]["proxyTargets"] == []
    assert node_change_run(workstation, fileserver, "unlink", env).changed() == 0

    check = node_change_run(workstation, fileserver, "delete", env, check=True)
    assert check.changed() == 1 and str(ws["id"]) in state(sims)["consumers"]
    real = node_change_run(workstation, fileserver, "delete", env)
    assert real.rc == 0 and real.changed() == 1
    after = state(sims)
    assert str(ws["id"]) not in after["consumers"]  # the consumer goes with the node
    assert [d["tsmName"] for d in after["spServer"]["deletedNodes"] if d["consumerId"] == ws["id"]] == [node_name.upper()]
    assert node_change_run(workstation, fileserver, "delete", env).changed() == 0


@pytest.mark.one_mode("runs both execution modes itself")
def test_return_password_is_registered_but_never_shown(sims):
    """return_password: the node password is in the registered result (of a creation with activation, and of
    backup_node_info), yet neither -v output nor the recorded results show it, in-process or as a module."""
    for mode in ("1", "0"):
        env = dict(cloutility_env(sims), FILEFLEET_OFFICE_IN_PROCESS=mode)
        consumer = unique("pw")
        result = run_playbook(playbook_path("cloutility_return_password.yml"), env=env, diff=True, verbosity=1,
                              extra_vars={"consumer": consumer, "node_name": consumer.upper().replace("-", "_")})
        assert result.rc == 0, result.output()
        [stored] = consumers_in(sims, OSLO, consumer)
        password = stored["node"]["tsmPassword"]
        digest = hashlib.sha256(password.encode()).hexdigest()
        assert result.result("Password digests")["msg"] == {"node": digest, "info": digest}, mode
        assert password not in result.stdout and password not in result.output(), mode
        for task in ("Node with its password", "Nodes with their passwords"):
            assert result.result(task).get("censored"), (mode, task)


def test_bad_input_is_rejected_before_anything_is_written(sims):
    env = cloutility_env(sims)
    twin = unique("twin")
    first, second = api_create_consumer(sims, HR, twin), api_create_consumer(sims, HR, twin)
    single = unique("single")
    api_create_consumer(sims, HR, single)
    # The cases are the tasks tagged bad_input of playbooks/cloutility_bad_input.yml.
    cases = ("Bad node name", "Unknown domain", "Ambiguous node consumer", "Missing create options", "Duplicate consumer",
             "Bad date", "Unknown business unit")
    variables = {"single": single, "twin": twin, "hr_id": HR, "twin_id": second}
    snapshot = state(sims)
    before = requests_by_route(sims)
    result = run_playbook(playbook_path("cloutility_bad_input.yml"), env=env, tags="bad_input", extra_vars=variables)
    used = delta(before, requests_by_route(sims))
    assert not [k for k in used if not k.startswith("GET ") and k != "POST /v1/oauth"], used
    after = state(sims)
    assert after["consumers"] == snapshot["consumers"] and after["nextId"] == snapshot["nextId"]
    assert result.tasks, result.output()
    messages = dict((title, result.result(title)["msg"]) for title in cases)
    statuses = dict((t["task"], t["status"]) for t in result.tasks)
    assert all(statuses[title] == "failed" for title in cases), (statuses, messages)
    assert "node_name='has space'" in messages["Bad node name"] and "1 to 64 characters" in messages["Bad node name"]
    assert "domain='45DAYS'" in messages["Unknown domain"] and "30DAYS" in messages["Unknown domain"]
    for title in ("Ambiguous node consumer", "Duplicate consumer"):
        assert "%d, %d" % (first, second) in messages[title], messages[title]
    assert "node_type, domain, client_option_set" in messages["Missing create options"]
    assert "billing_end_date" in messages["Bad date"]
    assert "business_unit='Sales'" in messages["Unknown business unit"]
    assert "HR Department" in messages["Unknown business unit"]
    # The duplicates are still manageable by id.
    by_id = run_playbook(playbook_path("cloutility_bad_input.yml"), env=env, tags="by_id", extra_vars=variables)
    assert by_id.rc == 0 and by_id.changed() == 1
    assert [c.get("note") for c in consumers_in(sims, HR, twin)] == [None, "the second twin"]


def test_wrong_password_is_tried_once_and_never_shown(sims, execution_mode):
    env = dict(cloutility_env(sims), CLOUTILITY_PASSWORD="Wrong-Password-4711")
    names = [unique("x") for _index in range(3)]
    before = sims.stats(clou(sims))
    result = run_playbook(playbook_path("cloutility_wrong_password.yml"), env=env, verbosity=3,
                          extra_vars={"consumers": names})
    after = sims.stats(clou(sims))
    assert result.failed() == 0 and "refused" in json.dumps(result.result("Loop"))
    # In-process the items of a loop share one session: three items, one login attempt. As modules every item is a
    # process of its own: one attempt per item, and no retry.
    attempts = 1 if execution_mode == "in_process" else len(names)
    assert after["failed_logins"] - before["failed_logins"] == attempts
    assert "Wrong-Password-4711" not in result.output()
    user = state(sims)["user"]
    assert not user["locked"]


@pytest.fixture(scope="module")
def short_token_sims(tmp_path_factory, execution_mode):
    """A Cloutility whose tokens live two seconds, in each execution mode."""
    sims = Simulators(str(tmp_path_factory.mktemp("clou-short-" + execution_mode)), cloutility=True,
                      extra_args=["--token-lifetime", "2"])
    sims.start()
    yield sims
    sims.stop()


def test_tokens_expiring_during_a_run_are_renewed(short_token_sims):
    sims = short_token_sims
    env = cloutility_env(sims)
    sims.faults(clou(sims), {"latency_ms": 400})  # every request is slow: one task outlives several tokens
    workstation, fileserver = unique("ws"), unique("fs")
    result = nodes_run(workstation, fileserver, workstation.upper(), env)
    sims.faults(clou(sims), {})
    assert result.rc == 0, result.output()
    assert result.changed() == 3
    [ws] = consumers_in(sims, OSLO, workstation)
    assert ws["node"]["tsmName"] == workstation.upper()
    stats = sims.stats(clou(sims))
    assert stats["failed_logins"] == 0
    assert stats["logins"] > 4  # four module runs, and renewals inside them
