# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloutility consumption units and backup nodes (plugins/module_utils/_cloutility_resources.py): behaviour that
mutation testing (docs/mutation.md) found unchecked. What the modules return (every key of the consumer and node
views), the bodies and queries sent on the wire, the errors (naming the option and what exists), what counts as
absent, and the node plan's writes in order.

Uses the recording session of test_cloutility_fidelity_logic.py and the in-memory Cloutility of
test_cloutility_resources.py (writes logged as they would go on the wire).
"""

import datetime

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _cloutility_resources as res
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError

from test_cloutility_fidelity_logic import Session
from test_cloutility_resources import FULL, FakeCloutility, consumer_task, node_task

BUNIT = {"id": 101, "name": "Stockholm Office", "path": "Company AB/Stockholm Office"}
CONSUMER = "/v1/bunits/101/consumers/7"


# -- the consumer view (the module's result) ----------------------------------------------------------------------

def test_consumer_view_shows_every_field_normalised():
    consumer = {"id": 7, "name": "LisasWS", "businessUnit": {"id": 76, "name": "Marketing"}, "note": "laptop",
                "externalReference": "CMDB-1", "tags": [{"text": "b"}, {"text": "a"}, "c", {"text": "a"}, {"id": 4}, 5],
                "limitHighStorage": 10.5, "allowNoActivity": False, "billingStartDate": "2026-01-02T00:00:00Z",
                "billingEndDate": "2027-03-04T10:11:12Z", "scheduledDeletionDate": "2027-05-06T00:00:00Z",
                "dataSourceType": {"id": 1, "name": "Filespace"}, "dataSourceState": {"id": 2, "name": "Active"},
                "createdDate": "2025-12-01T08:00:00Z"}
    assert res.consumer_view(consumer) == {
        "id": 7, "name": "LisasWS", "business_unit_id": 76, "business_unit": "Marketing", "note": "laptop",
        "external_reference": "CMDB-1", "tags": ["5", "a", "b", "c"], "storage_limit_gb": 10.5,
        "allow_no_activity": False, "billing_start_date": "2026-01-02", "billing_end_date": "2027-03-04",
        "scheduled_deletion_date": "2027-05-06T00:00:00Z", "data_source_type": "Filespace",
        "data_source_state": "Active", "created_date": "2025-12-01T08:00:00Z"}
    # The business unit the module resolved names the path; its id is used when the consumer does not embed one.
    view = res.consumer_view(consumer, BUNIT)
    assert (view["business_unit_id"], view["business_unit"]) == (76, "Company AB/Stockholm Office")
    view = res.consumer_view({"id": 8, "name": "x", "businessUnit": {"name": "Embedded"}, "note": "",
                              "externalReference": "", "dataSourceType": "Filespace", "dataSourceState": None}, BUNIT)
    assert (view["business_unit_id"], view["business_unit"]) == (101, "Company AB/Stockholm Office")
    assert (view["note"], view["external_reference"], view["tags"]) == (None, None, [])
    assert (view["billing_start_date"], view["billing_end_date"]) == (None, None)
    assert (view["data_source_type"], view["data_source_state"]) == (None, None)
    view = res.consumer_view({"id": 9, "businessUnit": {"id": 0, "name": "Top"}}, BUNIT)
    assert view["business_unit_id"] == 0  # an id of 0 is an id, not a missing one
    view = res.consumer_view({"id": 9, "businessUnit": {"id": 76, "name": "Top"}}, {"id": 101})
    assert view["business_unit"] == "Top"
    assert res.consumer_view({"id": 9})["business_unit_id"] is None
    assert res.consumer_view(None) is None


def test_new_consumer_view_predicts_what_cloutility_creates():
    wanted = res.wanted_consumer_fields({"name": "NewWS", "tags": ["x"], "note": "n", "billing_end_date": "2030-01-01"})
    view = res.new_consumer_view(wanted, BUNIT)
    today = datetime.datetime.utcnow().strftime("%Y-%m-%d")
    assert view == {"id": None, "name": "NewWS", "business_unit_id": 101, "business_unit": "Company AB/Stockholm Office",
                    "note": "n", "external_reference": None, "tags": ["x"], "storage_limit_gb": None,
                    "allow_no_activity": None, "billing_start_date": today, "billing_end_date": "2030-01-01",
                    "scheduled_deletion_date": None, "data_source_type": "None", "data_source_state": "New",
                    "created_date": None}
    wanted = res.wanted_consumer_fields({"name": "NewWS", "billing_start_date": "2026-02-03"})
    assert res.new_consumer_view(wanted, BUNIT)["billing_start_date"] == "2026-02-03"


# -- wanted values and the bodies sent -----------------------------------------------------------------------------

def test_wanted_consumer_fields_normalise_each_kind():
    params = {"name": "ws", "note": "", "external_reference": "CMDB", "tags": ["b", "a", "b", 3], "storage_limit_gb": 5,
              "allow_no_activity": False, "billing_start_date": "2026-01-01", "billing_end_date": ""}
    wanted = res.wanted_consumer_fields(params)
    assert wanted == {"name": "ws", "note": None, "external_reference": "CMDB", "tags": ["3", "a", "b"],
                      "storage_limit_gb": 5.0, "allow_no_activity": False, "billing_start_date": "2026-01-01",
                      "billing_end_date": None}
    assert isinstance(wanted["storage_limit_gb"], float)
    assert res.wanted_consumer_fields({"name": None, "note": None}) == {}  # omitted options are not managed
    assert res.wanted_consumer_fields({"name": ""}) == {"name": ""}  # only optional texts are cleared by ''


def test_consumer_body_keeps_unknown_fields_and_sends_tags_and_dates_as_the_api_wants():
    current = {"$type": "Consumer", "href": "h", "actions": [], "id": 7, "name": "ws", "customField": 1,
               "businessUnit": {"id": 101}, "createdDate": "x", "node": {"id": 1},
               "tags": [{"$type": "Tag", "href": "t", "id": 31, "text": "keep", "colour": "red"}, "loose", {"id": 9}]}
    wanted = {"tags": ["keep", "new"], "billing_start_date": "2026-01-02", "billing_end_date": None, "storage_limit_gb": 2.0}
    assert res.consumer_body(current, wanted) == {
        "id": 7, "name": "ws", "customField": 1, "tags": [{"id": 31, "text": "keep", "colour": "red"}, {"text": "new"}],
        "billingStartDate": "2026-01-02T00:00:00Z", "billingEndDate": None, "limitHighStorage": 2.0}
    assert res.consumer_body(None, {"name": "ws", "allow_no_activity": True}) == {"name": "ws", "allowNoActivity": True}
    assert res.consumer_body(None, {"billing_end_date": "2027-01-31"}) == {"billingEndDate": "2027-01-31T00:00:00Z"}
    assert res.consumer_body({"id": 7, "tags": None}, {}) == {"id": 7, "tags": None}


@pytest.mark.parametrize("value, allow_empty, message", [
    ("2026-1-2", False, "billing_start_date='2026-1-2' is not a date; use YYYY-MM-DD"),
    ("", False, "billing_start_date='' is not a date; use YYYY-MM-DD"),
    ("02.01.2026", True, "billing_start_date='02.01.2026' is not a date; use YYYY-MM-DD (or '' to clear it)"),
    ("2026-02-30", False, "billing_start_date='2026-02-30' is not a valid calendar date"),
    ("2026-13-01", True, "billing_start_date='2026-13-01' is not a valid calendar date"),
    ("2026-12-31x", False, "billing_start_date='2026-12-31x' is not a date; use YYYY-MM-DD"),
])
def test_dates_are_refused_naming_the_option_and_the_format(value, allow_empty, message):
    with pytest.raises(ValueError) as failure:
        res.validate_date("billing_start_date", value, allow_empty=allow_empty)
    assert str(failure.value) == message


def test_dates_that_are_accepted():
    for value, allow_empty in ((None, False), ("", True), ("2024-02-29", False), ("2026-12-31", True), ("2026-01-10", False)):
        assert res.validate_date("billing_end_date", value, allow_empty=allow_empty) is None
    with pytest.raises(ValueError):
        res.validate_date("billing_start_date", "")  # clearing is allowed only where the caller says so


# -- absent, found, duplicates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("item, marked", [
    ({"decommissioned": True}, True),
    ({"decommissioned": False, "dataSourceState": {"name": "Active"}}, False),
    ({"dataSourceState": {"name": "DELETED"}}, True),
    ({"dataSourceState": {"name": "Deleting"}}, True),
    ({"dataSourceState": {"name": "Marked for deletion"}}, True),
    ({"dataSourceState": {"name": "decommissioned"}}, True),
    ({"dataSourceState": {"name": "Pending deletion"}}, True),
    ({"dataSourceState": {"name": None}}, False),
    ({"dataSourceState": None, "scheduledDeletionDate": None, "archivedDate": ""}, False),
    ({}, False),
    (None, False),
    (["deleted"], False),
])
def test_what_counts_as_on_its_way_out(item, marked):
    assert res.marked_for_deletion(item) is marked


class Reads(Session):
    """The fidelity session, logging each consumer read with its ``missing_ok``."""

    def __init__(self, answers=None):
        Session.__init__(self, answers)
        self.reads = []

    def get_consumer(self, bid, cid, missing_ok=True):
        self.reads.append((bid, cid, missing_ok))
        return Session.get_consumer(self, bid, cid)

    def delete(self, path, params=None, what=None, missing_ok=False):
        self.writes.append(("DELETE", path, params, what))


def test_locate_consumer_by_id_or_by_name():
    session = Reads({"list": [{"id": 7, "name": "ws"}, {"id": 9, "name": "other"}], CONSUMER: {"id": 7, "name": "ws"}})
    assert res.locate_consumer(session, 101, consumer_id="7") == {"id": 7, "name": "ws"}
    assert session.reads == [(101, 7, True)]  # an id that does not exist is simply absent
    session.reads[:] = []
    assert res.locate_consumer(session, 101, name="ws") == {"id": 7, "name": "ws"}
    assert session.reads == [(101, 7, False)]  # listed a moment ago: gone now is an error, not "absent"
    assert res.locate_consumer(session, 101, name="nobody") is None
    session.answers[CONSUMER] = {"id": 7, "name": "ws", "archivedDate": "2026-01-01"}
    assert res.locate_consumer(session, 101, name="ws") is None  # the slim list did not show the mark


def test_two_live_consumers_of_one_name_are_an_error_listing_the_ids():
    session = Reads({"list": [{"id": 7, "name": "ws"}, {"id": 8, "name": "ws"}], CONSUMER: {"id": 7, "name": "ws"},
                     CONSUMER[:-1] + "8": {"id": 8, "name": "ws"}})
    with pytest.raises(ValueError) as failure:
        res.locate_consumer(session, 101, name="ws", option="consumer")
    assert str(failure.value) == ("consumer='ws' matches 2 consumption units in business unit 101 (ids 7, 8); give the "
                                  "id of the one to manage")
    assert session.reads == [(101, 7, False), (101, 8, False)]


def test_consumers_named_by_id_or_by_exact_name():
    consumers = [{"id": 1, "name": "twin"}, {"id": 2, "name": "twin"}, {"id": 3, "name": "one"}]
    assert res.consumers_named(consumers, 3, BUNIT) == [consumers[2]]
    assert res.consumers_named(consumers, "one", BUNIT) == [consumers[2]]
    assert res.consumers_named(consumers, "ONE", BUNIT) == []  # names are exact
    assert res.consumers_named(consumers, 4, BUNIT) == []
    with pytest.raises(ValueError) as failure:
        res.consumers_named(consumers, "twin", BUNIT, option="proxy", hint="say which")
    assert str(failure.value) == ("proxy='twin' matches 2 consumption units in business unit 'Company AB/Stockholm Office' "
                                  "(ids 1, 2); say which")
    assert res.split_consumer_ref(" 12 ") == (12, None) and res.split_consumer_ref("ws 1") == (None, "ws 1")


def test_keep_oldest_deletes_only_its_own_newer_twin():
    created = {"id": 9, "name": "ws"}
    session = Reads({"list": [{"id": 10, "name": "ws"}, {"id": 9, "name": "ws"}]})
    assert res.keep_oldest(session, 101, created, {}) == (created, True)
    assert session.writes == []
    assert res.keep_oldest(session, 101, {"name": "ws"}, {}) == ({"name": "ws"}, True)
    assert res.keep_oldest(session, 101, None, {}) == (None, True)
    twins = [{"id": 9, "name": "ws"}, {"id": 12, "name": "ws"}, {"id": 8, "name": "ws", "archivedDate": "2026-01-01"}]
    session = Reads({"list": twins, CONSUMER[:-1] + "9": {"id": 9, "name": "ws", "note": "theirs"}})
    kept, ours = res.keep_oldest(session, 101, {"id": 12, "name": "ws"},
                                 {"delete_associations": False, "deletion_comment": None})
    assert (kept, ours) == ({"id": 9, "name": "ws", "note": "theirs"}, False)
    assert session.reads == [(101, 9, False)]
    assert session.writes == [("DELETE", "/v1/bunits/101/consumers/12",
                               {"deleteAssociations": "true",
                                "deletionComment": "duplicate of consumption unit 9 created by a concurrent run"},
                               "delete consumption unit 'ws' (id 12)")]


def test_delete_sends_the_users_choices():
    session = Reads()
    consumer = {"id": 7, "name": "ws"}
    res.delete_consumer(session, 101, consumer, {"delete_associations": False, "deletion_comment": ""})
    res.delete_consumer(session, 101, consumer, {"delete_associations": True, "deletion_comment": "old"}, node=True)
    assert session.writes == [
        ("DELETE", CONSUMER, {"deleteAssociations": "false"}, "delete consumption unit 'ws' (id 7)"),
        ("DELETE", CONSUMER + "/node", {"deleteAssociations": "true", "deletionComment": "old"},
         "delete the backup node of consumption unit 'ws' (id 7)")]


def test_tags_added_one_by_one_name_the_consumer():
    posted = []

    class Tags(Session):
        def post(self, path, body=None, params=None, what=None):
            posted.append((path, body, what))
    session = Tags({CONSUMER: {"id": 7, "name": "ws", "tags": [{"text": "a"}, {"text": "b"}, {"text": "c"}]}})
    after = res.write_tags(session, 101, {"id": 7, "name": "ws", "tags": [{"text": "a"}]}, {"tags": ["c", "a", "b"]})
    assert posted == [(CONSUMER + "/tags", {"text": "b"}, "add tag 'b' to consumption unit 'ws' (id 7)"),
                      (CONSUMER + "/tags", {"text": "c"}, "add tag 'c' to consumption unit 'ws' (id 7)")]
    assert res.tag_texts(after["tags"]) == ["a", "b", "c"]
    answer = {"id": 7, "name": "ws", "tags": [{"text": "a"}]}
    assert res.write_tags(session, 101, answer, {"tags": ["a"]}) is answer  # nothing to add: no read again
    assert res.write_tags(session, 101, None, {"tags": ["a"]}) is None
    assert res.write_tags(session, 101, {"name": "ws"}, {"tags": ["a"]}) == {"name": "ws"}
    with pytest.raises(ValueError) as failure:
        res.write_tags(session, 101, {"id": 7, "name": "ws", "tags": [{"text": "z"}, {"text": "a"}, {"text": "y"}]},
                       {"tags": ["a"]})
    assert str(failure.value) == ("tags: Cloutility kept the tags y, z of consumption unit 'ws' (id 7) although the "
                                  "update left them out; this server does not remove tags through the consumption unit, "
                                  "remove them in the portal")
    assert len(posted) == 2


# -- the node view (the module's result; the node password only when asked) --------------------------------------

NODE = {"id": 1409, "consumer": {"id": 7, "name": "LisasWS"}, "name": "node name", "operatingSystem": {"name": "Linux"},
        "type": {"name": "File Server"}, "domain": {"name": "STANDARD"}, "clientOptionSet": {"name": "None"},
        "cpuCount": 4, "contact": "lisa@example.com", "tsmName": "LISASWS", "tsmNodeId": 55,
        "activatedDate": "2026-01-01T00:00:00Z", "registeredTime": "2026-01-01T00:00:01Z",
        "lastAccessTime": "2026-01-02T00:00:00Z", "createdDate": "2025-12-31T00:00:00Z", "decommissioned": 0,
        "tsmPassword": "Node-PW-1",
        "proxyAgents": [{"consumerId": 12, "name": "b", "tsmName": "B"}, {"consumerId": None, "name": "z"},
                        {"consumerId": 3, "name": "a", "tsmName": "A"}, {"consumerId": None, "name": "y"}],
        "proxyTargets": None}
TARGETS = [{"consumerId": 21, "name": "t2", "tsmName": "T2"}, {"consumerId": 20, "name": "t1", "tsmName": None}]


def test_node_view_shows_every_field_and_the_password_only_when_asked():
    view = res.node_view(NODE, {"id": 99, "name": "other"}, BUNIT)
    assert view == {
        "id": 1409, "consumer_id": 7, "consumer_name": "LisasWS", "business_unit_id": 101,
        "business_unit": "Company AB/Stockholm Office", "operating_system": "Linux", "node_type": "File Server",
        "domain": "STANDARD", "client_option_set": "None", "cpu_count": 4, "contact": "lisa@example.com",
        "activated": True, "node_name": "LISASWS", "tsm_node_id": 55, "activated_date": "2026-01-01T00:00:00Z",
        "registered_time": "2026-01-01T00:00:01Z", "last_access_time": "2026-01-02T00:00:00Z",
        "proxy_agents": [{"consumer_id": 3, "name": "a", "node_name": "A"}, {"consumer_id": 12, "name": "b", "node_name": "B"},
                         {"consumer_id": None, "name": "y", "node_name": None},
                         {"consumer_id": None, "name": "z", "node_name": None}],
        "proxy_targets": [], "created_date": "2025-12-31T00:00:00Z", "decommissioned": False}
    assert res.node_view(NODE, return_password=True)["tsm_password"] == "Node-PW-1"
    # The proxy targets as read: a rerun that asks for the same targets is no change.
    assert res.node_view(dict(NODE, proxyTargets=TARGETS))["proxy_targets"] == [
        {"consumer_id": 20, "name": "t1", "node_name": None}, {"consumer_id": 21, "name": "t2", "node_name": "T2"}]
    bare = res.node_view({"id": 5, "name": "fallback", "contact": "", "decommissioned": 1, "tsmName": ""},
                         {"id": 99, "name": "theirs"})
    assert (bare["consumer_id"], bare["consumer_name"], bare["contact"]) == (99, "theirs", None)
    assert (bare["activated"], bare["decommissioned"], bare["business_unit_id"], bare["business_unit"]) == (
        False, True, None, None)
    assert res.node_view({"id": 5, "name": "fallback"})["consumer_name"] == "fallback"
    assert res.node_view({"id": 5, "consumer": {"id": 0}}, {"id": 99})["consumer_id"] == 0
    assert res.node_view(None, return_password=True) is None


@pytest.mark.parametrize("current, wanted, matches", [
    ({"id": 2, "name": "Windows"}, 2, True),
    ({"id": 2, "name": "Windows"}, " 2 ", True),
    ({"id": 2, "name": "Windows"}, 3, False),
    ({"id": 2, "name": "Windows"}, " windows ", True),
    ({"id": 2, "name": "Windows"}, "Linux", False),
    ({"id": 2}, "None", False),
    ({"id": 2}, "", True),
    ("Windows", "Windows", False),
    (None, 2, False),
])
def test_a_reference_already_set_is_no_change(current, wanted, matches):
    assert res.reference_matches(current, wanted) is matches


def test_domains_and_option_sets_are_resolved_in_the_business_unit():
    calls = []

    class Resolver:
        def __getattr__(self, name):
            return lambda *args: calls.append((name,) + args) or {"id": 1}
    for _option, _wire, resolver in res.NODE_REFERENCES:
        res.resolve_node_reference(Resolver(), 101, resolver, "x", "opt")
    assert calls == [("resolve_operating_system", "x", "opt"), ("resolve_node_type", "x", "opt"),
                     ("resolve_domain", 101, "x", "opt"), ("resolve_client_option_set", 101, "x", "opt")]


def test_proxy_ids_by_name_or_id_and_the_node_itself_refused():
    consumers = [{"id": 1, "name": "twin"}, {"id": 2, "name": "twin"}, {"id": 3, "name": "one"}, {"id": 4, "name": "One"}]
    missing = []
    assert res.proxy_ids(consumers, ["one", "4", "later"], "proxy_targets", 9,
                         lambda error, warning: missing.append((error, warning))) == {3, 4, "later"}
    assert missing == [("proxy_targets='later': no consumption unit with that name (known: One, one, twin)",
                        "proxy_targets: consumption unit 'later' does not exist; check mode assumes an earlier task "
                        "creates it")]
    with pytest.raises(ValueError) as failure:
        res.proxy_ids(consumers, ["one", 7], "proxy_agents", 7, None)
    assert str(failure.value) == ("proxy_agents holds the node's own consumption unit (id 7); a node cannot be its own "
                                  "proxy")
    with pytest.raises(ValueError) as failure:
        res.proxy_ids(consumers, ["one", "twin"], "proxy_agents", None, None)
    assert "ambiguous" in str(failure.value) and "ids 1, 2" in str(failure.value)
    assert res.proxy_ids(consumers, [], "proxy_agents", 3, None) == set()


def test_blank_references():
    assert [res.blank(v) for v in (None, "", "  ", True, False, {}, [], {"id": 1}, 0, "x", 5)] == [
        True, True, True, True, True, True, True, True, False, False, False]


# -- the node plan: reads, writes in order, activation, proxy relations -------------------------------------------

class NodeSession(FakeCloutility):
    """The in-memory Cloutility with the node's own paths and the waiter's arguments recorded."""

    def wait_for(self, fetch, done, what, timeout=300.0, interval=2.0, describe=None):
        self.writes.append(("wait", what, timeout, describe({"syncState": {"name": "Pending"}}), describe(None)))
        value = fetch()
        assert done(value) and not done({"tsmName": ""}) and not done(None)
        return value


def plan_for(session, cid, timeout=77):
    consumers = session.consumers(BUNIT["id"])
    plan = res.NodePlan(session, BUNIT, consumers, session.get_consumer(BUNIT["id"], cid), timeout)
    plan.read()
    return plan


def params_of(**given):
    params = dict((option, None) for option, _w, _r in res.NODE_REFERENCES)
    params.update((option, None) for option, _w in res.NODE_SCALARS)
    params.update((option, None) for option, _w, _p, _q in res.NODE_PROXIES)
    params.update(node_name=None)
    params.update(given)
    return params


def test_a_new_node_is_created_activated_waited_for_and_given_its_proxies():
    session = NodeSession()
    session.add(7, "LisasWS")
    session.add(8, "FS01", node={"id": 908, "tsmName": "FS01", "proxyAgents": [], "proxyTargets": []})
    plan = plan_for(session, 7)
    assert plan.node is None
    wanted = plan.desired(params_of(proxy_agents=["FS01"], cpu_count=2, contact="", **FULL), "LISASWS", None)
    assert wanted == {"operating_system": "Linux", "node_type": "File Server", "domain": "STANDARD",
                      "client_option_set": "None", "cpu_count": 2, "contact": None, "activated": True,
                      "node_name": "LISASWS", "proxy_agents": [{"consumer_id": 8, "name": "FS01", "node_name": None}]}
    plan.write(wanted)
    node = "/v1/bunits/101/consumers/7/node"
    assert session.writes == [
        ("POST", node, {"operatingSystem": {"id": 1}, "type": {"id": 1}, "domain": {"id": 1}, "clientOptionSet": {"id": 1},
                        "cpuCount": 2, "contact": ""}, None),
        ("activate", 7, "LISASWS"),
        ("wait", "activation of the backup node of consumption unit 'LisasWS' (id 7)", 77,
         "not activated (sync state Pending)", "not activated (sync state None)"),
        ("POST", node + "/proxyagents", None, {"proxyAgentId": 8})]
    assert plan.activating is None
    assert plan.settle()["proxyAgents"] == [{"consumerId": 8, "name": "FS01", "tsmName": None}]


def test_an_existing_node_gets_a_put_of_the_changed_fields_and_its_proxies_follow_the_list():
    session = NodeSession()
    for cid, name in ((8, "FS01"), (9, "FS02")):
        session.add(cid, name)
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LISASWS", "cpuCount": 4, "contact": "a",
                                    "type": {"id": 2, "name": "Workstation"},
                                    "proxyAgents": [{"consumerId": 8, "name": "FS01", "tsmName": "FS01"}],
                                    "proxyTargets": []})
    plan = plan_for(session, 7)
    wanted = plan.desired(params_of(node_type="workstation", contact="b", proxy_agents=["FS02"]), "lisasws".upper(), None)
    assert plan.refs == {}  # the node type is already the one asked for
    assert wanted == {"node_type": "Workstation", "contact": "b", "activated": True, "node_name": "LISASWS",
                      "proxy_agents": [{"consumer_id": 9, "name": "FS02", "node_name": None}]}
    assert plan.steps == [("add", "proxy_agents", "proxyagents", "proxyAgentId", 9),
                          ("remove", "proxy_agents", "proxyagents", "proxyAgentId", 8)]

    deleted = []
    session.delete = lambda path, params=None, what=None, missing_ok=False: deleted.append((path, what))
    plan.write({"contact": None, "proxy_agents": wanted["proxy_agents"]})
    puts = [w for w in session.writes if w[0] == "PUT"]
    assert puts == [("PUT", "/v1/bunits/101/consumers/7/node",
                     {"id": 907, "tsmName": "LISASWS", "cpuCount": 4, "contact": "", "type": {"id": 2, "name": "Workstation"},
                      "proxyAgents": [{"consumerId": 8, "name": "FS01", "tsmName": "FS01"}], "proxyTargets": []})]
    assert ("activate", 7, "LISASWS") not in session.writes and not [w for w in session.writes if w[0] == "wait"]
    assert [w[1:] for w in session.writes if w[0] == "POST"] == [
        ("/v1/bunits/101/consumers/7/node/proxyagents", None, {"proxyAgentId": 9})]
    assert deleted == [("/v1/bunits/101/consumers/7/node/proxyagents/8",
                        "remove consumption unit 8 from the proxy_agents of consumption unit 'LisasWS' (id 7)")]


def test_a_reference_given_by_another_name_is_resolved_and_sent_by_id():
    session = NodeSession()
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "", "operatingSystem": {"id": 1, "name": "Linux"},
                                    "proxyAgents": [], "proxyTargets": []})
    plan = plan_for(session, 7)
    assert plan.desired(params_of(operating_system="Windows", domain="30days"), None, None) == {
        "operating_system": "Windows", "domain": "30DAYS"}
    assert plan.refs == {"operating_system": {"id": 2}, "domain": {"id": 3}}
    plan.write({"domain": "30DAYS"})
    assert session.writes == [("PUT", "/v1/bunits/101/consumers/7/node",
                               {"id": 907, "tsmName": "", "operatingSystem": {"id": 1, "name": "Linux"}, "proxyAgents": [],
                                "proxyTargets": [], "domain": {"id": 3}})]
    session.writes[:] = []
    plan.write({})  # nothing to change: nothing sent
    assert session.writes == []


def test_refusals_of_the_plan_name_the_options():
    session = NodeSession()
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LisasWS", "proxyAgents": [], "proxyTargets": []})
    session.add(8, "Plain", node={"id": 908, "tsmName": None, "proxyAgents": [], "proxyTargets": []})
    plan = plan_for(session, 7)
    assert plan.desired(params_of(), "LISASWS", None) == {"activated": True, "node_name": "LISASWS"}  # case as given
    with pytest.raises(ValueError) as failure:
        plan.desired(params_of(node_name="other"), "OTHER", None)
    assert str(failure.value) == ("node_name='other': the node of 'LisasWS' is already activated as 'LisasWS'; Cloutility "
                                  "cannot rename an activated node")
    plan = plan_for(session, 8)
    for option in ("proxy_agents", "proxy_targets"):
        with pytest.raises(ValueError) as failure:
            plan.desired(params_of(**{option: []}), None, None)
        assert str(failure.value) == "proxy_agents/proxy_targets need an activated node: use state=activated with node_name"
    wanted = plan.desired(params_of(proxy_targets=[]), "PLAIN", None)
    assert wanted == {"activated": True, "node_name": "PLAIN", "proxy_targets": []}


def test_a_taken_node_name_is_explained_only_for_a_conflict():
    for status, server, explained in ((409, "ANR2147E Node is registered", True), (409, "Node already ACTIVATED", False),
                                      (500, "registered", False), (409, None, True)):
        taken = ApiError("activate failed", "GET", "/x", status, server)
        plan = res.NodePlan(Session({"activate": taken}), BUNIT, [], {"id": 7, "name": "ws"}, 1)
        plan.activating = "WS"
        with pytest.raises(ApiError) as failure:
            plan.activate("the node of ws")
        message = failure.value.message
        if explained:
            assert message == ("activate the node of ws as 'WS' failed: the node name is registered on the Storage "
                               "Protect server. Another node has it, or a deleted node still holds it: Storage Protect "
                               "locks or decommissions a deleted node and keeps its name until its retention ends. "
                               "Choose another node_name, or wait until the deleted node is removed")
        else:
            assert message == "activate failed"


def test_activation_is_sent_with_its_name_and_label():
    calls = []

    class Activating(Session):
        def activate_node(self, bid, cid, node_name, what):
            calls.append((bid, cid, node_name, what))
    plan = res.NodePlan(Activating(), BUNIT, [], {"id": 7, "name": "ws"}, 1)
    plan.activating = "WS7"
    plan.activate("the backup node of consumption unit 'ws' (id 7)")
    assert calls == [(101, 7, "WS7", "activate the backup node of consumption unit 'ws' (id 7) as 'WS7'")]


def test_settle_reads_the_node_again_only_when_the_answers_do_not_show_it_all():
    session = NodeSession()
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LISASWS", "cpuCount": 4, "proxyAgents": [], "proxyTargets": []})
    plan = plan_for(session, 7)
    polls = session.polls
    plan.node = {"id": 907, "cpuCount": 8}
    assert plan.settle() == {"id": 907, "cpuCount": 8} and session.polls == polls
    for answer in (None, {"cpuCount": 8}, "accepted"):
        plan.node = answer
        assert plan.settle()["cpuCount"] == 4
    plan.node, plan.steps = {"id": 907}, [("add", "proxy_agents", "proxyagents", "proxyAgentId", 9)]
    assert plan.settle()["tsmName"] == "LISASWS"
    del session.consumers_by_id[7]["node"]
    with pytest.raises(ValueError) as failure:
        plan.settle()
    assert str(failure.value) == "consumption unit 7 has no backup node (any more)"


# -- through the modules: results and diffs -----------------------------------------------------------------------

def test_the_consumer_module_sends_dates_and_limits_as_the_api_wants_and_converges():
    clou = FakeCloutility()
    created = consumer_task(clou, name="LisasWS", note="n", billing_start_date="2026-02-01", storage_limit_gb=3)
    assert created["changed"] and created["consumer"]["billing_start_date"] == "2026-02-01"
    assert clou.writes[0][2]["billingStartDate"] == "2026-02-01T00:00:00Z" and clou.writes[0][2]["limitHighStorage"] == 3.0
    again = consumer_task(clou, name="LisasWS", note="n", billing_start_date="2026-02-01", storage_limit_gb=3)
    assert not again["changed"]


def test_the_node_module_returns_no_password_unless_asked():
    clou = FakeCloutility()
    clou.add(409, "LisasWS", node={"id": 1409, "tsmName": "LISASWS", "tsmPassword": "Node-PW-2", "proxyAgents": [],
                                   "proxyTargets": []})
    result, _module = node_task(clou, consumer="LisasWS", state="present", return_password=False)
    assert "tsm_password" not in result["node"]


def test_a_node_with_its_proxy_targets_already_set_is_not_changed():
    clou = FakeCloutility()
    clou.add(410, "FS01", node={"id": 1410, "tsmName": "FS01", "proxyAgents": [], "proxyTargets": []})
    clou.add(409, "LisasWS", node={"id": 1409, "tsmName": "LISASWS", "proxyAgents": [],
                                   "proxyTargets": [{"consumerId": 410, "name": "FS01", "tsmName": "FS01"}]})
    result, _module = node_task(clou, consumer="LisasWS", proxy_targets=["FS01"])
    assert not result["changed"] and clou.writes == []
    assert result["node"]["proxy_targets"] == [{"consumer_id": 410, "name": "FS01", "node_name": "FS01"}]


def test_agents_and_targets_changed_together_are_both_written():
    clou = FakeCloutility()
    for cid, name in ((410, "FS01"), (411, "FS02")):
        clou.add(cid, name, node={"id": 1000 + cid, "tsmName": name, "proxyAgents": [], "proxyTargets": []})
    clou.add(409, "LisasWS", node={"id": 1409, "tsmName": "LISASWS", "proxyAgents": [], "proxyTargets": []})
    result, _module = node_task(clou, consumer="LisasWS", proxy_agents=["FS01"], proxy_targets=["FS02"])
    assert result["changed"]
    assert [(w[0], w[1], w[3]) for w in clou.writes if w[0] == "POST"] == [
        ("POST", "/v1/bunits/76/consumers/409/node/proxyagents", {"proxyAgentId": 410}),
        ("POST", "/v1/bunits/76/consumers/409/node/proxytargets", {"proxyTargetId": 411})]
    again, _module = node_task(clou, consumer="LisasWS", proxy_agents=["FS01"], proxy_targets=["FS02"])
    assert not again["changed"]


def test_the_predicted_proxies_keep_what_is_known_of_existing_relations():
    session = NodeSession()
    session.add(8, "FS01")
    session.add(9, "FS02")
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LISASWS", "proxyAgents": [],
                                    "proxyTargets": [{"consumerId": 8, "name": "FS01 (as Cloutility shows it)",
                                                      "tsmName": "FS01NODE"}]})
    plan = plan_for(session, 7)
    wanted = plan.desired(params_of(proxy_targets=["FS01", 9]), None, None)
    assert wanted == {"proxy_targets": [{"consumer_id": 8, "name": "FS01 (as Cloutility shows it)", "node_name": "FS01NODE"},
                                        {"consumer_id": 9, "name": "FS02", "node_name": None}]}
    assert plan.steps == [("add", "proxy_targets", "proxytargets", "proxyTargetId", 9)]


def test_proxy_and_reference_problems_name_the_option():
    session = NodeSession()
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LISASWS", "proxyAgents": [], "proxyTargets": []})
    plan = plan_for(session, 7)
    warned = []
    plan.desired(params_of(proxy_targets=["NotYet"]), None, lambda error, warning: warned.append((error, warning)))
    assert warned == [("proxy_targets='NotYet': no consumption unit with that name (known: LisasWS)",
                       "proxy_targets: consumption unit 'NotYet' does not exist; check mode assumes an earlier task "
                       "creates it")]
    with pytest.raises(ValueError) as failure:
        plan.desired(params_of(proxy_agents=[7]), None, None)
    assert str(failure.value).startswith("proxy_agents holds the node's own consumption unit (id 7)")

    resolved = []

    class Resolving(NodeSession):
        def resolve_domain(self, bid, value, option):
            resolved.append((bid, value, option))
            return {"id": 3, "name": "30DAYS"}

        def resolve_node_type(self, value, option):
            resolved.append((value, option))
            return {"id": 2, "name": "Workstation"}
    session = Resolving()
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LISASWS", "proxyAgents": [], "proxyTargets": []})
    plan = plan_for(session, 7)
    plan.desired(params_of(domain="30days", node_type=2), None, None)
    assert resolved == [(2, "node_type"), (101, "30days", "domain")]  # domains are per business unit


def test_a_cpu_count_of_zero_is_managed_and_an_empty_contact_clears_it():
    session = NodeSession()
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LISASWS", "cpuCount": 4, "contact": "a", "proxyAgents": [],
                                    "proxyTargets": []})
    plan = plan_for(session, 7)
    assert plan.desired(params_of(cpu_count=0, contact=""), None, None) == {"cpu_count": 0, "contact": None}
    plan.write({"cpu_count": 0})
    assert session.writes[-1][2]["cpuCount"] == 0


def test_proxies_are_shown_in_the_order_of_their_ids_then_those_without_an_id_by_name():
    related = [{"consumerId": 12, "name": "a"}, {"consumerId": None, "name": "m"}, {"consumerId": 3, "name": "b"},
               {"consumerId": None, "name": "k"}]
    assert [(r["consumer_id"], r["name"]) for r in res.proxy_view(related)] == [(3, "b"), (12, "a"), (None, "k"), (None, "m")]


class Listing(Reads):
    """Also records the business unit each listing by name asks."""

    def __init__(self, answers=None):
        Reads.__init__(self, answers)
        self.listed = []

    def find_consumers(self, bid, name):
        self.listed.append((bid, name))
        return Reads.find_consumers(self, bid, name)


def test_lookups_by_name_list_the_right_business_unit_and_read_each_twin_once():
    marked = {"id": 7, "name": "ws", "scheduledDeletionDate": "2026-12-03T10:00:00Z"}
    session = Listing({"list": [{"id": 7, "name": "ws"}, {"id": 8, "name": "ws"}], CONSUMER: marked,
                       CONSUMER[:-1] + "8": {"id": 8, "name": "ws"}})
    assert res.locate_consumer(session, 101, name="ws") == {"id": 8, "name": "ws"}
    assert session.listed == [(101, "ws")] and session.reads == [(101, 7, False), (101, 8, False)]
    session.listed[:] = []
    session.answers["/v1/bunits/101/consumers/9"] = {"id": 9, "name": "ws"}
    res.keep_oldest(session, 101, {"id": 9, "name": "ws"}, {"delete_associations": True, "deletion_comment": None})
    assert session.listed == [(101, "ws")]


def test_duplicate_names_are_refused_naming_the_default_options():
    session = Reads({"list": [{"id": 7, "name": "ws"}, {"id": 8, "name": "ws"}], CONSUMER: {"id": 7, "name": "ws"},
                     CONSUMER[:-1] + "8": {"id": 8, "name": "ws"}})
    with pytest.raises(ValueError) as failure:
        res.locate_consumer(session, 101, name="ws")
    assert str(failure.value).startswith("name='ws' matches 2 consumption units")
    with pytest.raises(ValueError) as failure:
        res.consumers_named([{"id": 1, "name": "ws"}, {"id": 2, "name": "ws"}], "ws", BUNIT)
    assert str(failure.value).startswith("consumer='ws' matches 2 consumption units")


def test_the_consumer_read_again_after_adding_tags_must_still_exist():
    class Tags(Reads):
        def post(self, path, body=None, params=None, what=None):
            self.writes.append(("POST", path, body))
    session = Tags({CONSUMER: {"id": 7, "name": "ws", "tags": [{"text": "a"}, {"text": "b"}]}})
    res.write_tags(session, 101, {"id": 7, "name": "ws", "tags": [{"text": "a"}]}, {"tags": ["a", "b"]})
    assert session.reads == [(101, 7, False)]


def test_the_node_plan_reads_the_node_in_its_business_unit():
    asked = []

    class Nodes(NodeSession):
        def get_node(self, bid, cid, missing_ok=True):
            asked.append((bid, cid))
            return NodeSession.get_node(self, bid, cid, missing_ok)
    session = Nodes()
    session.add(7, "LisasWS", node={"id": 907, "tsmName": "LISASWS", "proxyAgents": [], "proxyTargets": []})
    plan = plan_for(session, 7)
    plan.node = None
    plan.settle()
    assert asked == [(101, 7), (101, 7)]


def test_every_write_of_the_node_plan_names_its_operation_and_the_consumption_unit():
    """What each write is called is what its error says when it fails: the node, the unit and the relation."""
    session = NodeSession()
    session.add(7, "LisasWS")
    session.add(8, "FS01", node={"id": 908, "tsmName": "FS01", "proxyAgents": [], "proxyTargets": []})
    named = []
    for verb in ("post", "put"):
        def record(path, body=None, what=None, _real=getattr(session, verb), _verb=verb.upper(), **kwargs):
            named.append((_verb, what))
            return _real(path, body, what=what, **kwargs)
        setattr(session, verb, record)
    real_activate = session.activate_node

    def activate(bunit_id, consumer_id, name, what=None):
        named.append(("activate", what))
        return real_activate(bunit_id, consumer_id, name, what=what)
    session.activate_node = activate
    plan = plan_for(session, 7)
    plan.write(plan.desired(params_of(proxy_agents=["FS01"], cpu_count=2, **FULL), "LISASWS", None))
    label = "the backup node of consumption unit 'LisasWS' (id 7)"
    assert named == [("POST", "create " + label), ("activate", "activate %s as 'LISASWS'" % label),
                     ("POST", "add consumption unit 8 to the proxy_agents of consumption unit 'LisasWS' (id 7)")]
    del named[:]
    plan = plan_for(session, 7)
    plan.write({"contact": "it@example.com"})
    assert named == [("PUT", "update " + label)]
