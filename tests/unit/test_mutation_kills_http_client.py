# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport behaviour found unchecked by mutation testing of _http.py (docs/mutation.md): which TLS failures are
a trust problem (reported once, naming ca_path and validate_certs) and which are a lost connection (retried like
any other for a GET); answers that are not the API's (an empty body, XML sent as JSON) refused."""

import base64

import pytest
import requests

from simulators._base import Listener, Response, Service
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    HttpClient, Redactor, ServerError, TLSError, TransportError, UnexpectedAnswer, check_answer,
)


class Echo(Service):
    kind = "echo"

    def route(self, request):
        return Response.json({"path": request.path})


def _failing_client(message, retries=2):
    """A client whose every attempt ends in the TLS error ``message`` (as requests raises it)."""
    sleeps, attempts = [], []
    http = HttpClient("https://h.example.com", retries=retries, sleep=sleeps.append)

    def send(method, url, **kwargs):
        attempts.append((method, url, kwargs["verify"]))
        raise requests.exceptions.SSLError(message)
    http.session.request = send
    return http, attempts, sleeps


@pytest.mark.parametrize("message", [
    "hostname 'h.example.com' doesn't match 'other.example.com'",  # urllib3's own hostname check
    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain",
    "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
], ids=["hostname", "certificate", "wrong version"])
def test_a_refused_certificate_or_name_is_a_tls_error_sent_once(message):
    http, attempts, sleeps = _failing_client(message)
    with pytest.raises(TLSError) as caught:
        http.request("GET", "/users")
    text = str(caught.value)
    assert text.startswith("TLS verification failed for https://h.example.com: ")
    assert "Set ca_path to the CA bundle that signed the server certificate, or validate_certs=false" in text
    assert attempts == [("GET", "https://h.example.com/users", True)] and sleeps == []  # retrying cannot help


@pytest.mark.parametrize("message", [
    "EOF occurred in violation of protocol (_ssl.c:2426)",
    "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record mac",
])
def test_a_tls_session_cut_short_is_a_lost_connection_retried_for_a_get_only(message):
    http, attempts, sleeps = _failing_client(message)
    with pytest.raises(TransportError) as caught:
        http.request("GET", "/users")
    assert not isinstance(caught.value, TLSError)
    assert str(caught.value).startswith("Connection failure talking to https://h.example.com (after 2 retries): ")
    assert "ca_path" not in str(caught.value) and len(attempts) == 3 and len(sleeps) == 2
    http, attempts, sleeps = _failing_client(message)
    with pytest.raises(TransportError) as caught:
        http.request("POST", "/users", data=b"x")
    assert not isinstance(caught.value, TLSError) and len(attempts) == 1 and sleeps == []


def test_https_to_a_plain_http_server_is_a_tls_error_not_a_retried_drop():
    service = Echo(None)
    listener = Listener(service, 0).start()
    try:
        sleeps = []
        http = HttpClient(listener.url.replace("http://", "https://"), retries=3, sleep=sleeps.append)
        with pytest.raises(TLSError) as caught:
            http.request("GET", "/x")
        assert "ca_path" in str(caught.value) and sleeps == []
    finally:
        listener.stop()


# -- answers that are not the API's -----------------------------------------------------------------------------

def _answer(body, content_type, status=200, url="https://h.example.com/api/x?token=tok-Secret-9"):
    response = requests.Response()
    response.status_code = status
    response._content = body  # pylint: disable=protected-access
    if content_type:
        response.headers["Content-Type"] = content_type
    response.url = url
    response.request = requests.Request("GET", url).prepare()
    return response


def test_an_empty_answer_is_refused_unless_the_caller_accepts_one():
    for body in (b"", b"  \n"):
        with pytest.raises(UnexpectedAnswer) as caught:
            check_answer(_answer(body, "application/json"), "json", "log in", Redactor(["tok-Secret-9"]))
        assert "log in failed: the server answered an empty body, not the API's JSON answer" in str(caught.value)
        assert caught.value.url == "https://h.example.com/api/x?token=********" and caught.value.method == "GET"
    assert check_answer(_answer(b"", "application/json"), "json", "delete x", require_body=False) is None


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8"])
def test_xml_sent_with_a_json_content_type_is_not_the_xml_api(content_type):
    with pytest.raises(UnexpectedAnswer) as caught:
        check_answer(_answer(b"<obj><att id='name'><val>x</val></att></obj>", content_type), "xml", "read share")
    assert "read share failed: the server answered not XML, not the API's XML answer (HTTP 200, %s" % content_type \
        in str(caught.value)
    assert check_answer(_answer(b"<obj><att id='name'><val>x</val></att></obj>", "text/xml"), "xml", "read") is None


# -- error statuses: the message says how often the request was sent again ---------------------------------------

class Unavailable(Service):
    kind = "unavailable"

    def route(self, request):
        return Response(503, b"busy", "text/plain")


def test_an_error_status_after_retries_says_how_many():
    listener = Listener(Unavailable(None), 0).start()
    try:
        http = HttpClient(listener.url, retries=2, sleep=lambda seconds: None)
        with pytest.raises(ServerError) as caught:
            http.raise_for_status(http.request("GET", "/x"), "read x")
        assert caught.value.message == "read x failed (after 2 retries)" and caught.value.status == 503
        with pytest.raises(ServerError) as caught:
            http.raise_for_status(http.request("POST", "/x"), "create x")
        assert caught.value.message == "create x failed"  # a POST is never sent again
    finally:
        listener.stop()


# -- secrets: both base64 alphabets, padded or not ----------------------------------------------------------------

def test_standard_and_url_safe_base64_of_a_secret_are_redacted_with_or_without_padding():
    secret = "pw~Pad?1"  # base64 "cHd+UGFkPzE=", URL-safe "cHd-UGFkPzE=": the two alphabets differ, both padded
    redact = Redactor([secret], username="admin")
    for raw in (secret, "admin:" + secret):
        standard = base64.b64encode(raw.encode()).decode()
        urlsafe = base64.urlsafe_b64encode(raw.encode()).decode()
        assert standard != urlsafe and standard.endswith("=") and urlsafe.endswith("=")
        for form in (standard, standard.rstrip("="), urlsafe, urlsafe.rstrip("=")):
            assert redact("Authorization: Basic <%s>" % form) == "Authorization: Basic <********>", form
