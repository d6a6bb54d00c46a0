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
        self.whats = []

    @staticmethod
    def path(*segments):
        return "/admin/api" + "".join("/" + str(s) for s in segments)

    def get(self, path, what=None, missing_ok=False):
        assert path == "/admin/api/portals/co"
        self.whats.append(("get", what, missing_ok))
        return copy.deepcopy(self.tenant)

    def get_multi(self, path, attributes, what=None, missing_ok=False):
        assert path == "/admin/api/portals/co"
        self.whats.append(("get_multi", what, missing_ok))
        if self.tenant is None:
            return None
        return dict((key, self.tenant.get(key)) for key in list(attributes) + ["name"])

    def execute(self, path, method, param=None, what=None):
        """The trash can's listing (read_tenant looks there when the tenant is not live): no tenant in it."""
        self.whats.append(("execute", method, what))
        return {"objects": [], "hasMore": False}

    def put(self, path, value, what=None):
        self.puts.append((path, copy.deepcopy(value)))
        self.whats.append(("put", what, None))
        if isinstance(self.answer, int):
            raise ApiError("%s: HTTP %d" % (what, self.answer), method="PUT", url=path, status=self.answer,
                           server_message="Method Not Allowed")
        if self.answer == "gone":
            self.tenant = None
            return None
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


def test_the_requests_name_their_operation_and_the_change_lists_every_field_in_order():
    portal = Portal("empty")
    tenancy.change_tenant(portal, "co", {"comment": "c", "company": "Co Oy", "display_name": "D", "billing_id": "B-2"})
    assert portal.whats[:2] == [("get", "read tenant 'co'", False), ("put", "change tenant 'co'", None)]
    assert portal.whats[2] == ("get_multi", "read tenant 'co'", True)
    portal = Portal("ignored")
    with pytest.raises(ApiError) as caught:
        tenancy.change_tenant(portal, "co", {"comment": "c", "company": "Co Oy", "display_name": "D"})
    assert str(caught.value).startswith(
        "change display_name, company, comment of tenant 'co': the portal answered without an error but did not "
        "apply it (read back: comment is None, not 'c'; company is 'Co AB', not 'Co Oy'; display_name is 'Co', "
        "not 'D'). The CTERA SDK has no call for this change and this portal ignores the whole tenant object put "
        "back (PUT /portals/co); change them in the portal's global administration instead")


def test_a_refusal_keeps_the_method_url_status_and_server_message_and_says_where_to_change_it():
    portal = Portal(405)
    with pytest.raises(ApiError) as caught:
        tenancy.change_tenant(portal, "co", {"company": "Co Oy", "comment": "x"})
    error = caught.value
    assert (error.method, error.url, error.status, error.server_message) == (
        "PUT", "/admin/api/portals/co", 405, "Method Not Allowed")
    assert error.message == (
        "change company, comment of tenant 'co': the portal refused the request (the CTERA SDK has no call for this "
        "change; the collection puts the whole tenant object back, PUT /portals/co, which this portal does not "
        "take). Change them in the portal's global administration instead")


def test_a_tenant_gone_after_the_change_or_not_an_object_is_an_error_naming_it():
    portal = Portal("gone")
    with pytest.raises(ApiError) as caught:
        tenancy.change_tenant(portal, "co", {"comment": "x"})
    assert caught.value.message == "change comment of tenant 'co': the tenant is gone after the change"
    portal = Portal("empty")
    portal.tenant = "not a tenant"
    with pytest.raises(ValueError) as caught:
        tenancy.change_tenant(portal, "co", {"comment": "x"})
    assert str(caught.value) == "read tenant 'co': the portal answered no tenant object"
    assert portal.puts == []
