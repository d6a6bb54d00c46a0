# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cloutility resource mappings (cloutility_consumer, backup_node) on the engine, against an in-memory
Cloutility: check mode predicts and writes nothing, a real run writes in the protocol's order (node fields,
activation, the wait for it, proxy relations; deletions are not waited for), diffs have the engine's shape and never show the node password."""

import copy
import datetime

import pytest

from ansible_collections.filefleet.office.plugins.modules import backup_node, cloutility_consumer
from ansible_collections.filefleet.office.plugins.module_utils._cloutility_resources import (
    consumers_named, proxy_ids,
)
from module_double import ModuleDouble
from ansible_collections.filefleet.office.plugins.module_utils._engine import MASK, ensure

BUNIT = {"id": 76, "name": "Marketing", "path": "Company AB/Marketing"}
PASSWORD = "Sup3r-Secret-Node-PW"
REFERENCES = {"os": [{"id": 1, "name": "Linux"}, {"id": 2, "name": "Windows"}],
              "types": [{"id": 1, "name": "File Server"}, {"id": 2, "name": "Workstation"}],
              "domains": [{"id": 1, "name": "STANDARD"}, {"id": 3, "name": "30DAYS"}],
              "sets": [{"id": 1, "name": "None"}, {"id": 2, "name": "DEDUP_AND_COMPRESS"}]}


class FakeCloutility:
    """Just enough of a CloutilitySession: consumers with nodes, the resolvers, and a log of every write."""

    def __init__(self):
        self.consumers_by_id = {}
        self.writes = []
        self.polls = 0

    def add(self, cid, name, node=None):
        self.consumers_by_id[cid] = {"id": cid, "name": name, "businessUnit": {"id": BUNIT["id"]}, "node": node}

    # -- reads
    @staticmethod
    def path(*segments):
        return "/v1/" + "/".join(str(s) for s in segments)

    def consumer_path(self, bid, cid, *rest):
        return self.path("bunits", bid, "consumers", cid, *rest)

    def consumers(self, bid):
        return [{"id": c["id"], "name": c["name"]} for c in self.consumers_by_id.values()]

    def find_consumers(self, bid, name):
        return [c for c in self.consumers(bid) if c["name"] == name]

    def get_consumer(self, bid, cid, missing_ok=True):
        found = self.consumers_by_id.get(cid)
        return dict((k, v) for k, v in copy.deepcopy(found).items() if k != "node") if found else None

    def get_node(self, bid, cid, missing_ok=True):
        self.polls += 1
        return copy.deepcopy((self.consumers_by_id.get(cid) or {}).get("node"))

    def resolve_operating_system(self, value, option):
        return next(i for i in REFERENCES["os"] if i["name"].lower() == str(value).lower())

    def resolve_node_type(self, value, option):
        return next(i for i in REFERENCES["types"] if i["name"].lower() == str(value).lower())

    def resolve_domain(self, bid, value, option):
        return next(i for i in REFERENCES["domains"] if i["name"].lower() == str(value).lower())

    def resolve_client_option_set(self, bid, value, option):
        return next(i for i in REFERENCES["sets"] if i["name"].lower() == str(value).lower())

    def wait_for(self, fetch, done, what, timeout=300.0, interval=2.0, describe=None):
        self.writes.append(("wait", what))
        value = fetch()
        assert done(value), what
        return value

    # -- writes
    def _cid(self, path):
        return int(path.split("/consumers/")[1].split("/")[0])

    def post(self, path, body=None, params=None, what=None):
        self.writes.append(("POST", path, copy.deepcopy(body), params))
        if path.endswith("/consumers"):
            cid = 500 + len(self.consumers_by_id)
            self.add(cid, body["name"])
            self.consumers_by_id[cid].update(body)
            return self.get_consumer(BUNIT["id"], cid)
        cid = self._cid(path)
        if path.endswith("/node"):
            names = dict((k, dict((i["id"], i["name"]) for i in v)) for k, v in REFERENCES.items())
            node = {"id": 900 + cid, "cpuCount": body.get("cpuCount", 1), "contact": body.get("contact", ""),
                    "proxyAgents": [], "proxyTargets": []}
            for wire, kind in (("operatingSystem", "os"), ("type", "types"), ("domain", "domains"),
                               ("clientOptionSet", "sets")):
                node[wire] = {"id": body[wire]["id"], "name": names[kind][body[wire]["id"]]}
            self.consumers_by_id[cid]["node"] = node
            return copy.deepcopy(node)
        node = self.consumers_by_id[cid]["node"]
        assert node.get("tsmName"), "proxy relations need an activated node"
        other = params.get("proxyAgentId") or params.get("proxyTargetId")
        wire = "proxyAgents" if "proxyAgentId" in params else "proxyTargets"
        node[wire].append({"consumerId": other, "name": self.consumers_by_id[other]["name"], "tsmName": None})
        return copy.deepcopy(node)

    def put(self, path, body, what=None):
        self.writes.append(("PUT", path, copy.deepcopy(body)))
        cid = self._cid(path)
        if path.endswith("/node"):
            self.consumers_by_id[cid]["node"].update(dict((k, v) for k, v in body.items() if not isinstance(v, dict)))
            return copy.deepcopy(self.consumers_by_id[cid]["node"])
        self.consumers_by_id[cid].update(body)
        return self.get_consumer(BUNIT["id"], cid)

    def activate_node(self, bid, cid, node_name, what):
        self.writes.append(("activate", cid, node_name))
        self.consumers_by_id[cid]["node"].update(tsmName=node_name, tsmPassword=PASSWORD)
        return node_name

    def delete(self, path, params=None, what=None, missing_ok=False):
        self.writes.append(("DELETE", path, params))
        del self.consumers_by_id[self._cid(path)]


