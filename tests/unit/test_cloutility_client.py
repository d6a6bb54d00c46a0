# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the Cloutility client (plugins/module_utils/_cloutility.py) with a scripted fake transport.

The fake records every request as it would go on the wire (method, URL, headers, form or JSON body), so the
tests check the token manager's behaviour request by request: Origin everywhere, refresh before expiry,
refresh on 401 with the password grant as fallback, exactly one retry, no repeated grant after a refusal.
"""

import json
import os
import sys
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, "build", "collections")
LINK = os.path.join(COLLECTIONS, "ansible_collections", "filefleet", "office")
if not os.path.exists(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(REPO, LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)

from ansible_collections.filefleet.office.plugins.module_utils import _cloutility as clou  # noqa: E402
from ansible_collections.filefleet.office.plugins.module_utils._http import (  # noqa: E402
    ApiError, AuthenticationError, WaitTimeout,
)

ORIGIN = "https://automation.example.com"
CLIENT_ID = "6d6dfead-c485-4901-8434-75fe9fc72fc9"


class FakeResponse:
    def __init__(self, status, body, url):
        self.status_code = status
        self.text = json.dumps(body)  # a JSON string body arrives quoted, as from /v1/fullVersion
        self.url = url

    def close(self):
        pass


class FakeHttp:
    """Stands in for HttpClient: records requests and answers with ``handler(request) -> (status, body)``."""

    base_url = "https://api.example.com"

    def __init__(self, handler):
        self.handler = handler
        self.requests = []

    def url(self, path):
        return path if path.startswith("https://") else self.base_url + path

    def request(self, method, url, data=None, json=None, headers=None, params=None, idempotent=None):  # pylint: disable=redefined-outer-name
        request = dict(method=method, url=url, path=url[len(self.base_url):], data=data, json=json,
                       headers=dict(headers or {}), params=params, idempotent=idempotent)
        self.requests.append(request)
        status, body = self.handler(request)
        return FakeResponse(status, body, url)

    def close(self):
        pass

    def grants(self):
        return [r["data"]["grant_type"] for r in self.requests if r["path"] == "/v1/oauth"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class Server:
    """A tiny token-checking server: tokens tok1, tok2, ... each valid until expired explicitly."""

    def __init__(self, lifetime=299, refresh_ok=True, password_ok=True):
        self.lifetime = lifetime
        self.refresh_ok = refresh_ok
        self.password_ok = password_ok
        self.issued = 0
        self.valid = set()
        self.routes = {"/v1/fullVersion": (200, "1.0.4480.0")}

    def __call__(self, request):
        if request["path"] == "/v1/oauth":
            form = request["data"]
            if form["grant_type"] == "password" and not self.password_ok:
                return 400, {"error": "invalid_grant", "error_description": "The user name or password is incorrect."}
            if form["grant_type"] == "refresh_token" and not self.refresh_ok:
                return 400, {"error": "invalid_grant", "error_description": "The refresh token is invalid."}
            self.issued += 1
            token = "tok%d-%s" % (self.issued, "x" * 20)
            self.valid.add(token)
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": self.lifetime,
                         "refresh_token": "refresh-secret-0123456789"}
        token = request["headers"].get("Authorization", "")[len("Bearer "):]
        if token not in self.valid:
            return 401, {"code": "Unauthorized", "message": "Authorization has been denied for this request.",
                         "developerMessage": "The access token has expired.", "status": 401}
        status, body = self.routes.get(request["path"], (404, {"Message": "No HTTP resource was found"}))
        return (status, body(request)) if callable(body) else (status, body)

    def expire_all(self):
        self.valid.clear()


def make_session(server, clock=None, password=None):
    clock = clock or Clock()
    http = FakeHttp(server)
    session = clou.CloutilitySession("https://api.example.com/v1/", "automation@example.com",
                                     password or "pw-" + uuid.uuid4().hex, CLIENT_ID, ORIGIN, http=http,
                                     clock=clock, sleep=clock.sleep)
    return session, http, clock


def test_origin_accept_and_bodies_on_every_request():
    server = Server()
    server.routes["/v1/bunits/76/consumers"] = (200, lambda r: dict(r["json"], id=409))
    session, http, _clock = make_session(server)
    assert session.get("/v1/fullVersion") == "1.0.4480.0"
    session.post("/v1/bunits/76/consumers", {"name": "LisasWS"})
    assert [r["path"] for r in http.requests] == ["/v1/oauth", "/v1/fullVersion", "/v1/bunits/76/consumers"]
    for request in http.requests:
        assert request["headers"]["Origin"] == ORIGIN
        assert request["headers"]["Accept"] == "application/json"
    oauth, get, post = http.requests
    assert oauth["data"] == {"client_id": CLIENT_ID, "grant_type": "password", "username": "automation@example.com",
                             "password": session._password}
    # A grant is retried like a read (gateway errors, drops); a refusal never is (lockout).
    assert oauth["json"] is None and "Authorization" not in oauth["headers"] and oauth["idempotent"] is True
    assert get["headers"]["Authorization"] == "Bearer tok1-" + "x" * 20 and get["data"] is None
    assert post["json"] == {"name": "LisasWS"} and post["data"] is None and post["idempotent"] is False


def test_token_is_refreshed_shortly_before_it_expires():
    server = Server(lifetime=299)
    session, http, clock = make_session(server)
    session.get("/v1/fullVersion")
    clock.now += 250  # still well inside the lifetime: no grant
    session.get("/v1/fullVersion")
    assert http.grants() == ["password"]
    clock.now += 25  # 275 s old: inside the 30 s margin, renewed before the request is sent
    session.get("/v1/fullVersion")
    assert http.grants() == ["password", "refresh_token"]
    refresh = [r for r in http.requests if r["path"] == "/v1/oauth"][1]
    assert refresh["data"] == {"client_id": CLIENT_ID, "grant_type": "refresh_token",
                               "refresh_token": "refresh-secret-0123456789"}
    assert http.requests[-1]["headers"]["Authorization"] == "Bearer tok2-" + "x" * 20
    # renewed proactively: no request was refused with 401 first
    assert [r["path"] for r in http.requests] == ["/v1/oauth", "/v1/fullVersion", "/v1/fullVersion", "/v1/oauth",
                                                  "/v1/fullVersion"]


def test_401_refreshes_and_retries_the_request_once():
    server = Server()
    session, http, _clock = make_session(server)
    session.get("/v1/fullVersion")
    server.expire_all()
    assert session.get("/v1/fullVersion") == "1.0.4480.0"
    assert [r["path"] for r in http.requests] == ["/v1/oauth", "/v1/fullVersion", "/v1/fullVersion", "/v1/oauth",
                                                  "/v1/fullVersion"]
    assert http.grants() == ["password", "refresh_token"]


def test_401_with_refused_refresh_falls_back_to_the_password_grant():
    server = Server()
    session, http, _clock = make_session(server)
    session.get("/v1/fullVersion")
    server.expire_all()
    server.refresh_ok = False
    assert session.get("/v1/fullVersion") == "1.0.4480.0"
    assert http.grants() == ["password", "refresh_token", "password"]


def test_a_second_401_fails_instead_of_looping():
    server = Server()
    server.routes["/v1/me"] = (401, {"code": "Unauthorized", "message": "denied", "developerMessage": "denied", "status": 401})
    session, http, _clock = make_session(server)
    with pytest.raises(AuthenticationError):
        session.get("/v1/me")
    assert [r["path"] for r in http.requests] == ["/v1/oauth", "/v1/me", "/v1/oauth", "/v1/me"]


def test_a_refused_password_grant_is_never_sent_again():
    server = Server(password_ok=False)
    password = "wrong-" + uuid.uuid4().hex
    session, http, _clock = make_session(server, password=password)
    with pytest.raises(AuthenticationError) as caught:
        session.get("/v1/fullVersion")
    assert http.grants() == ["password"] and len(http.requests) == 1
    assert "not retried" in str(caught.value) and password not in str(caught.value)
    # A new session with the same credentials (the next item of a loop) does not try again.
    again, http2, _clock = make_session(Server(), password=password)
    with pytest.raises(AuthenticationError):
        again.get("/v1/fullVersion")
    assert http2.requests == []


def test_refused_renewal_after_401_stops_after_one_password_grant():
    server = Server()
    session, http, _clock = make_session(server)
    session.get("/v1/fullVersion")
    server.expire_all()
    server.refresh_ok = server.password_ok = False
    with pytest.raises(AuthenticationError):
        session.get("/v1/fullVersion")
    assert http.grants() == ["password", "refresh_token", "password"]


def test_paging_reads_every_page_and_fails_when_paging_does_not_advance():
    items = [{"id": i, "name": "c%d" % i} for i in range(1, 251)]

    def consumers(request):
        offset = int((request["params"] or {}).get("offset", 0))
        limit = int((request["params"] or {}).get("limit", 100))
        return {"href": "x", "total": len(items), "offset": offset, "first": "x", "items": items[offset:offset + limit]}
    server = Server()
    server.routes["/v1/bunits/76/consumers"] = (200, consumers)
    session, http, _clock = make_session(server)
    assert [c["id"] for c in session.consumers(76)] == list(range(1, 251))
    assert [r["params"] for r in http.requests if r["path"].endswith("consumers")] == [
        None, {"offset": 100, "limit": 100}, {"offset": 200, "limit": 100}]

    server.routes["/v1/bunits/76/consumers"] = (200, {"total": 5, "offset": 0, "items": items[:2]})  # ignores offset
    with pytest.raises(ApiError) as caught:
        session.consumers(76)
    assert "partial list" in str(caught.value)

    server.routes["/v1/bunits/76/tags"] = (200, [{"id": 1, "text": "a"}])  # a bare array
    assert session.list("/v1/bunits/76/tags") == [{"id": 1, "text": "a"}]


def test_resolvers_name_the_option_and_what_exists():
    tree = {"id": 22, "name": "Company AB", "businessUnits": [
        {"id": 76, "name": "Marketing Department", "businessUnits": []},
        {"id": 94, "name": "HR", "businessUnits": []},
        {"id": 95, "name": "hr", "businessUnits": []}]}
    server = Server()
    server.routes["/v1/bunits"] = (200, tree)
    server.routes["/v1/nodetypes"] = (200, {"total": 2, "items": [
        {"id": 1, "name": "File Server"}, {"id": 2, "name": "Workstation"}]})
    session, http, _clock = make_session(server)
    assert session.resolve_bunit("Company AB/Marketing Department")["id"] == 76
    assert session.resolve_bunit("marketing department")["path"] == "Company AB/Marketing Department"
    assert session.resolve_bunit(76)["path"] == "Company AB/Marketing Department"
    with pytest.raises(ValueError) as caught:
        session.resolve_bunit("Company AB/Sales")
    assert "business_unit='Sales'" in str(caught.value) and "Marketing Department" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        session.resolve_bunit("HR")
    assert "ambiguous" in str(caught.value) and "94, 95" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        session.resolve_bunit(4711)
    assert "4711" in str(caught.value)
    assert session.resolve_node_type("workstation")["id"] == 2
    with pytest.raises(ValueError) as caught:
        session.resolve_node_type("Server")
    assert "node_type='Server'" in str(caught.value) and "File Server, Workstation" in str(caught.value)
    assert [r["path"] for r in http.requests].count("/v1/bunits") == 1  # the tree is read once


def test_waiter_renews_tokens_while_polling_and_raises_with_the_last_state():
    server = Server(lifetime=5)
    polls = []

    def node(_request):
        polls.append(1)
        return {"id": 1201, "syncState": {"name": "Registering"}} if len(polls) < 4 else {"id": 1201, "tsmName": "LISASWS"}
    server.routes["/v1/bunits/76/consumers/409/node"] = (200, node)
    session, http, clock = make_session(server)
    done = session.wait_for(lambda: session.get_node(76, 409), lambda n: bool(n.get("tsmName")), "activation",
                            timeout=60, interval=2)
    assert done["tsmName"] == "LISASWS"
    assert http.grants()[0] == "password" and "refresh_token" in http.grants()
    assert all(r["headers"]["Origin"] == ORIGIN for r in http.requests)

    polls[:] = []
    server.routes["/v1/bunits/76/consumers/409/node"] = (200, {"id": 1201, "syncState": {"name": "Registering"}})
    with pytest.raises(WaitTimeout) as caught:
        session.wait_for(lambda: session.get_node(76, 409), lambda n: bool(n.get("tsmName")), "activation", timeout=6,
                         interval=2, describe=lambda n: "sync state %s" % n["syncState"]["name"])
    assert "activation did not finish within 6 seconds" in str(caught.value)
    assert "last seen state: sync state Registering" in str(caught.value)
    assert clock.now > 1000


def test_secrets_never_appear_in_errors():
    server = Server()
    server.routes["/v1/bunits/76/consumers/409/node"] = (200, {"id": 1, "tsmName": "N", "tsmPassword": "Sp-Secret-123456"})
    server.routes["/v1/bunits/76/consumers/409/node/password"] = (
        400, {"code": "BadRequest", "message": "bad", "developerMessage": "password Sp-Secret-123456 rejected "
              "for token refresh-secret-0123456789", "status": 400})
    session, _http, _clock = make_session(server, password="Top-Secret-pw")
    session.get_node(76, 409)
    with pytest.raises(ApiError) as caught:
        session.post("/v1/bunits/76/consumers/409/node/password", {"tsmPassword": "x"})
    text = str(caught.value) + json.dumps(caught.value.to_result())
    assert "Sp-Secret-123456" not in text and "refresh-secret-0123456789" not in text
    assert "********" in text and "HTTP 400" in text


def test_node_names_follow_the_storage_protect_rules():
    assert clou.validate_node_name("lisas+ws&1.a_b-c") == "LISAS+WS&1.A_B-C"
    for bad in ("", "has space", "x" * 65, "ÅSA", "a/b", None):
        with pytest.raises(ValueError) as caught:
            clou.validate_node_name(bad)
        assert "node_name" in str(caught.value) and "1 to 64 characters" in str(caught.value)


def test_creations_and_activations_are_never_retried():
    server = Server()
    server.routes["/v1/bunits/76/consumers/409/node/activate"] = (200, lambda r: r["params"]["tsmName"].upper())
    server.routes["/v1/bunits/76/consumers/409/node"] = (200, lambda r: dict(r["json"] or {}, id=1409))
    session, http, _clock = make_session(server)
    assert session.activate_node(76, 409, "lisa+&.x", what="activate") == "LISA+&.X"
    session.post(session.consumer_path(76, 409, "node"), {"cpuCount": 1})
    activate, create = http.requests[1:]
    assert (activate["method"], activate["params"], activate["idempotent"]) == ("GET", {"tsmName": "lisa+&.x"}, False)
    assert (create["method"], create["idempotent"]) == ("POST", False)
