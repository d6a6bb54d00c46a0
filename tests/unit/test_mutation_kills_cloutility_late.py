# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloutility resolvers (module_utils/_cloutility.py) against a scripted API (mutation testing, docs/mutation.md):
client option sets listed per business unit, business unit paths whose names begin or end with any letter, a tree
answer without a named top business unit (refused naming the read, never a TypeError), and items without a name,
which no name picks; a wait polls every 2 s for 5 minutes by default; the text of a JSON null answer is cut at 200 characters."""

import json

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _cloutility as clou
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, UnexpectedAnswer, WaitTimeout
from test_cloutility_client import Server, make_session
from test_mutation_kills_cloutility import text_session


def collection(path, items):
    return {"href": "https://api.example.com" + path, "total": len(items), "offset": 0, "first": None, "items": items}


def session_with(routes, pages=True):
    server = Server()
    for path, value in routes.items():
        server.routes[path] = (200, collection(path, value) if pages and isinstance(value, list) else value)
    session, http, _clock = make_session(server)
    return session, http


def reads(http):
    return [r["path"] for r in http.requests if r["path"] != "/v1/oauth"]


def test_client_option_sets_are_listed_per_business_unit():
    first, second = "/v1/bunits/101/defaultserver/clientoptionsets", "/v1/bunits/76/defaultserver/clientoptionsets"
    session, http = session_with({first: [{"id": 7, "name": "DEDUP"}, {"id": 8, "name": "ENCRYPT"}],
                                  second: [{"id": 9, "name": "ENCRYPT"}]})
    assert session.resolve_client_option_set(101, "encrypt")["id"] == 8
    assert session.resolve_client_option_set(76, "encrypt")["id"] == 9
    with pytest.raises(ValueError) as failure:
        session.resolve_client_option_set(76, "DEDUP")
    assert str(failure.value) == "client_option_set='DEDUP': no client option set with that name (known: ENCRYPT)"
    assert session.resolve_client_option_set(101, 7)["name"] == "DEDUP"
    assert reads(http) == [first, second]


TREE = {"id": 1, "name": "Xenon AB", "businessUnits": [
    {"id": 2, "name": "Sales X", "businessUnits": [{"id": 3, "name": "XX", "businessUnits": []}]}]}


@pytest.mark.parametrize("path, bid, shown", [
    ("Xenon AB/Sales X", 2, "Xenon AB/Sales X"), ("/Sales X/XX/", 3, "Xenon AB/Sales X/XX"),
    ("Xenon AB", 1, "Xenon AB"), ("sales x", 2, "Xenon AB/Sales X"),
])
def test_business_unit_names_keep_their_first_and_last_letters(path, bid, shown):
    session, _http = session_with({"/v1/bunits": TREE})
    assert session.resolve_bunit(path) == {"id": bid, "name": shown.rsplit("/", 1)[-1], "path": shown}


NAMELESS_TOP = {"id": 1, "businessUnits": [
    {"id": 2, "name": "None", "businessUnits": [{"id": 3, "name": "Sales", "businessUnits": []}]},
    {"id": 4, "name": "XXXX", "businessUnits": [{"id": 5, "name": "Sales", "businessUnits": []}]}]}


@pytest.mark.parametrize("tree, shown", [
    (NAMELESS_TOP, "dict, not a business unit with a name: " + json.dumps(NAMELESS_TOP)[:200]),
    (dict(NAMELESS_TOP, name=""), "dict, not a business unit with a name: " + json.dumps(dict(NAMELESS_TOP, name=""))[:200]),
    ([TREE], "list, not a business unit with a name: " + json.dumps([TREE])[:200]),
    ({}, "dict, not a business unit with a name: {}"), ("Company AB", 'str, not a business unit with a name: "Company AB"'),
])
@pytest.mark.parametrize("wanted", ["None/Sales", "XXXX/Sales", "None", 2])
def test_a_tree_without_a_named_top_business_unit_is_refused_naming_the_read(tree, shown, wanted):
    session, http = session_with({"/v1/bunits": tree}, pages=False)
    with pytest.raises(UnexpectedAnswer) as failure:
        session.resolve_bunit(wanted)
    assert failure.value.message == "read the business unit tree failed: the server answered " + shown
    assert (failure.value.method, failure.value.url, failure.value.status) == ("GET", "https://api.example.com/v1/bunits", 200)
    assert reads(http) == ["/v1/bunits"]


@pytest.mark.parametrize("wanted", ["XXXX", "xxxx", "None", "-"])
def test_an_item_without_a_name_is_picked_by_no_name(wanted):
    with pytest.raises(ValueError) as failure:
        clou.pick([{"id": 7}, {"id": 8, "name": "Linux"}], wanted, "node type", "node_type")
    assert str(failure.value) == "node_type=%r: no node type with that name (known: Linux)" % wanted


def test_a_wait_polls_every_two_seconds_for_five_minutes_by_default():
    session, http, clock = make_session(Server())
    seen = []

    def fetch():
        seen.append(clock())
        return {"syncState": "pending"}
    with pytest.raises(WaitTimeout) as failure:
        session.wait_for(fetch, lambda value: False, "activation of node WS-1", describe=lambda v: v["syncState"])
    assert str(failure.value) == "activation of node WS-1 did not finish within 300 seconds; last seen state: pending"
    assert seen == [1000.0 + 2 * i for i in range(151)] and reads(http) == []
    seen[:] = []
    assert session.wait_for(fetch, lambda value: len(seen) == 3, "x", timeout=10) == {"syncState": "pending"}
    assert seen == [1300.0, 1302.0, 1304.0]


def test_a_json_null_answer_keeps_at_most_200_characters_of_its_text():
    padded = "null" + " " * 300
    session = text_session({"/v1/null": (200, {"raw": padded, "type": "application/json"})})
    with pytest.raises(ApiError) as failure:
        session.get("/v1/null", what="read the node")
    assert (failure.value.message, failure.value.status) == ("read the node failed: the answer is not JSON", 200)
    assert failure.value.server_message == padded[:200]
