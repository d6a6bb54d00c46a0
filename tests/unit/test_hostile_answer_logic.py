# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two answers that decoded to an empty success before the hostile-answer matrix (test_hostile_answers.py):
well-formed XML that is not CTERA's (``<response>ok</response>``) to a Portal or Edge read, and a JSON object that
is not a collection (``{"status": "ok"}``) to a Cloutility listing. Both are now errors naming the URL and what
came back; CTERA's own documents and Cloutility's pages still pass."""

import pytest

from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils._http import CTERA_XML_START, UnexpectedAnswer
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession
from ansible_collections.filefleet.office.plugins.module_utils._cloutility import CloutilitySession

SHARES = "/admingui/api/config/fileservices/share"


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("hostile")), portal=True, edges=1, cloutility=True) as running:
        yield running


@pytest.mark.parametrize("text", ['<?xml version="1.0" encoding="UTF-8"?>\n<obj class="x"><att id="a"/></obj>',
                                  "<val>7</val>", "<list />", "<obj/>", '<db id="config">'])
def test_ctera_documents_are_recognised(text):
    assert CTERA_XML_START.match(text)


@pytest.mark.parametrize("text", ["<response>ok</response>", '<?xml version="1.0"?><status>ok</status>',
                                  "<object/>", "<values>1</values>"])
def test_other_xml_is_not_ctera(text):
    assert not CTERA_XML_START.match(text)


def test_portal_and_edge_refuse_xml_that_is_not_ctera(sims):
    portal, edge = sims.info["portal"], sims.info["edges"][0]
    session = PortalSession(portal["url"], portal["username"], portal["password"], ca_path=portal["ca_path"]).login()
    filer = EdgeSession(edge["url"], edge["username"], edge["password"], ca_path=edge["ca_path"]).login()
    try:
        session.browse("acme")
        sims.faults(portal, {"foreign": [{"kind": "xml", "count": 10, "path": "/admin/api/users"}]})
        sims.faults(edge, {"foreign": [{"kind": "xml", "count": 10, "path": SHARES}]})
        with pytest.raises(UnexpectedAnswer) as users:
            list(session.query(session.path("users"), include=["name"], what="list users"))
        with pytest.raises(UnexpectedAnswer) as shares:
            filer.get(filer.path("config/fileservices/share"), what="list shares")
    finally:
        sims.faults(portal, {})
        sims.faults(edge, {})
        session.close()
        filer.close()
    for info, path in ((users, "/admin/api/users"), (shares, SHARES)):
        assert path in str(info.value) and "XML that is not the API's" in str(info.value)
        assert "<response>ok</response>" in str(info.value)


def test_cloutility_list_refuses_an_object_that_is_not_a_collection(sims):
    clou = sims.info["cloutility"]
    session = CloutilitySession(clou["url"], clou["username"], clou["password"], clou["client_id"], clou["origin"],
                                ca_path=clou["ca_path"])
    session.login()
    assert session.consumers(102) == []  # an empty business unit is an empty list
    sims.faults(clou, {"foreign": [{"kind": "json", "count": 10, "path": "/v1/bunits/102/consumers"}]})
    try:
        with pytest.raises(UnexpectedAnswer) as info:
            session.consumers(102)
    finally:
        sims.faults(clou, {})
    assert "/v1/bunits/102/consumers" in str(info.value) and '{"status": "ok"}' in str(info.value)
