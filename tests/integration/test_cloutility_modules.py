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

from integration_support import cloutility_env, run_playbook
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


def play(tasks):
    return "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + "\n".join(
        "    " + line for block in tasks for line in block.strip("\n").splitlines()) + "\n"


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def test_consumer_create_converge_update_delete_with_check_and_diff(sims):
    env = cloutility_env(sims)
    name = unique("LisasWS")
    create = play(["""
- name: create
  filefleet.office.cloutility_consumer:
    business_unit: Company AB/Stockholm Office
    name: %s
    note: Lisa's workstation
    tags: [workstation, stockholm]
    storage_limit_gb: 250
    external_reference: CMDB-1
""" % name])

    check = run_playbook(create, env=env, check=True, diff=True)
    assert check.rc == 0, check.output()
    assert check.changed() == 1 and consumers_in(sims, STOCKHOLM, name) == []
    assert check.result("create")["diff"]["after"]["tags"] == ["stockholm", "workstation"]

    real = run_playbook(create, env=env, diff=True)
    assert real.rc == 0 and real.changed() == check.changed(), real.output()
    [stored] = consumers_in(sims, STOCKHOLM, name)
    assert (stored["note"], stored["limitHighStorage"], stored["externalReference"]) == ("Lisa's workstation", 250.0, "CMDB-1")
    assert sorted(t["text"] for t in stored["tags"]) == ["stockholm", "workstation"]
    assert real.result("create")["consumer"]["id"] == stored["id"]

    before = requests_by_route(sims)
    again = run_playbook(create, env=env)
    assert again.rc == 0 and again.changed() == 0, again.output()
    used = delta(before, requests_by_route(sims))
    assert not [k for k in used if not k.startswith("GET ") and k != "POST /v1/oauth"], used
    assert sum(used.values()) == 4, used  # token, business unit tree, consumer list, consumer

    # Only the note is given: tags, limit and reference are not touched.
    update = play(["""
- name: update
  filefleet.office.cloutility_consumer:
    business_unit: %d
    name: %s
    note: Lisa's laptop
""" % (STOCKHOLM, name)])
    check = run_playbook(update, env=env, check=True, diff=True)
    assert check.rc == 0 and check.changed() == 1, check.output()
    assert consumers_in(sims, STOCKHOLM, name)[0]["note"] == "Lisa's workstation"
    assert check.result("update")["diff"] == {"before": {"note": "Lisa's workstation"}, "after": {"note": "Lisa's laptop"}}
    real = run_playbook(update, env=env, diff=True)
    assert real.rc == 0 and real.changed() == 1 and real.result("update")["diff"] == check.result("update")["diff"]
    [stored] = consumers_in(sims, STOCKHOLM, name)
    assert stored["note"] == "Lisa's laptop" and stored["limitHighStorage"] == 250.0
    assert stored["externalReference"] == "CMDB-1" and len(stored["tags"]) == 2

    info = run_playbook(play(["""
- name: info
  filefleet.office.cloutility_consumer_info:
    business_unit: Company AB/Stockholm Office
    name: %s
""" % name]), env=env)
    assert info.rc == 0 and [c["id"] for c in info.result("info")["consumers"]] == [stored["id"]]

    delete = play(["""
- name: delete
  filefleet.office.cloutility_consumer:
    business_unit: Stockholm Office
    name: %s
    state: absent
    deletion_comment: returned laptop
""" % name])
    check = run_playbook(delete, env=env, check=True)
    assert check.rc == 0 and check.changed() == 1 and len(consumers_in(sims, STOCKHOLM, name)) == 1
    real = run_playbook(delete, env=env)
    assert real.rc == 0 and real.changed() == 1 and consumers_in(sims, STOCKHOLM, name) == []
    logs = [e for e in state(sims)["auditLogs"] if e["consumerId"] == stored["id"] and e["type"] == 300]
    assert logs and "returned laptop" in logs[-1]["message"]
    assert run_playbook(delete, env=env).changed() == 0


