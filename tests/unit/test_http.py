# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared transport against a real local HTTP server: retries, backoff, Retry-After, errors, redaction, TLS."""

import json
import os

import pytest

from simulators._base import Listener, Response, Service, TLSMaterial
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    HttpClient, Redactor, RequestTimeout, ServerError, TLSError, TransportError, join_url,
)


class Echo(Service):
    kind = "echo"

    def route(self, request):
        if request.path == "/slow":
            import time
            time.sleep(1.5)
        return Response.json({"method": request.method, "path": request.path, "body": request.text})


@pytest.fixture()
def server():
    service = Echo(None)
    listener = Listener(service, 0).start()
    yield service, listener
    listener.stop()


def client(listener, **kwargs):
    sleeps = []
    http = HttpClient(listener.url, sleep=sleeps.append, **kwargs)
    return http, sleeps


def test_get_is_retried_on_503_with_backoff(server):
    service, listener = server
    service.faults.set({"errors": [{"status": 503, "count": 2, "path": "/x"}]})
    http, sleeps = client(listener, retries=3)
    response = http.request("GET", "/x")
    assert response.status_code == 200
    assert service.stats_requests["GET /x"] == 3
    assert len(sleeps) == 2 and all(0 <= s <= 8 for s in sleeps)


def test_post_is_never_retried(server):
    service, listener = server
    service.faults.set({"errors": [{"status": 503, "count": 1, "path": "/create"}]})
    http, sleeps = client(listener, retries=3)
    response = http.request("POST", "/create", data=b"x")
    assert response.status_code == 503
    assert service.stats_requests["POST /create"] == 1
    assert sleeps == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_post_answered_by_a_gateway_error_is_not_sent_again(server, status):
    """The service may have acted before the gateway failed: a creation is never sent twice blindly."""
    service, listener = server
    service.faults.set({"errors": [{"status": status, "count": 1, "path": "/create"}]})
    http, sleeps = client(listener, retries=3)
    assert http.request("POST", "/create", data=b"x").status_code == status
    assert service.stats_requests["POST /create"] == 1 and sleeps == []


def test_post_answered_429_is_sent_again_after_retry_after(server):
    """429 says the request was not processed: a POST is sent again (after Retry-After) like a GET."""
    service, listener = server
    service.faults.set({"errors": [{"status": 429, "count": 2, "path": "/create", "retry_after": 3}]})
    http, sleeps = client(listener, retries=3)
    response = http.request("POST", "/create", data=b"x")
    assert response.status_code == 200 and response.retries == 2
    assert service.stats_requests["POST /create"] == 3
    assert sleeps == [3.0, 3.0]
    service.faults.set({"errors": [{"status": 429, "count": 10, "path": "/create", "retry_after": 0}]})
    response = http.request("POST", "/create", data=b"x")
    assert response.status_code == 429 and response.retries == 3
    assert service.stats_requests["POST /create"] == 3 + 4


def test_retry_after_is_honoured(server):
    service, listener = server
    service.faults.set({"errors": [{"status": 429, "count": 1, "path": "/x", "retry_after": 7}]})
    http, sleeps = client(listener)
    assert http.request("GET", "/x").status_code == 200
    assert sleeps == [7.0]


def test_retries_give_up_and_return_the_last_status(server):
    service, listener = server
    service.faults.set({"errors": [{"status": 502, "count": 10, "path": "/x"}]})
    http, sleeps = client(listener, retries=2)
    response = http.request("GET", "/x")
    assert response.status_code == 502
    assert service.stats_requests["GET /x"] == 3
    with pytest.raises(ServerError) as info:
        http.raise_for_status(response, "read x")
    assert info.value.status == 502 and info.value.method == "GET" and "/x" in info.value.url


def test_dropped_connection_retried_for_get_not_for_post(server):
    service, listener = server
    service.faults.set({"drop": [{"count": 1, "path": "/x"}, {"count": 1, "path": "/y"}]})
    http, _sleeps = client(listener)
    assert http.request("GET", "/x").status_code == 200
    assert service.stats_requests["GET /x"] == 2
    with pytest.raises(TransportError):
        http.request("POST", "/y", data=b"1")
    assert service.stats_requests["POST /y"] == 1


def test_connection_refused_is_a_transport_error():
    http = HttpClient("http://127.0.0.1:9", retries=1, sleep=lambda s: None)
    with pytest.raises(TransportError) as info:
        http.request("GET", "/")
    assert "Connection failure" in str(info.value)


def test_read_timeout(server):
    _service, listener = server
    http, _sleeps = client(listener, retries=0, timeout=0.3)
    with pytest.raises(RequestTimeout):
        http.request("GET", "/slow")


