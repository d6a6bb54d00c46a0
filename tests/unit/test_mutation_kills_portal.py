# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Portal session of _portal on the wire, in-process (mutation testing, docs/mutation.md): a scripted portal
answers through requests' transport (``Session.get_adapter``), so every request the session sends is seen as the
server sees it (method, path, body, headers) without a socket. Login and its refusals, the re-login on an expired
session (once, then a clear error), errors naming the operation with the server's message and never a secret, the
calls' envelopes and their retries (reads only), tenant browsing, workers and logout."""

import base64
import os
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.filefleet.office.plugins.module_utils import _portal as portal
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import from_xml, to_xml
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, AuthenticationError, HTTPStatusError, InvalidName, NotFound, ServerError, SessionExpired,
    UnexpectedAnswer,
)

URL = "https://portal.example.com"
USER = "admin"
PASSWORD = "Pw-secret-1"
XML = {"Content-Type": "text/xml"}


def xml(value, status=200):
    return status, to_xml(value), XML


def text(body, status=200, headers=None):
    return status, body, headers or {"Content-Type": "text/plain"}


def redirect(location, status=302):
    return status, "", {"Location": location}


BUSY = (503, "busy", {"Retry-After": "0"})


class Portal(requests.adapters.BaseAdapter):
    """Answers (method, path) from ``routes``: an answer, a list of answers (one per request, the last one
    repeated), or a function of the request. Records ``(method, path, body, headers)`` of every request."""

    def __init__(self, tenant="", routes=None):
        requests.adapters.BaseAdapter.__init__(self)
        self.tenant = tenant
        self.sent = []
        self.routes = {}
        for root in ("/admin/api", "/ServicesPortal/api"):
            self.routes.update({
                ("POST", root + "/login"): text(""),
                ("POST", root + "/logout"): text(""),
                ("GET", root + "/currentSession"): xml({"_classname": "PortalSession", "username": USER}),
                ("GET", root + "/currentPortal"): lambda _request: xml(self.tenant),
                ("PUT", root + "/currentPortal"): self.put_tenant,
            })
        self.routes.update(routes or {})

    def put_tenant(self, request):
        wanted = from_xml(request.body) or ""
        if wanted in ("", "acme", "beta"):
            self.tenant = wanted
            return xml(None)
        return xml({"msg": "no such portal"}, status=404)

    def send(self, request, **kwargs):
        path = urlsplit(request.url).path
        body = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
        self.sent.append((request.method, path, body, dict(request.headers)))
        answer = self.routes.get((request.method, path), text("not here", status=404))
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        response = requests.Response()
        response.status_code = status
        response._content = body.encode("utf-8") if isinstance(body, str) else body  # pylint: disable=protected-access
        response._content_consumed = True  # pylint: disable=protected-access
        response.headers = CaseInsensitiveDict(headers)
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass

    def paths(self):
        return [(method, path) for method, path, _body, _headers in self.sent]


@pytest.fixture
def server(monkeypatch):
    fake = Portal()
    monkeypatch.setattr(requests.Session, "get_adapter", lambda _self, url: fake)
    return fake


def session(url=URL, **kwargs):
    return portal.PortalSession(url, USER, PASSWORD, **kwargs)


def logged_in(server, url=URL, **kwargs):
    s = session(url, **kwargs).login()
    del server.sent[:]
    return s


LOGIN = [("POST", "/admin/api/login"), ("GET", "/admin/api/currentSession"), ("GET", "/admin/api/currentPortal")]


# -- the session's settings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, context", [
    ("portal.example.com", "admin"), ("https://portal.example.com/", "admin"),
    ("https://portal.example.com/ServicesPortal", "ServicesPortal"),
    ("https://portal.example.com/servicesportal/", "ServicesPortal"),
    ("https://portal.example.com/x/ServicesPortal", "ServicesPortal"),
    ("https://portal.example.com/ServicesPortalX", "admin"), ("https://portal.example.com/admin", "admin"),
])
def test_the_url_chooses_tenant_user_or_global_administrator(server, url, context):
    s = session(url).login()
    assert s.context == context and s.api_root == "/%s/api" % context
    assert s.is_global_admin is (context == "admin")
    assert s.http.base_url == "https://portal.example.com"  # the API root is on the host, whatever the URL's path
    assert s.http.url(s.path("login")) == "https://portal.example.com/%s/api/login" % context
    assert server.paths()[0] == ("POST", "/%s/api/login" % context)