def node_play(workstation, fileserver, node_name, return_password=False):
    return play(["""
- name: consumers
  filefleet.office.cloutility_consumer:
    business_unit: Company AB/Oslo Office
    name: "{{ item }}"
  loop: [%s, %s]
""" % (workstation, fileserver), """
- name: workstation node
  filefleet.office.backup_node:
    business_unit: Company AB/Oslo Office
    consumer: %s
    operating_system: windows
    node_type: Workstation
    domain: STANDARD
    client_option_set: DEDUP_AND_COMPRESS
    cpu_count: 4
    contact: lisa@example.com
    state: activated
    node_name: %s
""" % (workstation, node_name), ("""
- name: workstation password
  filefleet.office.backup_node:
    business_unit: Company AB/Oslo Office
    consumer: %s
    state: activated
    node_name: %s
    return_password: true
  register: ws
""" % (workstation, node_name)) if return_password else "", """
- name: file server node
  filefleet.office.backup_node:
    business_unit: %d
    consumer: %s
    operating_system: Linux
    node_type: File Server
    domain: 30DAYS
    client_option_set: None
    state: activated
    node_name: %s
    proxy_targets: [%s]
""" % (OSLO, fileserver, fileserver.upper().replace("-", "_"), workstation), """
- name: password fingerprint
  ansible.builtin.debug:
    msg: "{{ (ws.node.tsm_password | default('none')) | hash('sha256') }}"
"""])