def node_task(clou, check_mode=False, **params):
    module = ModuleDouble(backup_node.argument_spec(), check_mode=check_mode, business_unit=BUNIT["id"], **params)
    node_name = backup_node.validate(module.params)
    return ensure(backup_node.Node(module, clou, BUNIT, node_name), module.params["state"]), module


FULL = dict(operating_system="linux", node_type="File Server", domain="STANDARD", client_option_set="None")


def test_node_create_activate_and_proxy_in_order_and_check_mode_writes_nothing():
    clou = FakeCloutility()
    clou.add(409, "LisasWS")
    clou.add(410, "FS01", node={"id": 1410, "tsmName": "FS01", "proxyAgents": [], "proxyTargets": []})
    params = dict(FULL, consumer="LisasWS", state="activated", node_name="lisasws", proxy_agents=["FS01"], cpu_count=4)
    check, _module = node_task(clou, check_mode=True, **params)
    assert clou.writes == [] and check["changed"]
    assert check["diff"]["before"] == {} and check["node"]["id"] is None
    assert (check["node"]["node_name"], check["node"]["activated"], check["node"]["operating_system"]) == ("LISASWS", True, "Linux")

    real, _module = node_task(clou, **params)
    kinds = [w[0] for w in clou.writes]
    assert kinds == ["POST", "activate", "wait", "POST"], clou.writes  # node, activation, its wait, proxy agent
    assert clou.writes[0][2]["operatingSystem"] == {"id": 1} and clou.writes[0][2]["cpuCount"] == 4
    assert clou.writes[3][3] == {"proxyAgentId": 410}
    assert real["node"]["proxy_agents"] == [{"consumer_id": 410, "name": "FS01", "node_name": None}]
    assert set(check["node"]) == set(real["node"]) and check["diff"]["after"]["proxy_agents"][0]["consumer_id"] == 410

    clou.writes[:] = []
    again, _module = node_task(clou, **params)
    assert not again["changed"] and clou.writes == [] and "diff" not in again


def test_return_password_is_returned_but_masked_in_the_diff():
    clou = FakeCloutility()
    clou.add(409, "LisasWS")
    created, _module = node_task(clou, consumer=409, state="activated", node_name="LISASWS", return_password=True, **FULL)
    assert created["node"]["tsm_password"] == PASSWORD
    assert created["diff"]["before"] == {} and created["diff"]["after"]["tsm_password"] == MASK
    assert PASSWORD not in repr(created["diff"])
    deleted, _module = node_task(clou, consumer=409, state="absent", return_password=True)
    assert deleted["node"] is None and deleted["diff"]["after"] == {}
    assert deleted["diff"]["before"]["tsm_password"] == MASK and PASSWORD not in repr(deleted["diff"])
    assert [w[0] for w in clou.writes][-1] == "DELETE"  # an accepted delete is done: no wait


def test_missing_consumer_is_predicted_in_check_mode_and_fails_a_real_run():
    clou = FakeCloutility()
    clou.add(410, "FS01", node={"id": 1410, "tsmName": "FS01", "proxyAgents": [], "proxyTargets": []})
    params = dict(consumer="NewWS", operating_system="Windows", state="activated", node_name="NEWWS",
                  proxy_targets=["FS01", "NotYet"])
    check, module = node_task(clou, check_mode=True, **params)
    assert check["changed"] and clou.writes == []
    assert check["node"]["consumer_name"] == "NewWS" and check["node"]["node_name"] == "NEWWS"
    assert [t["name"] for t in check["node"]["proxy_targets"]] == ["FS01", "NotYet"]
    assert len(module.warnings) == 2 and "NewWS" in module.warnings[0] and "NotYet" in module.warnings[1]
    with pytest.raises(ValueError, match="create it first"):
        node_task(clou, **params)