def test_a_new_session_verifies_certificates_and_knows_its_secrets(tmp_path):
    s = session()
    assert s.http.verify is True and s.http.timeout == (10.0, 30.0) and s.http.retries == 3
    ca = str(tmp_path / "ca.pem")
    assert session(ca_path=ca).http.verify == ca
    assert session(validate_certs=False, ca_path=ca).http.verify is False
    tuned = session(timeout=7, retries=1)
    assert tuned.http.timeout == (10.0, 7.0) and tuned.http.retries == 1
    basic = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
    assert s.http.redact("a %s b %s" % (PASSWORD, basic)) == "a ******** b ********"
    assert (s.username, s.logged_in, s.logins, s.current_tenant, s.wanted_tenant, s.session_info, s.cache) == \
        (USER, False, 0, None, None, {}, {})
    assert s.kind == "portal" and portal.CteraXmlSession.kind == "ctera"


# -- login -------------------------------------------------------------------------------------------------------

def test_login_posts_the_form_then_reads_session_and_tenant(server):
    server.tenant = "acme"
    s = session()
    s.cache["stale"] = 1
    assert s.login() is s
    assert server.paths() == LOGIN
    method, _path, body, headers = server.sent[0]
    assert parse_qs(body) == {"j_username": [USER], "j_password": [PASSWORD]} and method == "POST"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert s.logged_in is True and s.logins == 1 and s.current_tenant == "acme" and s.cache == {}
    assert s.session_info == {"_classname": "PortalSession", "username": USER}
    server.tenant = ""
    s.login()
    assert s.logins == 2 and s.current_tenant is None


def test_login_without_session_details_still_logs_in(server):
    server.routes[("GET", "/admin/api/currentSession")] = text("")
    s = session()
    with pytest.raises(UnexpectedAnswer, match="read the current session failed: the server answered an empty body"):
        s.login()
    server.routes[("GET", "/admin/api/currentSession")] = xml("")
    s = session().login()
    assert s.session_info == {} and s.logged_in


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_login_names_the_user_and_is_sent_once(server, status):
    server.routes[("POST", "/admin/api/login")] = text("denied %s" % PASSWORD, status=status)
    s = session()
    with pytest.raises(AuthenticationError) as info:
        s.login()
    assert str(info.value).startswith(
        "Portal login refused for user 'admin': invalid username or password, or the account is not allowed to sign "
        "in to /admin/api")
    assert PASSWORD not in str(info.value.to_result())
    assert (info.value.method, info.value.url, info.value.status) == ("POST", URL + "/admin/api/login", status)
    assert server.paths() == [("POST", "/admin/api/login")] and not s.logged_in and s.logins == 0


def test_a_failed_login_names_the_operation_and_the_server_message(server):
    server.routes[("POST", "/admin/api/login")] = xml({"msg": "license expired"}, status=500)
    with pytest.raises(ServerError) as info:
        session().login()
    assert info.value.message == "Portal login for user 'admin' failed"
    assert info.value.server_message == "license expired" and info.value.status == 500
    server.routes[("POST", "/admin/api/login")] = text("<html>teapot</html>", status=418)
    with pytest.raises(HTTPStatusError) as info:
        session().login()
    assert info.value.server_message is None and info.value.status == 418


def test_login_is_retried_on_a_gateway_error(server):
    server.routes[("POST", "/admin/api/login")] = [BUSY, text("")]
    session().login()
    assert server.paths() == [("POST", "/admin/api/login")] + LOGIN


def test_a_login_answered_by_something_else_is_refused(server):
    server.routes[("POST", "/admin/api/login")] = text("<html>proxy sign-in</html>", headers={"Content-Type": "text/html"})
    s = session()
    with pytest.raises(UnexpectedAnswer) as info:
        s.login()
    assert str(info.value).startswith("Portal login for user 'admin' failed: the server answered an HTML page")
    assert not s.logged_in and server.paths() == [("POST", "/admin/api/login")]


