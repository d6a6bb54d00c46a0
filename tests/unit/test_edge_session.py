# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EdgeSession against the Edge Filer simulator; what the filer saw is read from its /_sim/stats and /_sim/state."""

import pytest

from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession, firmware_tuple
from ansible_collections.filefleet.office.plugins.module_utils._http import AuthenticationError, SessionExpired

from simulators.harness import Simulators


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    simulators = Simulators(str(tmp_path_factory.mktemp("edge-unit")), edges=4)
    simulators.start()
    yield simulators
    simulators.stop()


def session_for(edge, password=None):
    return EdgeSession(edge["url"], edge["username"], password or edge["password"], ca_path=edge["ca_path"], retries=0)


def requests_seen(sims, edge, before, key):
    return sims.stats(edge)["requests"].get(key, 0) - before["requests"].get(key, 0)


def test_login_bootstrap_token_and_logout(sims):
    edge = sims.info["edges"][0]
    before = sims.stats(edge)
    session = session_for(edge).login()
    assert session.current_user["username"] == "admin"
    assert session.firmware == "7.12.5600.3" and not session.shares_v1
    # The Migrate token is what makes a Migrate resource answer: the filer checks it there.
    response = session.http.request("GET", "/migration/rest/v1/other")
    assert response.status_code == 404, response.text  # 401 would mean the x-mt-x token was not sent
    shares = session.get(session.path("config/fileservices/share"))
    assert [s["name"] for s in shares] == ["cloud"]
    stats = sims.stats(edge)
    assert stats["logins"] - before["logins"] == 1
    assert stats["active_sessions"] >= 1
    for key in ("POST /admingui/api/login", "GET /migration/rest/v1/auth/user", "GET /admingui/api/currentuser",
                "GET /admingui/api/status/device/runningFirmware"):
        assert requests_seen(sims, edge, before, key) == 1, key
    session.close()
    assert requests_seen(sims, edge, before, "POST /admingui/api/logout") == 1
    assert sims.stats(edge)["active_sessions"] == 0


def test_v1_firmware_detected(sims):
    edge = sims.info["edges"][3]
    session = session_for(edge).login()
    try:
        assert session.firmware == "7.11.1000.1"
        assert session.shares_v1
    finally:
        session.close()


def test_wrong_password_is_an_authentication_error_without_the_password(sims):
    edge = sims.info["edges"][1]
    wrong = "Wrong-Pass-%s" % edge["password"][:4]
    session = session_for(edge, password=wrong)
    with pytest.raises(AuthenticationError) as info:
        session.login()
    text = str(info.value) + repr(info.value.to_result())
    assert "wrong username or password" in text
    assert wrong not in text
    assert sims.stats(edge)["failed_logins"] >= 1


def test_expired_session_relogs_in_once(sims):
    edge = sims.info["edges"][1]
    session = session_for(edge).login()
    try:
        before = sims.stats(edge)
        sims.faults(edge, {"expire_sessions": True})
        mode = session.get(session.path("config/cloudsync/mode"))
        assert mode in ("enabled", "disabled")
        assert sims.stats(edge)["logins"] - before["logins"] == 1
    finally:
        session.close()


def test_session_expiring_again_fails_after_one_relogin(sims):
    edge = sims.info["edges"][2]
    session = session_for(edge).login()
    try:
        before = sims.stats(edge)
        sims.faults(edge, {"errors": [{"status": 401, "count": 5, "path": "/admingui/api/config/cloudsync"}]})
        with pytest.raises(SessionExpired):
            session.get(session.path("config/cloudsync/mode"))
        assert sims.stats(edge)["logins"] - before["logins"] == 1
    finally:
        sims.faults(edge, {})
        session.close()


def test_share_names_are_url_encoded(sims):
    edge = sims.info["edges"][2]
    session = session_for(edge).login()
    name = "Plans & Budget #2 100%+ åäö"
    try:
        session.database(session.path("config/fileservices/share"), "add",
                         {"name": name, "volume": "cloud", "directory": "projects", "access": "winAclMode",
                          "clientSideCaching": "manual", "exportToAFP": False, "exportToFTP": False,
                          "exportToNFS": False, "indexed": False, "comment": None, "acl": [], "trustedNFSClients": []})
        stored = session.get(session.path("config/fileservices/share", name))
        assert stored["name"] == name and stored["_classname"] == "ShareConfig"
        names = [s["name"] for s in sims.state(edge)["config"]["fileservices"]["share"]]
        assert name in names
        session.delete(session.path("config/fileservices/share", name))
        names = [s["name"] for s in sims.state(edge)["config"]["fileservices"]["share"]]
        assert name not in names
    finally:
        session.close()


def test_firmware_tuple():
    assert firmware_tuple("7.12.5600.3") == (7, 12, 5600, 3)
    assert firmware_tuple("7.11.1000.1")[:3] < (7, 12, 5400)
    assert firmware_tuple(None) == (0,)
