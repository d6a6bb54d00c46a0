# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cloutility helpers that must hold whichever way the real service answers: PUT bodies that are right under
replace and merge, "no node" however it is said, deletion marks, tags the body did not write, held node names."""

import pytest

from ansible_collections.filefleet.office.plugins.module_utils._cloutility_resources import (
    NodePlan, consumer_body, deletion_state, locate_consumer, marked_for_deletion, node_body, read_node, wanted_consumer_fields,
    write_tags,
)
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError

BUNIT = {"id": 101, "name": "Stockholm Office", "path": "Company AB/Stockholm Office"}


class Session:
    """Canned answers by path; ``ApiError`` instances are raised. Every write is logged."""

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.writes = []

    @staticmethod
    def path(*segments):
        return "/v1/" + "/".join(str(s) for s in segments)

    def consumer_path(self, bid, cid, *rest):
        return self.path("bunits", bid, "consumers", cid, *rest)

    def _answer(self, path):
        answer = self.answers.get(path)
        if isinstance(answer, ApiError):
            raise answer
        return answer

    def get_consumer(self, bid, cid, missing_ok=True):
        return self._answer(self.consumer_path(bid, cid))

    def get_node(self, bid, cid, missing_ok=True):
        return self._answer(self.consumer_path(bid, cid, "node"))

    def find_consumers(self, bid, name):
        return [c for c in self.answers.get("list", []) if c["name"] == name]

    def post(self, path, body=None, params=None, what=None):
        self.writes.append(("POST", path, body))
        return body

    def activate_node(self, bid, cid, node_name, what):
        self.writes.append(("activate", cid, node_name))
        return self._answer("activate")


def test_clearing_sends_an_explicit_null_so_a_merging_put_clears_too():
    current = {"$type": "Consumer", "href": "h", "id": 7, "name": "ws", "note": "old", "externalReference": "CMDB-1",
               "billingEndDate": "2030-01-01T00:00:00Z", "limitHighStorage": 5.0, "customField": "kept"}
    wanted = wanted_consumer_fields({"name": None, "note": "", "external_reference": "", "tags": None,
                                     "storage_limit_gb": None, "allow_no_activity": None, "billing_start_date": None,
                                     "billing_end_date": ""})
    body = consumer_body(current, wanted)
    assert body == {"id": 7, "name": "ws", "note": None, "externalReference": None, "billingEndDate": None,
                    "limitHighStorage": 5.0, "customField": "kept"}


def test_node_body_is_the_whole_node_as_read_with_the_changes():
    current = {"$type": "Node", "href": "h", "actions": [], "id": 5, "cpuCount": 4, "contact": "a",
               "operatingSystem": {"id": 2, "name": "Windows"}, "nodeGroups": [{"id": 9, "name": "WS"}],
               "schedules": [{"id": 3, "name": "DAILY_INCR"}], "proxyAgents": [{"consumerId": 8}], "replicationMode": 1}
    body = node_body(current, {"contact": "b", "domain": {"id": 1}})
    assert body == {"id": 5, "cpuCount": 4, "contact": "b", "operatingSystem": {"id": 2, "name": "Windows"},
                    "nodeGroups": [{"id": 9, "name": "WS"}], "schedules": [{"id": 3, "name": "DAILY_INCR"}],
                    "proxyAgents": [{"consumerId": 8}], "replicationMode": 1, "domain": {"id": 1}}
    assert node_body(None, {"cpuCount": 2}) == {"cpuCount": 2}


NODE = "/v1/bunits/101/consumers/7/node"


@pytest.mark.parametrize("answer", [
    None,                                                          # 404 (missing_ok) or a JSON null the client let through
    {},                                                            # an object without an id
    ApiError("read failed: the answer is not JSON", "GET", NODE, 200, "null"),
    ApiError("read failed: the server answered an empty body", "GET", NODE, 200, ""),
    ApiError("read failed", "GET", NODE, 204, None),
    {"id": 1, "decommissioned": True},                             # a node on its way out
])
def test_no_node_however_the_server_says_so(answer):
    session = Session({NODE: answer})
    assert read_node(session, 101, 7) is None
    with pytest.raises(ValueError, match="has no backup node"):
        read_node(session, 101, 7, missing_ok=False)


def test_a_real_error_reading_the_node_is_not_no_node():
    session = Session({NODE: ApiError("read failed", "GET", NODE, 500, "boom")})
    with pytest.raises(ApiError):
        read_node(session, 101, 7)
    session = Session({NODE: ApiError("read failed: not JSON", "GET", NODE, 200, "<html>")})
    with pytest.raises(ApiError):
        read_node(session, 101, 7)
    assert read_node(Session({NODE: {"id": 1, "decommissioned": True}}), 101, 7, include_deleted=True)["id"] == 1


def test_deletion_marks_and_state():
    assert marked_for_deletion({"scheduledDeletionDate": "2026-12-03T10:00:00Z"})
    assert marked_for_deletion({"archivedDate": "2026-12-03T10:00:00Z"})
    assert marked_for_deletion({"dataSourceState": {"name": "Pending deletion"}})
    assert not marked_for_deletion({"dataSourceState": {"name": "Active"}, "locked": True})
    consumer = {"id": 7, "name": "ws"}
    assert deletion_state(Session({"/v1/bunits/101/consumers/7": None}), 101, consumer) == "deleted"
    assert deletion_state(Session({"/v1/bunits/101/consumers/7": {"id": 7}}), 101, consumer) == "pending"


def test_a_consumer_marked_for_deletion_counts_as_absent():
    marked = {"id": 7, "name": "ws", "scheduledDeletionDate": "2026-12-03T10:00:00Z"}
    fresh = {"id": 8, "name": "ws"}
    session = Session({"list": [{"id": 7, "name": "ws"}, {"id": 8, "name": "ws"}],
                       "/v1/bunits/101/consumers/7": marked, "/v1/bunits/101/consumers/8": fresh})
    assert locate_consumer(session, 101, name="ws") == fresh  # the marked twin is not a duplicate
    assert locate_consumer(session, 101, consumer_id=7) is None
    session.answers["list"] = [{"id": 7, "name": "ws"}]
    assert locate_consumer(session, 101, name="ws") is None


def test_tags_the_body_did_not_write_are_added_and_kept_extras_fail():
    session = Session({"/v1/bunits/101/consumers/7": {"id": 7, "name": "ws", "tags": [{"text": "a"}, {"text": "b"}]}})
    answer = {"id": 7, "name": "ws", "tags": [{"text": "a"}]}
    after = write_tags(session, 101, answer, {"tags": ["a", "b"]})
    assert session.writes == [("POST", "/v1/bunits/101/consumers/7/tags", {"text": "b"})]
    assert [t["text"] for t in after["tags"]] == ["a", "b"]
    assert write_tags(session, 101, answer, {"note": "x"}) is answer  # tags not given: nothing to check
    with pytest.raises(ValueError, match="kept the tags a .*remove them in the portal"):
        write_tags(session, 101, answer, {"tags": []})


def test_a_taken_node_name_says_a_deleted_node_may_hold_it():
    taken = ApiError("activate failed", "GET", NODE + "/activate", 409, "ANR2147E REGISTER NODE: Node WS is already registered")
    plan = NodePlan(Session({"activate": taken}), BUNIT, [], {"id": 7, "name": "ws"}, 1)
    plan.activating = "WS"
    with pytest.raises(ApiError) as caught:
        plan.activate("the backup node of consumption unit 'ws' (id 7)")
    assert "a deleted node still holds it" in caught.value.message and "retention" in caught.value.message
    renamed = ApiError("activate failed", "GET", NODE + "/activate", 409, "The backup node is already activated.")
    plan = NodePlan(Session({"activate": renamed}), BUNIT, [], {"id": 7, "name": "ws"}, 1)
    plan.activating = "WS"
    with pytest.raises(ApiError) as caught:
        plan.activate("label")
    assert caught.value.message == "activate failed"
