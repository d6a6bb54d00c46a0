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