def test_backup_node_create_activate_proxies_converge_and_delete(sims):
    env = cloutility_env(sims)
    workstation, fileserver = unique("ws"), unique("fs")
    node_name = "%s+&.x" % workstation.lower()  # legal SP characters that need URL encoding
    playbook = node_play(workstation, fileserver, node_name)

    check = run_playbook(playbook, env=env, check=True, diff=True)
    assert check.rc == 0, check.output()
    assert consumers_in(sims, OSLO, workstation) == [] and consumers_in(sims, OSLO, fileserver) == []

    real = run_playbook(playbook, env=env, diff=True)
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
    check_diff = check.result("workstation node")["diff"]["after"]
    real_diff_keys = {"activated", "node_name", "operating_system", "node_type", "domain", "client_option_set",
                      "cpu_count", "contact", "proxy_agents", "proxy_targets"}
    assert set(check_diff) == real_diff_keys and check_diff["node_name"] == node_name.upper()

    # A second run, activation included, changes nothing and only reads.
    before = requests_by_route(sims)
    again = run_playbook(node_play(workstation, fileserver, node_name, return_password=True), env=env, verbosity=3)
    assert again.rc == 0 and again.changed() == 0, again.output()
    # return_password: the registered value is the real password, the displayed result is censored
    assert again.result("password fingerprint")["msg"] == hashlib.sha256(node["tsmPassword"].encode()).hexdigest()
    assert again.result("workstation password").get("censored")
    used = delta(before, requests_by_route(sims))
    assert not [k for k in used if not k.startswith("GET ") and k != "POST /v1/oauth"], used
    assert not [k for k in used if k.endswith("/activate")]
    node_requests = sum(v for k, v in used.items() if k.endswith("/node"))
    assert node_requests == 3, used  # one read per backup_node task
    assert node["tsmPassword"] not in again.output()  # -vvv does not show it either
    assert state(sims)["consumers"][str(ws["id"])]["node"] == dict(node)

    # Renaming an activated node is refused before anything is written.
    snapshot = state(sims)["consumers"]
    renamed = run_playbook(play(["""
- name: rename
  filefleet.office.backup_node:
    business_unit: Company AB/Oslo Office
    consumer: %s
    cpu_count: 8
    state: activated
    node_name: OTHERNAME
""" % workstation]), env=env)
    assert renamed.rc != 0
    msg = renamed.result("rename")["msg"]
    assert "node_name" in msg and node_name.upper() in msg and "already activated" in msg
    assert state(sims)["consumers"] == snapshot

    # Omitted options stay; a changed contact is the only change.
    contact = play(["""
- name: contact
  filefleet.office.backup_node:
    business_unit: Company AB/Oslo Office
    consumer: %s
    contact: helpdesk@example.com
""" % workstation])
    check = run_playbook(contact, env=env, check=True, diff=True)
    assert check.changed() == 1 and check.result("contact")["diff"] == {
        "before": {"contact": "lisa@example.com"}, "after": {"contact": "helpdesk@example.com"}}
    assert state(sims)["consumers"] == snapshot
    real = run_playbook(contact, env=env, diff=True)
    assert real.changed() == 1 and real.result("contact")["diff"] == check.result("contact")["diff"]
    stored = state(sims)["consumers"][str(ws["id"])]["node"]
    assert stored["contact"] == "helpdesk@example.com"
    assert (stored["cpuCount"], stored["clientOptionSetId"], stored["tsmName"]) == (4, 2, node_name.upper())

    info = run_playbook(play(["""
- name: nodes
  filefleet.office.backup_node_info:
    business_unit: Company AB/Oslo Office
    consumer: %s
""" % fileserver]), env=env)
    [seen] = info.result("nodes")["nodes"]
    assert seen["proxy_targets"] == [{"consumer_id": ws["id"], "name": workstation, "node_name": node_name.upper()}]
    assert "tsm_password" not in seen

    # Proxy targets as a set: an empty list removes the relation.
    unlink = play(["""
- name: unlink
  filefleet.office.backup_node:
    business_unit: Company AB/Oslo Office
    consumer: %s
    proxy_targets: []
""" % fileserver])
    assert run_playbook(unlink, env=env).changed() == 1
    assert state(sims)["consumers"][str(fs["id"])]["node"]["proxyTargets"] == []
    assert run_playbook(unlink, env=env).changed() == 0

    delete = play(["""
- name: delete
  filefleet.office.backup_node:
    business_unit: Company AB/Oslo Office
    consumer: %s
    state: absent
""" % workstation])
    check = run_playbook(delete, env=env, check=True)
    assert check.changed() == 1 and str(ws["id"]) in state(sims)["consumers"]
    real = run_playbook(delete, env=env)
    assert real.rc == 0 and real.changed() == 1
    after = state(sims)
    assert str(ws["id"]) not in after["consumers"]  # the consumer goes with the node
    assert [d["tsmName"] for d in after["spServer"]["deletedNodes"] if d["consumerId"] == ws["id"]] == [node_name.upper()]
    assert run_playbook(delete, env=env).changed() == 0