# -- calls ---------------------------------------------------------------------------------------------------------

def test_a_call_logs_in_first_and_decodes_the_answer(server):
    server.routes[("GET", "/admin/api/users/alice")] = xml({"name": "alice", "uid": 7})
    s = session()
    assert s.get(s.path("users", "alice")) == {"name": "alice", "uid": 7}
    assert server.paths() == LOGIN + [("GET", "/admin/api/users/alice")]
    assert s.get("users/alice") == {"name": "alice", "uid": 7}  # a relative path is under the API root
    assert server.paths()[-1] == ("GET", "/admin/api/users/alice") and s.logins == 1


@pytest.mark.parametrize("location", ["https://portal.example.com/ServicesPortal/login.html",
                                      "/ServicesPortal/login.html",
                                      "https://login.microsoftonline.com/tenant/oauth2/authorize"])
@pytest.mark.parametrize("status", [301, 302, 303, 307])
def test_an_expired_session_logs_in_again_once_and_returns_to_the_tenant(server, location, status):
    s = logged_in(server)
    s.browse("acme")
    server.routes[("GET", "/admin/api/users")] = [redirect(location, status), xml([])]
    server.tenant = ""  # the new session starts outside the tenant
    del server.sent[:]
    assert s.get(s.path("users")) == []
    assert server.paths() == [("GET", "/admin/api/users")] + LOGIN + [("PUT", "/admin/api/currentPortal"),
                                                                      ("GET", "/admin/api/users")]
    assert s.logins == 2 and s.current_tenant == "acme" and server.tenant == "acme"


def test_a_new_session_already_in_the_tenant_is_not_browsed_again(server):
    server.tenant = "acme"
    s = logged_in(server)
    s.browse("acme")
    server.routes[("GET", "/admin/api/users")] = [redirect(URL + portal.LOGIN_PAGE), xml([])]
    assert s.get(s.path("users")) == []
    assert server.paths() == [("GET", "/admin/api/users")] + LOGIN + [("GET", "/admin/api/users")]


def test_a_session_that_expires_again_right_after_a_new_login_fails_clearly(server):
    s = logged_in(server)
    server.routes[("GET", "/admin/api/users")] = redirect(URL + portal.LOGIN_PAGE)
    with pytest.raises(SessionExpired) as info:
        s.get(s.path("users"), what="list users")
    assert info.value.message == "list users failed: the session expired again right after a new login"
    assert (info.value.method, info.value.url) == ("GET", URL + "/admin/api/users")
    assert server.paths() == [("GET", "/admin/api/users")] + LOGIN + [("GET", "/admin/api/users")]


def test_another_redirect_is_no_expiry_but_an_unexpected_answer(server):
    s = logged_in(server)
    server.routes[("GET", "/admin/api/users")] = redirect("https://elsewhere.example.com/login.html.bak")
    with pytest.raises(UnexpectedAnswer, match="list users failed: the server answered redirected to https://elsewhere"):
        s.get(s.path("users"), what="list users")
    server.routes[("GET", "/admin/api/users")] = (302, "", {})
    with pytest.raises(UnexpectedAnswer, match="redirected to nowhere"):
        s.get(s.path("users"), what="list users")
    server.routes[("GET", "/admin/api/users")] = (200, to_xml([]), {"Location": URL + portal.LOGIN_PAGE})
    assert s.get(s.path("users")) == []
    assert s.logins == 1


def test_errors_name_the_operation_the_status_and_the_server_message(server):
    s = logged_in(server)
    server.routes[("GET", "/admin/api/users/bob")] = xml({"msg": "User bob not found"}, status=404)
    assert s.get(s.path("users", "bob"), missing_ok=True) is None
    with pytest.raises(NotFound) as info:
        s.get(s.path("users", "bob"), what="read user 'bob'")
    assert info.value.message == "read user 'bob' failed" and info.value.server_message == "User bob not found"
    assert (info.value.method, info.value.url, info.value.status) == ("GET", URL + "/admin/api/users/bob", 404)
    with pytest.raises(NotFound) as info:
        s.get(s.path("users", "bob"))
    assert info.value.message == "GET /admin/api/users/bob failed"
    server.routes[("GET", "/admin/api/users/bob")] = text("x" * 290 + PASSWORD + "y" * 50, status=500)
    with pytest.raises(ServerError) as info:
        s.get(s.path("users", "bob"), missing_ok=True, what="read %s" % PASSWORD)
    assert info.value.message == "read ******** failed"
    assert info.value.server_message == "x" * 290 + "********" + "y" * 2  # redacted, then cut at 300
    server.routes[("GET", "/admin/api/users/bob")] = text("", status=500)
    with pytest.raises(ServerError) as info:
        s.get(s.path("users", "bob"))
    assert info.value.server_message is None


