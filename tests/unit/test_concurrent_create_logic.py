# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two runs that create the same object at once: a create that fails because the object appeared meanwhile is
adopted and converged (engine ``adopt``); a consumption unit created twice (names are not unique) keeps the oldest
and the run that made the newer one deletes its own (``keep_oldest``)."""

import pytest

from module_double import ModuleDouble
from test_cloutility_resources import BUNIT, FULL, FakeCloutility, node_task
from test_engine import Thing

from ansible_collections.filefleet.office.plugins.modules import cloutility_consumer
from ansible_collections.filefleet.office.plugins.module_utils._engine import ensure
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError


class Racing(Thing):
    """A Thing whose create meets the object another run created after our read."""

    def __init__(self, module, store, name, given, theirs):
        super(Racing, self).__init__(module, store, name, given)
        self.theirs = theirs

    def create(self, desired, predicted):
        if self.theirs is not None:
            self.store[self.name] = dict(self.theirs)
        self.writes.append(("create", dict(desired)))
        raise ApiError("create %s failed" % self.name, status=409, server_message="already exists")


def test_a_create_that_meets_the_other_runs_object_adopts_and_converges_it():
    store = {}
    thing = Racing(ModuleDouble(), store, "a", {"colour": "Red", "tags": ["x"]}, theirs={"colour": "red", "tags": ["y"]})
    result = ensure(thing, "present")
    assert result["changed"] is True
    assert store == {"a": {"colour": "red", "tags": ["x"]}}
    assert thing.writes == [("create", {"colour": "Red", "tags": ["x"]}), ("update", {"tags": ["x"]})]

    same = Racing(ModuleDouble(), {}, "b", {"colour": "red"}, theirs={"colour": "RED"})
    assert ensure(same, "present")["changed"] is True
    assert [w[0] for w in same.writes] == ["create"]  # already as wanted: nothing more written


def test_a_create_that_fails_while_the_object_is_still_missing_keeps_its_error():
    thing = Racing(ModuleDouble(), {}, "a", {"colour": "red"}, theirs=None)
    with pytest.raises(ApiError, match="create a failed"):
        ensure(thing, "present")


class TwinCloutility(FakeCloutility):
    """The other run's consumption unit of the same name appears between our listing and our POST."""

    def __init__(self, twin_id):
        super(TwinCloutility, self).__init__()
        self.twin_id = twin_id

    def post(self, path, body=None, params=None, what=None):
        if path.endswith("/consumers") and self.twin_id is not None:
            self.add(self.twin_id, body["name"])
            self.consumers_by_id[self.twin_id]["note"] = "theirs"
            self.twin_id = None
        return super(TwinCloutility, self).post(path, body, params, what)


def consumer(clou, **params):
    module = ModuleDouble(cloutility_consumer.argument_spec(), business_unit=BUNIT["id"], **params)
    return ensure(cloutility_consumer.Consumer(module, clou, BUNIT), "present")


def test_the_newer_of_two_consumption_units_of_one_name_is_deleted_by_the_run_that_made_it():
    clou = TwinCloutility(twin_id=100)  # theirs is older (lower id) than ours (500 + n)
    result = consumer(clou, name="STO-1", note="ours")
    assert sorted(clou.consumers_by_id) == [100]
    assert result["consumer"]["id"] == 100
    assert clou.consumers_by_id[100]["note"] == "ours"  # the kept one is brought to the given settings
    deletes = [w for w in clou.writes if w[0] == "DELETE"]
    assert len(deletes) == 1 and "/consumers/501" in deletes[0][1]
    assert "duplicate of consumption unit 100" in deletes[0][2]["deletionComment"]


def test_the_older_of_two_consumption_units_of_one_name_is_kept_by_the_run_that_made_it():
    clou = TwinCloutility(twin_id=900)  # theirs is newer: the other run deletes it, this run keeps its own
    result = consumer(clou, name="STO-1", note="ours")
    assert sorted(clou.consumers_by_id) == [501, 900]
    assert result["consumer"]["id"] == 501
    assert not [w for w in clou.writes if w[0] == "DELETE"]


class NodeTwinCloutility(FakeCloutility):
    """The other run creates (and activates) the node between our read and our POST, which is then refused."""

    def post(self, path, body=None, params=None, what=None):
        if path.endswith("/node") and not (self.consumers_by_id[self._cid(path)].get("node")):
            super(NodeTwinCloutility, self).post(path, body, params, what)
            self.consumers_by_id[self._cid(path)]["node"]["tsmName"] = "STO-1"
            raise ApiError("create node failed", status=409, server_message="The consumption unit already has a backup node.")
        return super(NodeTwinCloutility, self).post(path, body, params, what)


def test_a_node_created_by_the_other_run_is_adopted():
    clou = NodeTwinCloutility()
    clou.add(409, "STO-1")
    result, _module = node_task(clou, **dict(FULL, consumer="STO-1", state="activated", node_name="sto-1"))
    assert result["node"]["node_name"] == "STO-1"
    assert not [w for w in clou.writes if w[0] == "activate"]  # the other run activated it under the same name