def test_bad_input_is_rejected_before_anything_is_written(sims):
    env = cloutility_env(sims)
    twin = unique("twin")
    first, second = api_create_consumer(sims, HR, twin), api_create_consumer(sims, HR, twin)
    single = unique("single")
    api_create_consumer(sims, HR, single)
    cases = {
        "bad node name": ("filefleet.office.backup_node", "consumer: %s\n    operating_system: Linux\n    node_type: File Server\n"
                          "    domain: STANDARD\n    client_option_set: None\n    state: activated\n    node_name: 'has space'" % single),
        "unknown domain": ("filefleet.office.backup_node", "consumer: %s\n    operating_system: Linux\n    node_type: File Server\n"
                           "    domain: 45DAYS\n    client_option_set: None" % single),
        "ambiguous node consumer": ("filefleet.office.backup_node", "consumer: %s\n    operating_system: Linux\n"
                                    "    node_type: File Server\n    domain: STANDARD\n    client_option_set: None" % twin),
        "missing create options": ("filefleet.office.backup_node", "consumer: %s\n    operating_system: Linux" % single),
        "duplicate consumer": ("filefleet.office.cloutility_consumer", "name: %s\n    note: x" % twin),
        "bad date": ("filefleet.office.cloutility_consumer", "name: %s\n    billing_end_date: '2025-13-01'" % single),
        "unknown business unit": ("filefleet.office.cloutility_consumer", "name: %s\n    business_unit: Company AB/Sales" % single),
    }
    tasks = []
    for title, (module, options) in cases.items():
        bu = "" if "business_unit" in options else "    business_unit: Company AB/HR Department\n"
        tasks.append("- name: %s\n  %s:\n%s    %s\n  ignore_errors: true\n" % (title, module, bu, options))
    snapshot = state(sims)
    before = requests_by_route(sims)
    result = run_playbook(play(tasks), env=env)
    used = delta(before, requests_by_route(sims))
    assert not [k for k in used if not k.startswith("GET ") and k != "POST /v1/oauth"], used
    after = state(sims)
    assert after["consumers"] == snapshot["consumers"] and after["nextId"] == snapshot["nextId"]
    assert result.tasks, result.output()
    messages = dict((title, result.result(title)["msg"]) for title in cases)
    statuses = dict((t["task"], t["status"]) for t in result.tasks)
    assert all(statuses[title] == "failed" for title in cases), (statuses, messages)
    assert "node_name='has space'" in messages["bad node name"] and "1 to 64 characters" in messages["bad node name"]
    assert "domain='45DAYS'" in messages["unknown domain"] and "30DAYS" in messages["unknown domain"]
    for title in ("ambiguous node consumer", "duplicate consumer"):
        assert "%d, %d" % (first, second) in messages[title], messages[title]
    assert "node_type, domain, client_option_set" in messages["missing create options"]
    assert "billing_end_date" in messages["bad date"]
    assert "business_unit='Sales'" in messages["unknown business unit"]
    assert "HR Department" in messages["unknown business unit"]
    # The duplicates are still manageable by id.
    by_id = run_playbook(play(["- name: by id\n  filefleet.office.cloutility_consumer:\n    business_unit: %d\n"
                               "    id: %d\n    note: the second twin\n" % (HR, second)]), env=env)
    assert by_id.rc == 0 and by_id.changed() == 1
    assert [c.get("note") for c in consumers_in(sims, HR, twin)] == [None, "the second twin"]


def test_wrong_password_is_tried_once_and_never_shown(sims):
    env = dict(cloutility_env(sims), CLOUTILITY_PASSWORD="Wrong-Password-4711")
    names = [unique("x") for _index in range(3)]
    before = sims.stats(clou(sims))
    result = run_playbook(play(["""
- name: loop
  filefleet.office.cloutility_consumer:
    business_unit: Stockholm Office
    name: "{{ item }}"
  loop: %s
  ignore_errors: true
""" % json.dumps(names)]), env=env, verbosity=3)
    after = sims.stats(clou(sims))
    assert result.failed() == 0 and "refused" in json.dumps(result.result("loop"))
    assert after["failed_logins"] - before["failed_logins"] == 1  # three items, one login attempt
    assert "Wrong-Password-4711" not in result.output()
    user = state(sims)["user"]
    assert not user["locked"]


@pytest.fixture(scope="module")
def short_token_sims(tmp_path_factory):
    sims = Simulators(str(tmp_path_factory.mktemp("clou-short")), cloutility=True, extra_args=["--token-lifetime", "2"])
    sims.start()
    yield sims
    sims.stop()


def test_tokens_expiring_during_a_run_are_renewed(short_token_sims):
    sims = short_token_sims
    env = cloutility_env(sims)
    sims.faults(clou(sims), {"latency_ms": 400})  # every request is slow: one task outlives several tokens
    workstation, fileserver = unique("ws"), unique("fs")
    result = run_playbook(node_play(workstation, fileserver, workstation.upper()), env=env)
    sims.faults(clou(sims), {})
    assert result.rc == 0, result.output()
    assert result.changed() == 3
    [ws] = consumers_in(sims, OSLO, workstation)
    assert ws["node"]["tsmName"] == workstation.upper()
    stats = sims.stats(clou(sims))
    assert stats["failed_logins"] == 0
    assert stats["logins"] > 4  # four module runs, and renewals inside them