def test_an_error_says_how_often_a_read_was_retried(server, monkeypatch):
    s = logged_in(server)
    server.routes[("GET", "/admin/api/users")] = BUSY
    with pytest.raises(ServerError) as info:
        s.get(s.path("users"), what="list users")
    assert info.value.message == "list users failed (after 3 retries)" and info.value.server_message == "busy"
    assert server.paths() == [("GET", "/admin/api/users")] * 4


def test_a_server_message_is_taken_from_msg_message_or_reason():
    assert portal.server_message({"msg": "a", "message": "b"}) == "a"
    assert portal.server_message({"msg": "", "message": "b", "reason": "c"}) == "b"
    assert portal.server_message({"message": None, "reason": 42}) == "42"
    assert portal.server_message({"other": "x"}) is None
    assert portal.server_message("plain") == "plain" and portal.server_message("") is None
    assert portal.server_message(None) is None and portal.server_message(["msg"]) is None


def test_an_error_body_is_decoded_only_when_it_is_safe_xml():
    class Answer:
        def __init__(self, content):
            self.content = content
    assert portal.decode_error_body(Answer(b"")) is None
    assert portal.decode_error_body(Answer(to_xml({"msg": "m"}).encode())) == {"msg": "m"}
    assert portal.decode_error_body(Answer(b"not xml")) is None
    unsafe = b'<!DOCTYPE x [<!ENTITY e "boom">]><obj><att id="msg"><val>&e;</val></att></obj>'
    assert portal.decode_error_body(Answer(unsafe)) is None


def test_reads_need_a_body_writes_do_not(server):
    s = logged_in(server)
    server.routes[("GET", "/admin/api/users")] = text("")
    with pytest.raises(UnexpectedAnswer, match="an empty body"):
        s.get(s.path("users"))
    server.routes[("PUT", "/admin/api/users/bob")] = text("")
    assert s.put(s.path("users", "bob"), {"name": "bob"}) is None
    server.routes[("POST", "/admin/api/users")] = text("")
    assert s.database(s.path("users"), "add", {"name": "bob"}) is None
    with pytest.raises(UnexpectedAnswer, match="query failed: the server answered an empty body"):
        s.database(s.path("users"), "query", {})
    server.routes[("POST", "/admin/api/users")] = xml("objs/5/acme/PortalUser/bob")
    assert s.database(s.path("users"), "add", {"name": "bob"}) == "objs/5/acme/PortalUser/bob"


def test_bodies_are_ctera_xml_as_text_plain(server):
    s = logged_in(server)
    server.routes[("PUT", "/admin/api/users/bob")] = xml(None)
    s.put(s.path("users", "bob"), {"_classname": "PortalUser", "name": "bøb"}, what="update user 'bob'")
    method, path, body, headers = server.sent[-1]
    assert (method, path, headers["Content-Type"]) == ("PUT", "/admin/api/users/bob", "text/plain")
    assert from_xml(body) == {"_classname": "PortalUser", "name": "bøb"}
    server.routes[("DELETE", "/admin/api/users/bob")] = [text("", status=404), xml(None)]
    assert s.delete(s.path("users", "bob"), missing_ok=True) is None
    s.delete(s.path("users", "bob"))
    assert server.sent[-1][2] is None and "Content-Type" not in server.sent[-1][3]
    server.routes[("DELETE", "/admin/api/users/bob")] = text("gone", status=404)
    with pytest.raises(NotFound, match="delete bob failed") as info:
        s.delete(s.path("users", "bob"), what="delete bob")
    assert info.value.method == "DELETE"


