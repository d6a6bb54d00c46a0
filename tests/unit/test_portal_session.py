# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PortalSession against the Portal simulator: login, tenant browsing, one re-login on expiry, then a clear error."""

import pytest

from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils._http import AuthenticationError, SessionExpired, ApiError
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession

LOGIN_PAGE = "/ServicesPortal/login.html"


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("portal")), portal=True) as running:
        yield running


def session(sims, password=None):
    portal = sims.info["portal"]
    return PortalSession(portal["url"], portal["username"], password or portal["password"], ca_path=portal["ca_path"])


def test_login_browse_and_logout_counts(sims):
    portal = sims.info["portal"]
    before = sims.stats(portal)
    s = session(sims).login()
    s.browse("acme")
    s.browse("acme")  # already there: no request
    assert s.current_tenant == "acme"
    s.close()
    after = sims.stats(portal)
    assert after["logins"] == before["logins"] + 1
    assert after["requests"].get("PUT /admin/api/currentPortal", 0) == before["requests"].get("PUT /admin/api/currentPortal", 0) + 1
    assert after["active_sessions"] == before["active_sessions"]


def test_bad_password_is_an_authentication_error_without_the_password(sims):
    with pytest.raises(AuthenticationError) as info:
        session(sims, password="Not-The-Password-99").login()
    assert "Not-The-Password-99" not in str(info.value)
    assert info.value.status == 403


def test_expiry_is_renewed_once(sims):
    portal = sims.info["portal"]
    s = session(sims).login()
    s.browse("acme")
    logins = sims.stats(portal)["logins"]
    sims.faults(portal, {"errors": [{"status": 302, "count": 1, "path": "/admin/api/users", "location": LOGIN_PAGE}]})
    assert s.get(s.path("users", "nobody-here"), missing_ok=True) is None
    assert sims.stats(portal)["logins"] == logins + 1
    assert s.current_tenant == "acme"  # the browsed tenant was restored after the new login
    s.close()


def test_expiry_right_after_a_new_login_fails_clearly(sims):
    portal = sims.info["portal"]
    s = session(sims).login()
    s.browse("acme")
    sims.faults(portal, {"errors": [{"status": 302, "count": 2, "path": "/admin/api/users", "location": LOGIN_PAGE}]})
    with pytest.raises(SessionExpired) as info:
        s.get(s.path("users", "nobody-here"), what="read user 'nobody-here'")
    assert "expired again" in str(info.value)
    s.close()


def test_unknown_tenant_names_the_tenant(sims):
    s = session(sims).login()
    with pytest.raises(ApiError) as info:
        s.browse("no-such-tenant")
    assert "no-such-tenant" in str(info.value)
    s.close()
