# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Portal user-defined methods against the simulator: a gateway error on a method that only reads (getMembers, as
the SDK lists a group's members) is retried like a GET; one on a method that writes (addGroup) is not, so nothing
is created twice. Found by the fault matrix (tests/integration/test_fault_matrix.py): office_onboarding failed on a
single 503 while listing group members."""

import pytest

from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils._http import ServerError
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("portal")), portal=True) as running:
        yield running


def login(sims):
    portal = sims.info["portal"]
    session = PortalSession(portal["url"], portal["username"], portal["password"], ca_path=portal["ca_path"]).login()
    session.browse("acme")
    return session


def test_a_read_only_method_is_retried_and_a_writing_one_is_not(sims):
    portal = sims.info["portal"]
    session = login(sims)
    param = {"_classname": "AddGroupParam",
             "groupData": {"_classname": "PortalGroup", "name": "ro-team", "description": "read-only test"}}
    sims.faults(portal, {"errors": [{"status": 503, "count": 1, "method": "POST", "path": "/admin/api"}]})
    with pytest.raises(ServerError) as info:
        session.execute(session.path(), "addGroup", param)
    assert info.value.status == 503 and "addGroup" in str(info.value)
    assert "ro-team" not in sims.state(portal)["tenants"]["acme"]["groups"]
    session.execute(session.path(), "addGroup", param)

    before = sims.stats(portal)["requests"].get("POST /admin/api/localGroups/ro-team", 0)
    sims.faults(portal, {"errors": [{"status": 503, "count": 1, "path": "/admin/api/localGroups/ro-team"}]})
    page = session.execute(session.path("localGroups", "ro-team"), "getMembers", {"startFrom": 0, "countLimit": 50})
    assert (page or {}).get("objects") in (None, [])
    assert sims.stats(portal)["requests"]["POST /admin/api/localGroups/ro-team"] == before + 2
    assert list(sims.state(portal)["tenants"]["acme"]["groups"]).count("ro-team") == 1
    session.close()