def test_execute_sends_a_user_defined_envelope_and_retries_only_reads(server):
    s = logged_in(server)
    group = "/admin/api/localGroups/staff"
    server.routes[("POST", group)] = [BUSY, xml({"objects": [], "hasMore": False})]
    assert s.execute(s.path("localGroups", "staff"), "getMembers", {"startFrom": 0}) == {"objects": [], "hasMore": False}
    assert from_xml(server.sent[-1][2]) == {"type": "user-defined", "name": "getMembers", "param": {"startFrom": 0}}
    assert server.paths() == [("POST", group)] * 2
    del server.sent[:]
    server.routes[("POST", group)] = [BUSY, xml(None)]
    with pytest.raises(ServerError) as info:
        s.execute(s.path("localGroups", "staff"), "updateGroup", {"x": 1})
    assert info.value.message == "updateGroup failed" and server.paths() == [("POST", group)]
    assert info.value.method == "POST"
    server.routes[("POST", group)] = [BUSY]
    with pytest.raises(ServerError, match="add it failed"):
        s.execute(s.path("localGroups", "staff"), "updateGroup", {"x": 1}, what="add it")
    assert portal.READ_ONLY_METHODS == frozenset(("getMembers", "getTaskStatus", "getZonesDisplayInfo",
                                                  "getZoneBasicInfo", "getZoneFolders", "getZoneDevices",
                                                  "getPortalsDisplayInfo"))


def test_database_envelopes_and_names_that_could_never_be_addressed(server):
    s = logged_in(server)
    server.routes[("POST", "/admin/api/users")] = [BUSY, xml({"objects": []})]
    s.database(s.path("users"), "query", {"startFrom": 0}, idempotent=True)
    assert from_xml(server.sent[-1][2]) == {"type": "db", "name": "query", "param": {"startFrom": 0}}
    assert len(server.sent) == 2
    del server.sent[:]
    server.routes[("POST", "/admin/api/users")] = [BUSY, xml(None)]
    with pytest.raises(ServerError, match="create failed") as info:
        s.database(s.path("users"), "add", {"name": "bob"}, what="create")
    assert len(server.sent) == 1 and info.value.method == "POST"
    del server.sent[:]
    for name in (".", "..", "a\x01b"):
        with pytest.raises(InvalidName, match="name="):
            s.database(s.path("users"), "add", {"name": name})
    s.database(s.path("users"), "add", {"name": None}, what="create")  # no name: nothing to check
    server.routes[("POST", "/admin/api/users")] = text("", status=404)
    assert s.database(s.path("users"), "get-multi", [], missing_ok=True) is None
    with pytest.raises(NotFound, match="list users failed"):
        s.database(s.path("users"), "query", {}, what="list users")


def test_get_multi_reads_the_attributes_and_the_name(server):
    s = logged_in(server)
    server.routes[("POST", "/admin/api/users/bob")] = [BUSY, xml({"name": "bob", "email": "b@x"})]
    assert s.get_multi(s.path("users", "bob"), ["email", "uid"], what="read user 'bob'") == {"name": "bob", "email": "b@x"}
    assert from_xml(server.sent[-1][2]) == {"type": "db", "name": "get-multi", "param": ["/email", "/uid", "/name"]}
    assert len(server.sent) == 2  # a read: retried
    server.routes[("POST", "/admin/api/users/bob")] = xml({"name": "bob"})
    s.get_multi(s.path("users", "bob"), ["name", "uid"])
    assert from_xml(server.sent[-1][2])["param"] == ["/name", "/uid"]
    server.routes[("POST", "/admin/api/users/bob")] = text("", status=404)
    assert s.get_multi(s.path("users", "bob"), ["uid"], missing_ok=True) is None
    with pytest.raises(NotFound, match="read user 'bob' failed"):
        s.get_multi(s.path("users", "bob"), ["uid"], what="read user 'bob'")


