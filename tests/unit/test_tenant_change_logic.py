# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_portal_tenancy.change_tenant under every answer a portal may give to the inferred tenant change (the whole
TeamPortal object put back; cterasdk has no call for it): the tenant is read back, and a change the portal refused
or did not apply fails naming it. The same answers as the Portal simulator's mode tenant_put, which
tests/integration/test_portal_tenancy.py runs through ansible-playbook."""

import copy

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _portal_tenancy as tenancy
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError

TENANT = {"@class": "TeamPortal", "name": "co", "uid": 7, "displayName": "Co", "externalPortalId": "B-1",
          "companyName": "Co AB", "comment": None, "plan": "objs/1//Plan/Default", "createDate": "2026-01-01"}


class Portal:
    """A portal holding one tenant that answers the PUT as ``answer`` says: empty, object, ignored, or an HTTP
    status (refused)."""

    def __init__(self, answer):
        self.answer = answer
        self.tenant = copy.deepcopy(TENANT)
        self.puts = []

    @staticmethod
    def path(*segments):
        return "/admin/api" + "".join("/" + str(s) for s in segments)

    def get(self, path, what=None, missing_ok=False):
        assert path == "/admin/api/portals/co"
        return copy.deepcopy(self.tenant)

    def get_multi(self, path, attributes, what=None, missing_ok=False):
        assert path == "/admin/api/portals/co"
        return dict((key, self.tenant.get(key)) for key in list(attributes) + ["name"])

    def put(self, path, value, what=None):
        self.puts.append((path, copy.deepcopy(value)))
        if isinstance(self.answer, int):
            raise ApiError("%s: HTTP %d" % (what, self.answer), method="PUT", url=path, status=self.answer,
                           server_message="Method Not Allowed")
        if self.answer != "ignored":
            self.tenant = copy.deepcopy(value)
        return copy.deepcopy(self.tenant) if self.answer == "object" else None


@pytest.mark.parametrize("answer", ["empty", "object"])
def test_applied_change_returns_the_tenant_read_back(answer):
    portal = Portal(answer)
    after = tenancy.change_tenant(portal, "co", {"display_name": "Renamed", "comment": "New"})
    assert (after["display_name"], after["comment"], after["company"]) == ("Renamed", "New", "Co AB")
    # The whole object went back, with only the changed attributes different.
    [(path, sent)] = portal.puts
    assert path == "/admin/api/portals/co"
    assert sent == dict(TENANT, displayName="Renamed", comment="New")


def test_ignored_change_fails_naming_what_the_portal_holds():
    portal = Portal("ignored")
    with pytest.raises(ApiError) as caught:
        tenancy.change_tenant(portal, "co", {"display_name": "Renamed", "billing_id": "B-1"})
    message = str(caught.value)
    assert "did not apply it" in message and "display_name is 'Co', not 'Renamed'" in message
    assert "billing_id" not in message.split("read back:")[1]  # an unchanged value is not reported as missed
    assert "global administration" in message


@pytest.mark.parametrize("status", [400, 404, 405, 501])
def test_refused_change_fails_saying_the_request_is_not_taken(status):
    portal = Portal(status)
    with pytest.raises(ApiError) as caught:
        tenancy.change_tenant(portal, "co", {"comment": "New"})
    assert caught.value.status == status
    assert "change comment of tenant 'co': the portal refused the request" in str(caught.value)
    assert portal.tenant == TENANT


def test_other_failures_keep_their_own_error():
    portal = Portal(503)
    with pytest.raises(ApiError) as caught:
        tenancy.change_tenant(portal, "co", {"comment": "New"})
    assert "refused the request" not in str(caught.value) and caught.value.status == 503
