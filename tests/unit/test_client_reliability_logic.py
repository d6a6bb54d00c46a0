# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client reliability against the simulators (Portal, Edge, Cloutility), with the simulators' /_sim/stats and
/_sim/state as the independent reader: logins retried like reads but refusals never, gateway errors reported as
what they are, an Edge session expiring during login renewed once, answers that are not the API's refused,
bounded bodies and messages, secrets redacted in every encoding, names that would change a URL refused."""

import base64
import json

import pytest

from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils import _http
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    AuthenticationError, InvalidName, Redactor, ServerError, SessionExpired, UnexpectedAnswer, join_url,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession
from ansible_collections.filefleet.office.plugins.module_utils._cloutility import CloutilitySession

USERS = "/admin/api/users"
SHARES = "config/fileservices/share"


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("reliability")), portal=True, edges=1, cloutility=True) as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults(sims):
    yield
    for entry in (sims.info["portal"], sims.info["edges"][0], sims.info["cloutility"]):
        sims.faults(entry, {})


def no_sleep(_seconds):
    return None


def portal_session(sims, password=None, url=None):
    portal = sims.info["portal"]
    session = PortalSession(url or portal["url"], portal["username"], password or portal["password"],
                            ca_path=portal["ca_path"])
    session.http._sleep = no_sleep  # pylint: disable=protected-access
    return session


def edge_session(sims, password=None):
    edge = sims.info["edges"][0]
    session = EdgeSession(edge["url"], edge["username"], password or edge["password"], ca_path=edge["ca_path"])
    session.http._sleep = no_sleep  # pylint: disable=protected-access
    return session


def cloutility_session(sims, password=None):
    clou = sims.info["cloutility"]
    session = CloutilitySession(clou["url"], clou["username"], password or clou["password"], clou["client_id"],
                                clou["origin"], ca_path=clou["ca_path"])
    session.http._sleep = no_sleep  # pylint: disable=protected-access
    return session


def seen(sims, entry, before, key):
    return sims.stats(entry)["requests"].get(key, 0) - before["requests"].get(key, 0)


# -- 1. logins are retried like reads; refused credentials never ----------------------------------------------
@pytest.mark.parametrize("fault", [
    {"errors": [{"status": 502, "count": 1, "path": "/admin/api/login"}]},
    {"errors": [{"status": 503, "count": 1, "path": "/admin/api/login"}]},
    {"errors": [{"status": 429, "count": 1, "path": "/admin/api/login", "retry_after": 0}]},
    {"drop": [{"count": 1, "path": "/admin/api/login"}]},
])
def test_portal_login_is_retried_on_gateway_errors_and_drops(sims, fault):
    portal = sims.info["portal"]
    before = sims.stats(portal)
    sims.faults(portal, fault)
    session = portal_session(sims).login()
    session.close()
    assert seen(sims, portal, before, "POST /admin/api/login") == 2
    assert sims.stats(portal)["logins"] - before["logins"] == 1


def test_services_portal_login_is_retried_but_a_refusal_is_sent_once(sims):
    portal = sims.info["portal"]
    before = sims.stats(portal)
    sims.faults(portal, {"errors": [{"status": 503, "count": 1, "path": "/ServicesPortal/api/login"}]})
    with pytest.raises(AuthenticationError):
        portal_session(sims, password="Wrong-Password-1", url=portal["url"] + "/ServicesPortal").login()
    assert seen(sims, portal, before, "POST /ServicesPortal/api/login") == 2  # the 503, then one refusal
    assert sims.stats(portal)["failed_logins"] - before["failed_logins"] == 1


def test_portal_wrong_password_costs_exactly_one_attempt(sims):
    portal = sims.info["portal"]
    before = sims.stats(portal)
    with pytest.raises(AuthenticationError):
        portal_session(sims, password="Wrong-Password-2").login()
    assert seen(sims, portal, before, "POST /admin/api/login") == 1
    assert sims.stats(portal)["failed_logins"] - before["failed_logins"] == 1


@pytest.mark.parametrize("fault", [
    {"errors": [{"status": 502, "count": 1, "path": "/admingui/api/login"}]},
    {"errors": [{"status": 429, "count": 1, "path": "/admingui/api/login", "retry_after": 0}]},
    {"drop": [{"count": 1, "path": "/admingui/api/login"}]},
])
def test_edge_login_is_retried_on_gateway_errors_and_drops(sims, fault):
    edge = sims.info["edges"][0]
    before = sims.stats(edge)
    sims.faults(edge, fault)
    session = edge_session(sims).login()
    session.close()
    assert seen(sims, edge, before, "POST /admingui/api/login") == 2
    assert sims.stats(edge)["logins"] - before["logins"] == 1


def test_edge_wrong_password_costs_exactly_one_attempt(sims):
    edge = sims.info["edges"][0]
    before = sims.stats(edge)
    with pytest.raises(AuthenticationError):
        edge_session(sims, password="Wrong-Password-3").login()
    assert seen(sims, edge, before, "POST /admingui/api/login") == 1  # the filer's 500 refusal is not retried
    assert sims.stats(edge)["failed_logins"] - before["failed_logins"] == 1


@pytest.mark.parametrize("fault", [
    {"errors": [{"status": 502, "count": 1, "path": "/v1/oauth"}]},
    {"errors": [{"status": 503, "count": 2, "path": "/v1/oauth"}]},
    {"errors": [{"status": 429, "count": 1, "path": "/v1/oauth", "retry_after": 0}]},
    {"drop": [{"count": 1, "path": "/v1/oauth"}]},
])
def test_cloutility_login_is_retried_on_gateway_errors_and_drops(sims, fault):
    clou = sims.info["cloutility"]
    before = sims.stats(clou)
    sims.faults(clou, fault)
    session = cloutility_session(sims).login()
    assert session.get(session.path("bunits"), what="read the business unit tree")["id"]
    expected = 1 + (fault.get("errors") or fault.get("drop"))[0]["count"]
    assert seen(sims, clou, before, "POST /v1/oauth") == expected
    assert sims.stats(clou)["logins"] - before["logins"] == 1


def test_cloutility_wrong_password_costs_exactly_one_attempt(sims):
    clou = sims.info["cloutility"]
    before = sims.stats(clou)
    with pytest.raises(AuthenticationError) as info:
        cloutility_session(sims, password="Wrong-Password-4").login()
    assert "check cloutility_username, cloutility_password" in str(info.value)
    assert seen(sims, clou, before, "POST /v1/oauth") == 1
    assert sims.stats(clou)["failed_logins"] - before["failed_logins"] == 1
    assert sims.state(clou)["user"]["failedLoginAttempts"] == 1
    cloutility_session(sims).login()  # a good login resets the simulator's lockout counter for later tests
    assert sims.state(clou)["user"]["failedLoginAttempts"] == 0


# -- 2. Cloutility says what happened on /v1/oauth ------------------------------------------------------------
@pytest.mark.parametrize("status", [502, 503, 429])
def test_cloutility_gateway_error_on_oauth_is_not_blamed_on_the_credentials(sims, status):
    clou = sims.info["cloutility"]
    before = sims.stats(clou)
    sims.faults(clou, {"errors": [{"status": status, "count": 10, "path": "/v1/oauth", "retry_after": 0}]})
    with pytest.raises(ServerError if status >= 500 else _http.HTTPStatusError) as info:
        cloutility_session(sims).login()
    text = str(info.value)
    assert "check cloutility" not in text and "refused" not in text
    assert "HTTP %d" % status in text and "/v1/oauth" in text and "after 3 retries" in text
    assert seen(sims, clou, before, "POST /v1/oauth") == 4
    assert sims.stats(clou)["failed_logins"] == before["failed_logins"]
    # the grant was not remembered as refused: once the gateway recovers, a new login goes through
    sims.faults(clou, {})
    cloutility_session(sims).login()


def test_cloutility_redirect_on_oauth_names_the_redirect(sims):
    clou = sims.info["cloutility"]
    sims.faults(clou, {"foreign": [{"kind": "redirect", "count": 1, "path": "/v1/oauth"}]})
    with pytest.raises(UnexpectedAnswer) as info:
        cloutility_session(sims).login()
    text = str(info.value)
    assert "redirected to http://captive.example/login" in text and "/v1/oauth" in text
    assert "check cloutility" not in text
    assert sims.stats(clou)["faults"]["foreign"][0]["count"] == 0


# -- 3. an Edge session expiring right after login is renewed once --------------------------------------------
def test_edge_session_expiring_before_the_migrate_token_is_renewed_once(sims):
    edge = sims.info["edges"][0]
    before = sims.stats(edge)
    sims.faults(edge, {"errors": [{"status": 401, "count": 1, "path": "/migration/rest/v1/auth/user"}]})
    session = edge_session(sims).login()
    try:
        assert session.get(session.path(SHARES))
    finally:
        session.close()
    assert sims.stats(edge)["logins"] - before["logins"] == 2
    assert seen(sims, edge, before, "GET /migration/rest/v1/auth/user") == 2


def test_edge_session_expiring_twice_during_login_fails_clearly(sims):
    edge = sims.info["edges"][0]
    before = sims.stats(edge)
    sims.faults(edge, {"errors": [{"status": 401, "count": 2, "path": "/migration/rest/v1/auth/user"}]})
    with pytest.raises(SessionExpired) as info:
        edge_session(sims).login()
    assert "Migrate token" in str(info.value) and "expired again" in str(info.value)
    assert sims.stats(edge)["logins"] - before["logins"] == 2


# -- 4. answers that are not the API's ------------------------------------------------------------------------
FOREIGN = ["html", "json", "empty", "redirect"]


@pytest.mark.parametrize("kind", FOREIGN)
def test_portal_query_refuses_foreign_answers(sims, kind):
    portal = sims.info["portal"]
    session = portal_session(sims).login()
    try:
        session.browse("acme")
        sims.faults(portal, {"foreign": [{"kind": kind, "count": 10, "path": USERS}]})
        with pytest.raises(UnexpectedAnswer) as info:
            list(session.query(session.path("users"), include=["name"], what="list users"))
    finally:
        sims.faults(portal, {})
        session.close()
    assert USERS in str(info.value) and "list users failed" in str(info.value)
    assert {"html": "HTML page", "json": "not XML", "empty": "empty body", "redirect": "redirected"}[kind] in str(info.value)


@pytest.mark.parametrize("kind", FOREIGN)
def test_edge_get_refuses_foreign_answers(sims, kind):
    edge = sims.info["edges"][0]
    session = edge_session(sims).login()
    try:
        sims.faults(edge, {"foreign": [{"kind": kind, "count": 10, "path": "/admingui/api/" + SHARES}]})
        with pytest.raises(UnexpectedAnswer) as info:
            session.get(session.path(SHARES), what="list shares")
    finally:
        sims.faults(edge, {})
        session.close()
    text = str(info.value)
    assert "/admingui/api/" + SHARES in text
    if kind == "html":
        assert "text/html" in text and "DOCTYPE html" in text


@pytest.mark.parametrize("kind", ["html", "xml", "empty", "redirect"])
def test_cloutility_list_refuses_foreign_answers(sims, kind):
    clou = sims.info["cloutility"]
    session = cloutility_session(sims)
    session.login()
    sims.faults(clou, {"foreign": [{"kind": kind, "count": 10, "path": "/v1/bunits"}]})
    with pytest.raises(UnexpectedAnswer) as info:
        session.consumers(session.bunit_tree().get("id") or 1)
    assert "/v1/bunits" in str(info.value)
    assert sims.stats(clou)["faults"]["foreign"][0]["count"] < 10


# -- 5. bounded bodies and messages ---------------------------------------------------------------------------
def test_a_huge_error_body_gives_a_bounded_message(sims):
    clou = sims.info["cloutility"]
    session = cloutility_session(sims)
    session.login()
    huge = json.dumps({"message": "x" * (10 * 1024 * 1024)})
    sims.faults(clou, {"errors": [{"status": 400, "count": 1, "path": "/v1/bunits", "body": huge}]})
    with pytest.raises(_http.BadRequest) as info:
        session.get(session.path("bunits"))
    assert len(str(info.value)) < 3 * _http.MAX_MESSAGE_CHARS
    assert len(repr(info.value.to_result())) < 3 * _http.MAX_MESSAGE_CHARS
    assert "more characters" in str(info.value)


def test_an_oversized_answer_is_refused_not_read(sims):
    edge = sims.info["edges"][0]
    session = edge_session(sims).login()
    session.http.max_response_bytes = 1024 * 1024
    try:
        sims.faults(edge, {"foreign": [{"kind": "large", "size": 3 * 1024 * 1024, "count": 1,
                                        "path": "/admingui/api/" + SHARES}]})
        with pytest.raises(UnexpectedAnswer) as info:
            session.get(session.path(SHARES))
    finally:
        session.close()
    assert "larger than 1048576 bytes" in str(info.value)
    assert _http.MAX_RESPONSE_BYTES == 16 * 1024 * 1024


# -- 6. every encoding of every secret is redacted ------------------------------------------------------------
SECRET = "p@ss word&1\"<x>/é"
USER = "admin"


@pytest.mark.parametrize("encoded", [
    SECRET,
    "p%40ss%20word%261%22%3Cx%3E%2F%C3%A9",  # URL-encoded
    "p%40ss+word%261%22%3Cx%3E%2F%C3%A9",  # form-encoded
    base64.b64encode(SECRET.encode()).decode(),
    base64.b64encode(SECRET.encode()).decode().rstrip("="),
    base64.urlsafe_b64encode(SECRET.encode()).decode(),
    base64.b64encode(("%s:%s" % (USER, SECRET)).encode()).decode(),  # HTTP Basic
    json.dumps(SECRET)[1:-1],  # JSON-escaped (\" and \u00e9)
    json.dumps(SECRET, ensure_ascii=False)[1:-1],
    "p@ss word&amp;1&quot;&lt;x&gt;/é",  # XML-escaped
])
def test_redactor_covers_every_encoding(encoded):
    redact = Redactor([SECRET], username=USER)
    text = redact("server said: [%s] end" % encoded)
    assert text == "server said: [********] end"


def test_a_base64_credential_echoed_in_an_error_body_is_redacted(sims):
    edge = sims.info["edges"][0]
    session = edge_session(sims).login()
    basic = base64.b64encode(("%s:%s" % (edge["username"], edge["password"])).encode()).decode()
    alone = base64.b64encode(edge["password"].encode()).decode()
    body = '<obj><att id="msg"><val>denied: Basic %s (%s)</val></att></obj>' % (basic, alone)
    try:
        sims.faults(edge, {"errors": [{"status": 400, "count": 1, "path": "/admingui/api/" + SHARES, "body": body}]})
        with pytest.raises(_http.BadRequest) as info:
            session.get(session.path(SHARES))
    finally:
        session.close()
    text = str(info.value) + repr(info.value.to_result())
    assert basic not in text and alone not in text and "denied: Basic ********" in text


# -- 7. names that would change the URL -----------------------------------------------------------------------
@pytest.mark.parametrize("name", [".", "..", "bad\nname", "tab\there", "nul\x00"])
def test_names_that_change_the_url_are_refused_naming_the_option(name):
    with pytest.raises(InvalidName) as info:
        join_url("/admin/api", "users", name)
    assert str(info.value).startswith("name=")
    with pytest.raises(InvalidName):
        join_url("/admin/api", "localGroups", name, option="groups")


def test_other_special_characters_are_encoded_into_one_segment():
    assert join_url("/admin/api", "users", "a/b?c#d%e f") == "/admin/api/users/a%2Fb%3Fc%23d%25e%20f"
    assert join_url("/admingui/api", SHARES, "x") == "/admingui/api/config/fileservices/share/x"
    assert join_url("/v1", "bunits", 76, "consumers") == "/v1/bunits/76/consumers"


def test_portal_user_dotdot_sends_nothing(sims):
    portal = sims.info["portal"]
    session = portal_session(sims).login()
    try:
        before = sims.stats(portal)
        with pytest.raises(InvalidName):
            session.get_multi(session.path("users", ".."), ["email"])
        assert sims.stats(portal)["total_requests"] == before["total_requests"]
    finally:
        session.close()


def test_edge_share_named_dotdot_is_not_created(sims):
    edge = sims.info["edges"][0]
    session = edge_session(sims).login()
    try:
        with pytest.raises(InvalidName):
            session.database(session.path(SHARES), "add", {"name": "..", "volume": "cloud", "directory": "x"})
    finally:
        session.close()
    assert ".." not in [s["name"] for s in sims.state(edge)["config"]["fileservices"]["share"]]