def test_query_pages(server):
    s = logged_in(server)
    rows = [{"name": "u%d" % i} for i in range(5)]

    def page(request):
        param = from_xml(request.body)["param"]
        start, count = param["startFrom"], param["countLimit"]
        return xml({"objects": rows[start:start + count], "hasMore": start + count < len(rows)})
    server.routes[("POST", "/admin/api/users")] = page
    assert list(s.query(s.path("users"), include=["email"], page_size=2, what="list users")) == rows
    params = [from_xml(b)["param"] for _m, _p, b, _h in server.sent]
    assert [(p["startFrom"], p["countLimit"], p["include"]) for p in params] == [(0, 2, ["email", "name"])] * 1 + \
        [(2, 2, ["email", "name"]), (4, 2, ["email", "name"])]
    del server.sent[:]
    assert len(list(s.query(s.path("users"), include=["name"], filters=[{"field": "name"}]))) == 5
    param = from_xml(server.sent[0][2])["param"]
    assert param == {"startFrom": 0, "countLimit": 50, "include": ["name"], "filters": [{"field": "name"}],
                     "orFilter": False}
    server.routes[("POST", "/admin/api/users")] = xml({"objects": [], "hasMore": True})
    assert list(s.query(s.path("users"))) == []


def test_download_logs_in_again_once_when_the_session_expired(server, tmp_path):
    s = session()
    server.routes[("GET", "/admin/webdav/f.txt")] = [redirect(URL + portal.LOGIN_PAGE), text("content")]
    temp, _digest, size = s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt")
    with open(temp) as f:
        assert f.read() == "content" and size == 7
    assert os.path.dirname(temp) == str(tmp_path)  # beside its destination, to be moved into place atomically
    assert server.paths() == LOGIN + [("GET", "/admin/webdav/f.txt")] + LOGIN + [("GET", "/admin/webdav/f.txt")]
    os.unlink(temp)
    del server.sent[:]
    temp, _digest, size = s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt")
    assert os.path.dirname(temp) == str(tmp_path) and size == 7 and server.paths() == [("GET", "/admin/webdav/f.txt")]
    os.unlink(temp)


def test_download_passes_its_limits_and_names_the_operation(server, tmp_path):
    s = logged_in(server)
    server.routes[("GET", "/admin/webdav/f.txt")] = [redirect(URL + portal.LOGIN_PAGE), text("content")]
    with pytest.raises(ApiError, match=r"^download f.txt failed: more than 3 bytes \(GET "):
        s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt", max_bytes=3)
    with pytest.raises(ApiError, match=r"^download f.txt failed: more than 3 bytes \(GET "):
        s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt", max_bytes=3)
    server.routes[("GET", "/admin/webdav/f.txt")] = [redirect(URL + portal.LOGIN_PAGE), text("gone", status=404)]
    with pytest.raises(NotFound, match=r"^download f.txt failed \(GET "):
        s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt")
    server.routes[("GET", "/admin/webdav/f.txt")] = text("gone", status=404)
    with pytest.raises(NotFound, match=r"^download f.txt failed \(GET "):
        s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt")
    server.routes[("GET", "/admin/webdav/f.txt")] = redirect(URL + portal.LOGIN_PAGE)
    with pytest.raises(SessionExpired, match=r"^download f.txt failed: the session expired \(GET "):
        s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt")
    assert os.listdir(str(tmp_path)) == []


def test_paths_refuse_names_that_change_the_url_naming_the_option():
    s = session()
    assert s.path("users", "a b/c") == "/admin/api/users/a%20b%2Fc"
    with pytest.raises(InvalidName, match="^name='..' is not allowed"):
        s.path("users", "..")
    with pytest.raises(InvalidName, match="^owner='.' is not allowed"):
        s.path("users", ".", option="owner")


# -- tenants ---------------------------------------------------------------------------------------------------------

def test_a_global_administrator_browses_a_tenant_once(server):
    s = session()
    s.browse("acme")
    assert server.paths() == LOGIN + [("PUT", "/admin/api/currentPortal")]
    assert from_xml(server.sent[-1][2]) == "acme"
    assert s.current_tenant == "acme" and s.wanted_tenant == "acme" and s.cache == {}
    s.cache["users"] = "acme's"
    s.browse("acme")
    s.browse(None)
    s.browse("")
    assert len(server.sent) == 4 and s.cache == {"users": "acme's"}
    s.browse("beta")
    assert s.current_tenant == "beta" and s.cache == {} and from_xml(server.sent[-1][2]) == "beta"