def test_node_refusals_come_before_any_write():
    clou = FakeCloutility()
    clou.add(409, "LisasWS", node={"id": 1409, "tsmName": "LISASWS", "proxyAgents": [], "proxyTargets": [],
                                   "operatingSystem": {"id": 1, "name": "Linux"}})
    clou.add(411, "Plain")
    with pytest.raises(ValueError, match="already activated as 'LISASWS'"):
        node_task(clou, consumer="LisasWS", state="activated", node_name="OTHER", cpu_count=8)
    with pytest.raises(ValueError, match="node_type, domain, client_option_set"):
        node_task(clou, consumer="Plain", operating_system="Linux")
    with pytest.raises(ValueError, match="need an activated node"):
        node_task(clou, consumer="Plain", proxy_agents=["LisasWS"], **FULL)
    with pytest.raises(ValueError, match="its own proxy"):
        node_task(clou, consumer="LisasWS", proxy_agents=[409])
    assert clou.writes == []


def test_node_update_sends_the_node_as_read_with_the_changes_and_an_empty_contact():
    clou = FakeCloutility()
    clou.add(409, "LisasWS", node={"id": 1409, "tsmName": "LISASWS", "cpuCount": 4, "contact": "lisa@example.com",
                                   "operatingSystem": {"id": 2, "name": "Windows"}, "proxyAgents": [], "proxyTargets": []})
    result, _module = node_task(clou, consumer="LisasWS", operating_system="windows", contact="")
    assert result["diff"] == {"before": {"contact": "lisa@example.com"}, "after": {"contact": None}}
    [(method, _path, body)] = clou.writes
    assert method == "PUT" and body == {"id": 1409, "tsmName": "LISASWS", "cpuCount": 4, "contact": "",
                                        "operatingSystem": {"id": 2, "name": "Windows"}, "proxyAgents": [],
                                        "proxyTargets": []}


def test_consumers_named_and_proxy_ids():
    consumers = [{"id": 1, "name": "twin"}, {"id": 2, "name": "twin"}, {"id": 3, "name": "one"}]
    with pytest.raises(ValueError, match=r"ids 1, 2\); give the id of the one to manage"):
        consumers_named(consumers, "twin", BUNIT)
    assert consumers_named(consumers, "3", BUNIT) == [consumers[2]]
    missing = []
    assert proxy_ids(consumers, ["one", 7, "later"], "proxy_agents", None, lambda e, w: missing.append(e)) == {3, 7, "later"}
    assert len(missing) == 1 and "proxy_agents='later'" in missing[0]
    with pytest.raises(ValueError, match="ambiguous"):
        proxy_ids(consumers, ["twin"], "proxy_agents", None, lambda e, w: None)


def consumer_task(clou, check_mode=False, **params):
    module = ModuleDouble(cloutility_consumer.argument_spec(), check_mode=check_mode, business_unit=BUNIT["id"], **params)
    cloutility_consumer.validate(module.params)
    return ensure(cloutility_consumer.Consumer(module, clou, BUNIT), module.params["state"])


def test_consumer_check_mode_create_update_and_delete():
    clou = FakeCloutility()
    check = consumer_task(clou, check_mode=True, name="LisasWS", tags=["b", "a"], note="")
    today = datetime.datetime.utcnow().strftime("%Y-%m-%d")
    assert clou.writes == [] and check["consumer"]["id"] is None
    assert (check["consumer"]["billing_start_date"], check["consumer"]["data_source_state"]) == (today, "New")
    assert check["diff"]["before"] == {} and check["diff"]["after"]["tags"] == ["a", "b"]
    real = consumer_task(clou, name="LisasWS", tags=["b", "a"], note="")
    assert real["consumer"]["id"] == 500 and [w[0] for w in clou.writes] == ["POST"]
    updated = consumer_task(clou, name="LisasWS", tags=["a", "b"], note="laptop")
    assert updated["diff"] == {"before": {"note": None}, "after": {"note": "laptop"}}
    with pytest.raises(ValueError, match="id=77: business unit 'Company AB/Marketing' has no consumption unit"):
        consumer_task(clou, id=77, note="x")
    deleted = consumer_task(clou, name="LisasWS", state="absent", deletion_comment="gone")
    assert deleted["consumer"] is None and deleted["diff"]["before"]["name"] == "LisasWS"
    assert clou.writes[-1] == ("DELETE", "/v1/bunits/76/consumers/500",
                               {"deleteAssociations": "true", "deletionComment": "gone"})