def test_redaction_masks_the_credentials_of_any_pre_signed_url():
    redact = Redactor()
    text = ("GET https://s3.example/b/k?X-Amz-Date=20261203T000000Z&X-Amz-Credential=AKIAEX%2F20261203&"
            "X-Amz-Signature=0f1e2d3c4b5a&x=1 failed; v2 /k?AWSAccessKeyId=AKIAV2&Signature=c2lnbg%3D%3D&Expires=9 "
            "token 'X-Amz-Security-Token=IQoJb3Jp' quoted \"x-amz-signature%3Dfeedbeef\"")
    shown = redact(text)
    for value in ("AKIAEX", "0f1e2d3c4b5a", "AKIAV2", "c2lnbg", "IQoJb3Jp", "feedbeef"):
        assert value not in shown
    assert "X-Amz-Date=20261203T000000Z" in shown and "&x=1 failed" in shown and "&Expires=9" in shown
    assert "X-Amz-Signature=********&x=1" in shown and "x-amz-signature%3D********\"" in shown


def test_redaction_covers_plain_and_url_encoded_secrets():
    redact = Redactor(["p@ss word&1"])
    text = "login j_password=p%40ss+word%261 failed for p@ss word&1"
    assert "p@ss" not in redact(text) and "p%40ss" not in redact(text)
    assert redact(text).count("********") == 2


def test_join_url_encodes_each_segment():
    assert join_url("https://h/api", "share", "Team Docs & Co") == "https://h/api/share/Team%20Docs%20%26%20Co"
    assert join_url("https://h/api/", "users/alice") == "https://h/api/users/alice"


def test_tls_error_names_the_fix(tmp_path):
    tls = TLSMaterial(str(tmp_path))
    listener = Listener(Echo(None), 0, tls=tls).start()
    try:
        saved = {k: os.environ.pop(k, None) for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
        try:
            with pytest.raises(TLSError) as info:
                HttpClient(listener.url, retries=0).request("GET", "/x")
            assert "ca_path" in str(info.value) and "validate_certs" in str(info.value)
        finally:
            os.environ.update({k: v for k, v in saved.items() if v is not None})
        # ca_path wins over REQUESTS_CA_BUNDLE from the environment
        os.environ["REQUESTS_CA_BUNDLE"] = "/etc/ssl/certs/ca-certificates.crt"
        response = HttpClient(listener.url, ca_path=tls.ca_path).request("GET", "/x")
        assert json.loads(response.text)["path"] == "/x"
        assert HttpClient(listener.url, validate_certs=False).request("GET", "/y").status_code == 200
    finally:
        listener.stop()


class Blob(Service):
    kind = "blob"

    def route(self, request):
        return Response(200, b"x" * 300000, "application/octet-stream")


def test_download_streams_to_a_temp_file_and_enforces_the_limit(tmp_path):
    listener = Listener(Blob(None), 0).start()
    try:
        http = HttpClient(listener.url)
        path, digest, size = http.download("/file", str(tmp_path), "fetch the file", chunk_size=4096)
        with open(path, "rb") as handle:
            data = handle.read()
        assert size == len(data) == 300000
        import hashlib
        assert digest == hashlib.sha256(data).hexdigest()
        assert os.path.dirname(path) == str(tmp_path)
        os.unlink(path)
        from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
        with pytest.raises(ApiError) as info:
            http.download("/file", str(tmp_path), "fetch the file", max_bytes=1000)
        assert "more than 1000 bytes" in str(info.value)
        assert os.listdir(str(tmp_path)) == []  # nothing half-written is left
    finally:
        listener.stop()


@pytest.mark.parametrize("kind", ["connection", "tls"])
@pytest.mark.parametrize("at", [285, 295, 299])
def test_an_exception_text_is_redacted_before_it_is_cut(monkeypatch, kind, at):
    """A secret that the cut at 300 characters would split leaves no part of itself in the error."""
    import requests  # pylint: disable=import-outside-toplevel
    secret = "Sup3r-Secret-Passw0rd"
    http = HttpClient("https://portal.example", redactor=Redactor([secret]), retries=0, sleep=lambda _s: None)
    text = "x" * at + secret + " certificate verify failed" + "y" * 40
    cls = requests.exceptions.SSLError if kind == "tls" else requests.exceptions.ConnectionError

    def fail(*_args, **_kwargs):
        raise cls(text)
    monkeypatch.setattr(http.session, "request", fail)
    with pytest.raises(TLSError if kind == "tls" else TransportError) as info:
        http.request("POST", "/login", data=b"x")
    shown = str(info.value) + repr(info.value.__dict__)
    assert not any(secret[i:i + 5] in shown for i in range(len(secret) - 4)), shown
    if at == 285:
        assert "x" * 20 + "********" in shown