def test_an_unknown_tenant_is_named_with_the_server_message(server):
    s = logged_in(server)
    with pytest.raises(NotFound) as info:
        s.browse("nope")
    assert info.value.message == "Tenant 'nope' does not exist or cannot be browsed by 'admin'"
    assert (info.value.method, info.value.url, info.value.status, info.value.server_message) == \
        ("PUT", URL + "/admin/api/currentPortal", 404, "no such portal")
    assert s.current_tenant is None
    server.routes[("PUT", "/admin/api/currentPortal")] = xml({"msg": "down"}, status=500)
    s.current_tenant = "acme"
    s.wanted_tenant = ""
    with pytest.raises(ServerError) as info:
        s._put_tenant("")  # pylint: disable=protected-access
    assert info.value.message == "browse tenant '' failed"


def test_a_tenant_user_acts_only_in_its_own_tenant(server):
    server.tenant = "acme"
    s = session(URL + "/ServicesPortal")
    s.browse("ACME")
    assert server.paths() == [("POST", "/ServicesPortal/api/login"), ("GET", "/ServicesPortal/api/currentSession"),
                              ("GET", "/ServicesPortal/api/currentPortal")]
    with pytest.raises(ApiError) as info:
        s.browse("beta")
    assert str(info.value) == ("tenant='beta' was given but 'admin' is signed in to tenant 'acme'; only a global "
                               "administrator (portal_url without /ServicesPortal) can act in another tenant")
    assert s.wanted_tenant is None and len(server.sent) == 3
    s.current_tenant = None
    s.browse("beta")  # nothing known to compare with: the portal decides
    assert len(server.sent) == 3


class Scope:
    def get(self, kind, key, factory):
        assert kind == "portal"
        self.key = key
        return factory()


def test_portal_tenant_session(server):
    params = {"portal_url": URL, "portal_username": USER, "portal_password": PASSWORD, "validate_certs": True,
              "ca_path": None, "timeout": 12, "tenant": "acme"}
    s, tenant = portal.portal_tenant_session(Scope(), params)
    assert tenant == "acme" and s.current_tenant == "acme" and s.logged_in and s.http.timeout == (10.0, 12.0)
    server.tenant = ""
    with pytest.raises(ValueError) as info:
        portal.portal_tenant_session(Scope(), dict(params, tenant=None))
    assert str(info.value) == "tenant is required: 'admin' is a global administrator and is not browsing a tenant"
    server.tenant = "beta"
    s, tenant = portal.portal_tenant_session(Scope(), dict(params, portal_url=URL + "/ServicesPortal", tenant=None))
    assert tenant == "beta" and not s.is_global_admin
    s, tenant = portal.portal_tenant_session(Scope(), dict(params, tenant=None, timeout=None))
    assert tenant == "beta" and s.http.timeout == (10.0, 30.0)  # a global administrator already in a tenant
    s, tenant = portal.portal_tenant_session(Scope(), dict(params, portal_url=URL + "/ServicesPortal", tenant="BETA"))
    assert tenant == "BETA"  # the tenant as the task names it (the portal compares case-insensitively)
    server.tenant = ""
    s, tenant = portal.portal_tenant_session(Scope(), dict(params, portal_url=URL + "/ServicesPortal", tenant="beta"))
    assert tenant == "beta" and s.current_tenant is None  # a tenant user whose portal does not say


# -- workers and logout -----------------------------------------------------------------------------------------------

def test_a_worker_shares_the_login_and_never_logs_out(server):
    s = logged_in(server)
    s.browse("acme")
    s.http.session.cookies.set("JSESSIONID", "abc")
    twin = s.worker()
    assert twin.http is not s.http and twin.http.session is not s.http.session
    assert twin.http.session.cookies.get("JSESSIONID") == "abc" and twin.current_tenant == "acme"
    assert twin.logged_in and getattr(s, "is_worker", False) is False
    del server.sent[:]
    twin.close()
    assert server.sent == [] and s.logged_in and twin.logged_in


def test_close_logs_out_once_and_survives_a_failed_logout(server):
    s = logged_in(server)
    s.close()
    assert server.paths() == [("POST", "/admin/api/logout")] and not s.logged_in
    _m, _p, body, headers = server.sent[0]
    assert body in (None, "") and headers["Content-Type"] == "application/x-www-form-urlencoded"
    s.close()
    assert len(server.sent) == 1  # no longer logged in: nothing to log out
    server.routes[("POST", "/admin/api/logout")] = requests.exceptions.ConnectionError("reset by peer")
    s = logged_in(server)
    s.close()
    assert not s.logged_in and server.paths() == [("POST", "/admin/api/logout")]  # never retried


