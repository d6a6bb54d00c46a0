# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport behaviour that mutation testing (docs/mutation.md) found unchecked: a cloned connection (one per
bulk worker) keeps TLS settings, headers and cookies and adds no retries of its own; error statuses, results
and retry notes; backoff bounds; names refused in URLs."""

import json
import os

import pytest

from simulators._base import Listener, Response, Service, TLSMaterial
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    BadRequest, HttpClient, HTTPStatusError, InvalidName, NotFound, Redactor, ServerError, TLSError,
    TransportError, check_name, error_class_for, retried_note,
)


class Echo(Service):
    kind = "echo"

    def route(self, request):
        return Response.json({"path": request.path, "agent": request.header("User-Agent"),
                              "tenant": request.header("X-Tenant"), "cookies": request.cookies})


@pytest.fixture()
def server():
    service = Echo(None)
    listener = Listener(service, 0).start()
    yield service, listener
    listener.stop()


@pytest.fixture()
def no_ca_bundle_env():
    saved = {k: os.environ.pop(k, None) for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    yield
    os.environ.update({k: v for k, v in saved.items() if v is not None})


# -- clone (one connection per bulk worker) ----------------------------------------------------------------

def test_clone_keeps_certificate_validation(tmp_path, no_ca_bundle_env):
    tls = TLSMaterial(str(tmp_path))
    listener = Listener(Echo(None), 0, tls=tls).start()
    try:
        with pytest.raises(TLSError):
            HttpClient(listener.url, retries=0).clone().request("GET", "/strict")
        trusted = HttpClient(listener.url, ca_path=tls.ca_path, retries=0).clone()
        assert json.loads(trusted.request("GET", "/ca").text)["path"] == "/ca"
        lab = HttpClient(listener.url, validate_certs=False, retries=0).clone()
        assert lab.request("GET", "/lab").status_code == 200
    finally:
        listener.stop()


def test_clone_sends_the_same_headers_and_cookies_on_its_own_connection(server):
    _service, listener = server
    http = HttpClient(listener.url, headers={"X-Tenant": "acme"})
    http.session.cookies.set("JSESSIONID", "s1")  # what a login leaves in the session
    http.request("GET", "/a")
    twin = http.clone()
    answer = json.loads(twin.request("GET", "/b").text)
    assert answer["tenant"] == "acme" and answer["cookies"] == {"JSESSIONID": "s1"}
    assert answer["agent"].startswith("filefleet.office/")
    assert twin.session is not http.session
    assert twin.request_count == 1 and http.request_count == 1


def test_clone_adds_no_hidden_retries(server):
    # retries are the client's own (counted and backed off); the clone's connection pool must not add any
    service, listener = server
    service.faults.set({"drop": [{"count": 1, "path": "/x"}]})
    twin = HttpClient(listener.url, retries=0, sleep=lambda s: None).clone()
    with pytest.raises(TransportError):
        twin.request("GET", "/x")
    assert service.stats_requests["GET /x"] == 1


def test_clone_ignores_proxy_settings_of_the_environment_set_later(server, monkeypatch):
    _service, listener = server
    http = HttpClient(listener.url, retries=0)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    assert http.clone().request("GET", "/direct").status_code == 200


# -- statuses, errors, notes ----------------------------------------------------------------------------------

def test_error_classes_by_status():
    assert error_class_for(400) is BadRequest and error_class_for(404) is NotFound
    assert error_class_for(500) is ServerError and error_class_for(501) is ServerError
    assert error_class_for(418) is HTTPStatusError and error_class_for(499) is HTTPStatusError
    assert error_class_for(None) is HTTPStatusError


class Fixed(Service):
    kind = "fixed"

    def route(self, request):
        status = int(request.path.strip("/"))
        return Response(status, ("answer %d for p4ssw0rd" % status).encode(), "text/plain")


def test_raise_for_status_raises_from_400_redacted():
    listener = Listener(Fixed(None), 0).start()
    try:
        http = HttpClient(listener.url, retries=0, redactor=Redactor(["p4ssw0rd"]))
        http.raise_for_status(http.request("GET", "/399"), "read it")
        with pytest.raises(BadRequest) as caught:
            http.raise_for_status(http.request("GET", "/400"), "read it", server_message="bad p4ssw0rd")
        error = caught.value
        assert error.message == "read it failed"
        assert error.server_message == "bad ********" and error.body == "answer 400 for ********"
        assert error.to_result() == {"msg": str(error), "status": 400, "method": "GET",
                                     "url": listener.url + "/400", "server_message": "bad ********"}
        assert str(error) == "read it failed (GET %s/400 -> HTTP 400) server said: bad ********" % listener.url
    finally:
        listener.stop()


def test_retried_note_counts_retries():
    class Answer:
        pass

    answer = Answer()
    assert retried_note(answer) == ""
    answer.retries = 1
    assert retried_note(answer) == " (after 1 retry)"
    answer.retries = 2
    assert retried_note(answer) == " (after 2 retries)"
    assert retried_note(0) == "" and retried_note(3) == " (after 3 retries)"


def test_backoff_is_full_jitter_capped(monkeypatch):
    import random
    calls = []
    monkeypatch.setattr(random, "uniform", lambda low, high: calls.append((low, high)) or high)
    http = HttpClient("http://127.0.0.1:9", backoff=0.5, backoff_max=8.0)
    assert [http._delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert all(low == 0 for low, _high in calls)
    assert http._delay(0, "120") == 60.0 and http._delay(0, "7") == 7.0


def test_check_name_messages_and_del_character():
    with pytest.raises(InvalidName) as caught:
        check_name("..")
    assert str(caught.value) == ("name='..' is not allowed: '.' and '..' would address another object (the URL path "
                                 "would change), not one named '..'")
    with pytest.raises(InvalidName) as caught:
        check_name("a\x7fb", "share")
    assert str(caught.value).startswith("share='a\\x7fb' is not allowed: it holds control characters")
    assert check_name("caf\u00e9\u0080x") == "caf\u00e9\u0080x"


# -- secrets: every form a client sends or a server echoes is redacted ----------------------------------------------

def _b64(text, urlsafe=False):
    import base64
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(text.encode("utf-8")).decode("ascii")


def test_every_encoding_of_a_secret_and_of_basic_credentials_is_redacted():
    secret = 'p&s <w>"d/+ é?'  # every character class an encoding changes
    redact = Redactor([secret], username="admin")
    forms = {
        "plain": secret,
        "url-encoded": "p%26s%20%3Cw%3E%22d%2F%2B%20%C3%A9%3F",
        "form-encoded": "p%26s+%3Cw%3E%22d%2F%2B+%C3%A9%3F",
        "url-encoded path": "p%26s%20%3Cw%3E%22d/%2B%20%C3%A9%3F",
        "json": 'p&s <w>\\"d/+ \\u00e9?',
        "json utf-8": 'p&s <w>\\"d/+ é?',
        "xml": "p&amp;s &lt;w&gt;&quot;d/+ é?",
        "base64": _b64(secret), "base64 unpadded": _b64(secret).rstrip("="),
        "base64 url-safe": _b64(secret, urlsafe=True), "base64 url-safe unpadded": _b64(secret, urlsafe=True).rstrip("="),
        "basic": _b64("admin:" + secret), "basic unpadded": _b64("admin:" + secret).rstrip("="),
        "basic url-safe": _b64("admin:" + secret, urlsafe=True),
    }
    for name, form in forms.items():
        assert redact("<%s>" % form) == "<********>", name
    # A user given with the secret (a second account) counts too, and so does the session's own user.
    other = Redactor(username="admin")
    other.add("tok-Secret-1", username="svc")
    assert other("Basic " + _b64("svc:tok-Secret-1")) == "Basic ********"
    assert other("Basic " + _b64("admin:tok-Secret-1")) == "Basic ********"
    assert other("Basic " + _b64("svc:tok-Secret-1", urlsafe=True).rstrip("=")) == "Basic ********"


def test_redaction_of_structures_and_other_types():
    redact = Redactor(["s3cret-pw", None, "ab", 12345])
    assert redact(None) is None
    assert redact(b"login s3cret-pw \xff") == "login ******** \ufffd"
    assert redact({"a": "s3cret-pw", "b": ["x s3cret-pw", ("12345",)], "c": 7}) == {
        "a": "********", "b": ["x ********", ["********"]], "c": 7}
    assert redact(("s3cret-pw", 3)) == ["********", 3]
    assert redact(12345) == 12345  # not text: returned as it is
    assert redact("ab cd abc") == "ab cd abc"  # a secret shorter than 3 characters is not redacted (it would mangle text)
    assert redact("id 12345") == "id ********"  # secrets that are not text are redacted as text


def test_the_longest_secret_is_redacted_first():
    redact = Redactor(["abc", "abcdef-long"])
    assert redact("x abcdef-long y abc") == "x ******** y ********"
    redact = Redactor(["abcdef-long", "abc"])
    assert redact("x abcdef-long") == "x ********"


# -- TLS and connection settings of a client ---------------------------------------------------------------------

def test_certificates_are_verified_unless_switched_off(tmp_path, no_ca_bundle_env, monkeypatch):
    import warnings
    filters = []
    monkeypatch.setattr(warnings, "simplefilter", lambda action, category=Warning, *a, **k: filters.append((action, category)))
    assert HttpClient("https://h.example.com").verify is True
    assert filters == []
    ca = str(tmp_path / "ca.pem")
    client = HttpClient("https://h.example.com", ca_path=ca)
    assert client.verify == ca and client.validate_certs is True and client.ca_path == ca
    client = HttpClient("https://h.example.com", validate_certs=False, ca_path=ca)
    assert client.verify is False and client.validate_certs is False
    from urllib3.exceptions import InsecureRequestWarning
    assert filters == [("ignore", InsecureRequestWarning)]  # only the warning about what the user chose is silenced


def test_client_settings(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    monkeypatch.setenv("NO_PROXY", "")
    client = HttpClient("h.example.com/api/", timeout=45, connect_timeout=4, retries=-2, backoff=1, backoff_max=3,
                        headers={"X-Tenant": "acme"}, max_response_bytes="99")
    assert client.base_url == "https://h.example.com/api"
    assert client.timeout == (4.0, 45.0) and client.retries == 0 and client.backoff == 1.0 and client.backoff_max == 3.0
    assert client.max_response_bytes == 99 and client.request_count == 0
    assert client.session.trust_env is False  # proxies read once, here, not from the environment on every request
    assert client.session.proxies.get("https") == "http://proxy.example.com:3128"
    assert client.session.headers["User-Agent"].startswith("filefleet.office/")
    assert client.session.headers["X-Tenant"] == "acme"
    adapter = client.session.get_adapter("https://h.example.com/")
    assert adapter.max_retries.total == 0  # retries are the client's own, never urllib3's hidden ones
    assert client.session.get_adapter("http://h.example.com/") is adapter
    assert client.url("/x") == "https://h.example.com/api/x" and client.url("x") == "https://h.example.com/api/x"
    assert client.url("https://other.example.com/y") == "https://other.example.com/y"
    assert client.url("http://other.example.com/y") == "http://other.example.com/y"
    default = HttpClient("https://h.example.com")
    assert default.timeout == (10.0, 30.0) and default.retries == 3


# -- errors: what str() and results show -----------------------------------------------------------------------

def test_api_error_text_and_result():
    from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
    error = ApiError("read user u1 failed", "GET", "https://h/users/u1", 404, "no such user", "<body>")
    assert str(error) == "read user u1 failed (GET https://h/users/u1 -> HTTP 404) server said: no such user"
    assert error.to_result() == {"msg": str(error), "status": 404, "method": "GET", "url": "https://h/users/u1",
                                 "server_message": "no such user"}
    assert error.body == "<body>" and error.message == "read user u1 failed"
    assert str(ApiError("login failed", "POST", "https://h/login")) == "login failed (POST https://h/login)"
    assert str(ApiError("x failed", None, "https://h/x", 500)) == "x failed"
    assert str(ApiError("x failed", "GET", None, 500)) == "x failed"
    # The server's message is not repeated when the message already says it.
    assert str(ApiError("x failed: quota exceeded", "GET", "https://h", 409, "quota exceeded")) == \
        "x failed: quota exceeded (GET https://h -> HTTP 409)"
    assert str(ApiError("plain")) == "plain" and ApiError("plain").to_result()["status"] is None
    long = ApiError("m" * 5000, "GET", "https://h/" + "u" * 3000, 500, "s" * 3000, "b" * 3000)
    assert long.message == "m" * 4000 + "... [1000 more characters]"
    assert long.url == "https://h/" + "u" * 1990 + "... [1010 more characters]"
    assert long.server_message == "s" * 2000 + "... [1000 more characters]"
    assert long.body == "b" * 2000 + "... [1000 more characters]"


class Busy(Service):
    """503 for the first request of each path, then 200."""
    kind = "busy"

    def __init__(self, state_path):
        Service.__init__(self, state_path)
        self.seen = set()

    def route(self, request):
        if request.path not in self.seen:
            self.seen.add(request.path)
            return Response.json({"busy": True}, status=503)
        return Response.json({"path": request.path})


def test_a_client_made_with_the_default_sleep_waits_and_retries():
    listener = Listener(Busy(None), 0).start()
    try:
        client = HttpClient(listener.url, retries=1, backoff=0.0)
        assert client.request("GET", "/again").status_code == 200
    finally:
        listener.stop()


def test_default_backoff_doubles_from_half_a_second_up_to_8_seconds(monkeypatch):
    import random
    monkeypatch.setattr(random, "uniform", lambda low, high: (low, high))
    client = HttpClient("https://h.example.com")
    assert [client._delay(attempt) for attempt in range(6)] == [  # pylint: disable=protected-access
        (0, 0.5), (0, 1.0), (0, 2.0), (0, 4.0), (0, 8.0), (0, 8.0)]


def test_a_client_without_requests_says_so(monkeypatch):
    from ansible_collections.filefleet.office.plugins.module_utils import _http
    monkeypatch.setattr(_http, "HAS_REQUESTS", False)
    with pytest.raises(ImportError) as failure:
        HttpClient("https://h.example.com")
    assert str(failure.value) == "the python 'requests' library is required"


def test_padded_base64_forms_and_letters_kept_by_url_encoding_are_redacted_too():
    secret = "pw-X/Pad-1"  # 10 bytes: base64 padded with "==", and "admin:" + it with "="
    redact = Redactor([secret], username="admin")
    for raw in (secret, "admin:" + secret):
        for urlsafe in (False, True):
            padded = _b64(raw, urlsafe=urlsafe)
            assert padded.endswith("=")
            assert redact("<%s>" % padded) == "<********>"
            assert redact("<%s>" % padded.rstrip("=")) == "<********>"
    assert redact("<pw-X%2FPad-1>") == "<********>" and redact("<pw-X/Pad-1>") == "<********>"