@pytest.mark.parametrize("status", [400, 401])
def test_a_bad_request_is_an_error_with_the_server_message(server, status):
    s = logged_in(server)
    server.routes[("PUT", "/admin/api/users/bob")] = xml({"msg": "invalid email"}, status=status)
    with pytest.raises(HTTPStatusError) as info:
        s.put(s.path("users", "bob"), {"email": "x"}, what="update user 'bob'")
    assert (info.value.message, info.value.status, info.value.server_message, info.value.method) == \
        ("update user 'bob' failed", status, "invalid email", "PUT")


def test_a_refused_new_login_leaves_the_session_logged_out(server):
    s = logged_in(server)
    server.routes[("GET", "/admin/api/users")] = redirect(URL + portal.LOGIN_PAGE)
    server.routes[("POST", "/admin/api/login")] = text("", status=403)
    with pytest.raises(AuthenticationError):
        s.get(s.path("users"))
    assert not s.logged_in
    s.close()
    assert ("POST", "/admin/api/logout") not in server.paths()  # nothing to log out of


def test_an_answer_that_is_not_the_apis_xml_is_refused_without_secrets(server):
    s = logged_in(server)
    for body, content_type, problem in (('{"users": []}', "application/json", "not XML"),
                                        ("<response>ok</response>", "text/xml", "XML that is not the API's"),
                                        ("<html>sign in %s</html>" % PASSWORD, "text/html", "an HTML page")):
        server.routes[("GET", "/admin/api/users")] = text(body, headers={"Content-Type": content_type})
        with pytest.raises(UnexpectedAnswer) as info:
            s.get(s.path("users"), what="list users")
        assert info.value.message.startswith("list users failed: the server answered %s" % problem)
        assert "not the API's XML answer" in info.value.message
        assert PASSWORD not in str(info.value) and PASSWORD not in str(info.value.to_result())
    assert "sign in ********" in str(info.value)


def test_a_login_answer_is_checked_like_any_other(server):
    server.routes[("POST", "/admin/api/login")] = xml({"msg": "bad form"}, status=400)
    with pytest.raises(HTTPStatusError) as info:
        session().login()
    assert (info.value.status, info.value.message, info.value.server_message) == \
        (400, "Portal login for user 'admin' failed", "bad form")
    server.routes[("POST", "/admin/api/login")] = text('{"token": "x"}', headers={"Content-Type": "application/json"})
    with pytest.raises(UnexpectedAnswer, match="^Portal login for user 'admin' failed: the server answered not XML"):
        session().login()
    server.routes[("POST", "/admin/api/login")] = text("<html>wrong password %s</html>" % PASSWORD,
                                                       headers={"Content-Type": "text/html"})
    with pytest.raises(UnexpectedAnswer) as info:
        session().login()
    assert PASSWORD not in str(info.value.to_result()) and "wrong password ********" in str(info.value)


def test_a_failed_read_of_the_current_tenant_is_named(server):
    server.routes[("GET", "/admin/api/currentPortal")] = text("")
    with pytest.raises(UnexpectedAnswer, match="^read the current tenant failed: the server answered an empty body"):
        session().login()
    server.routes[("GET", "/admin/api/currentPortal")] = text("down", status=500)
    with pytest.raises(ServerError) as info:
        session().login()
    assert (info.value.message, info.value.method) == ("read the current tenant failed", "GET")


def test_a_refused_new_login_during_a_download_leaves_the_session_logged_out(server, tmp_path):
    s = logged_in(server)
    server.routes[("GET", "/admin/webdav/f.txt")] = redirect(URL + portal.LOGIN_PAGE)
    server.routes[("POST", "/admin/api/login")] = text("", status=403)
    with pytest.raises(AuthenticationError):
        s.download("/admin/webdav/f.txt", str(tmp_path), "download f.txt")
    assert not s.logged_in and os.listdir(str(tmp_path)) == []
