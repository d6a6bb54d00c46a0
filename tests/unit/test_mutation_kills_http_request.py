# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``HttpClient.request`` and ``download`` through a scripted transport (mutation testing, docs/mutation.md): what is
sent on the wire, which failures are retried and how often, the exact (redacted) error text, answers read only up
to the limit (by Content-Length or while reading), downloads to a hidden ``.part`` file that is never left behind.

The transport is a ``requests`` adapter mounted on the client's own session, so requests' real machinery (prepared
requests, redirects, ``stream``, ``iter_content``, case-insensitive headers) runs; each answer's body behaves like
urllib3's (``stream()`` yields chunks of at most the asked size, nothing after ``close()``) and counts what was read.
"""

import hashlib
import os

import pytest
import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ProtocolError

from ansible_collections.filefleet.office.plugins.module_utils._http import (
    MAX_MESSAGE_CHARS, ApiError, BadRequest, HttpClient, NotFound, Redactor, RequestTimeout, SessionExpired, TLSError,
    TransportError, UnexpectedAnswer, clip,
)

BASE = "https://h.example.com"
SECRET = "tok-Secret-9"
REFUSED = ("HTTPSConnectionPool(host='h.example.com', port=443): Max retries exceeded with url: /x (Caused by "
           "NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
           "connection: [Errno 111] Connection refused'))")


def pattern(size):
    """``size`` bytes that differ from chunk to chunk (a wrong join or a lost chunk shows)."""
    return bytes(i * 7 % 251 for i in range(size))


class Body:
    """An answer body like urllib3's: ``stream(amt)`` yields chunks of at most ``amt`` bytes (all at once for None),
    never an empty one, and nothing once closed; ``fail_at`` breaks the connection after that many bytes."""

    def __init__(self, data=b"", fail_at=None):
        self.data = data
        self.fail_at = fail_at
        self.read_bytes = 0
        self.closed = False
        self.released = False

    def stream(self, amt=65536, decode_content=None):  # pylint: disable=unused-argument
        while not self.closed and self.read_bytes < len(self.data):
            if self.fail_at is not None and self.read_bytes >= self.fail_at:
                raise ProtocolError("Connection broken: reset by peer while sending %s" % SECRET)
            end = len(self.data) if amt is None else self.read_bytes + amt
            if self.fail_at is not None:
                end = min(end, self.fail_at)
            chunk = self.data[self.read_bytes:end]
            self.read_bytes += len(chunk)
            yield chunk

    def close(self):
        self.closed = True

    def release_conn(self):
        self.released = True


class Script(HTTPAdapter):
    """Answers each request with the next item: an exception to raise or ``(status, headers, body)``."""

    def __init__(self, *answers):
        HTTPAdapter.__init__(self, max_retries=0)
        self.answers = list(answers)
        self.sent = []
        self.bodies = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, headers, body = answer
        response = requests.Response()
        response.status_code = status
        response.reason = "scripted"
        response.headers = CaseInsensitiveDict(headers)
        response.raw = body if isinstance(body, Body) else Body(body)
        self.bodies.append(response.raw)
        response.url = request.url
        response.request = request
        response.connection = self
        return response


def client(*answers, **kwargs):
    sleeps = []
    kwargs.setdefault("retries", 2)
    http = HttpClient(BASE, redactor=Redactor([SECRET]), sleep=sleeps.append, **kwargs)
    script = Script(*answers)
    http.session.mount("https://", script)
    return http, script, sleeps


def ok(body=b"{}", **headers):
    return (200, dict({"Content-Type": "application/json"}, **headers), body)


def assert_backoff(sleeps, count):
    """``count`` waits, each a number of seconds within the exponential bound of its attempt (0.5 s doubling)."""
    assert len(sleeps) == count
    assert all(isinstance(s, float) and 0 <= s <= 0.5 * 2 ** i for i, s in enumerate(sleeps)), sleeps


# -- what is sent ------------------------------------------------------------------------------------------------

def test_body_json_headers_and_query_are_sent_as_given():
    http, script, _sleeps = client(ok(), ok())
    http.request("post", "/users", data=b"name=a&x=1", headers={"X-Tenant": "acme"}, params={"q": "x y"})
    http.request("PUT", "users/7", json={"name": "n\u00e9"})
    form, body = script.sent
    assert (form.method, form.url, form.body) == ("POST", BASE + "/users?q=x+y", b"name=a&x=1")
    assert form.headers["X-Tenant"] == "acme" and form.headers["User-Agent"].startswith("filefleet.office/")
    assert (body.method, body.url, body.body) == ("PUT", BASE + "/users/7", b'{"name": "n\\u00e9"}')
    assert body.headers["Content-Type"] == "application/json" and "X-Tenant" not in body.headers
    assert http.request_count == 2


def test_a_redirect_is_returned_not_followed_unless_asked():
    moved = (302, {"Location": BASE + "/login.html"}, b"")
    http, script, _sleeps = client(moved, moved, ok(b'{"page": "login"}'))
    answer = http.request("GET", "/users")
    assert answer.status_code == 302 and answer.headers["Location"] == BASE + "/login.html"
    assert [r.url for r in script.sent] == [BASE + "/users"]
    followed = http.request("GET", "/users", allow_redirects=True)
    assert followed.status_code == 200 and followed.json() == {"page": "login"}
    assert [r.url for r in script.sent[1:]] == [BASE + "/users", BASE + "/login.html"]


def test_every_attempt_is_counted_and_answers_say_how_often_they_were_sent_again():
    busy = (503, {"Retry-After": "2"}, b"busy")
    http, script, sleeps = client(busy, busy, ok(b'{"n": 1}'), retries=3)
    answer = http.request("GET", "/x")
    assert answer.json() == {"n": 1} and answer.retries == 2 and sleeps == [2.0, 2.0]
    assert http.request_count == 3 and len(script.sent) == 3


# -- answers read up to the limit --------------------------------------------------------------------------------

def test_an_answer_is_read_whole_up_to_exactly_the_limit_and_can_be_read_again():
    data = pattern(100000)  # two chunks of the 64 KiB reads
    http, script, _sleeps = client(ok(data, **{"Content-Length": "100000"}), ok(data), ok(b'{"a": [1, 2]}'),
                                   max_response_bytes=100000)
    for _answer in range(2):  # announced by Content-Length, then sent chunked without one
        answer = http.request("GET", "/blob")
        assert b"".join(answer.iter_content(4096)) == data and answer.content == data  # read like any answer
    assert http.request("GET", "/small").json() == {"a": [1, 2]}
    assert all(body.released for body in script.bodies)  # the connection is given back


def test_an_answer_over_the_limit_is_refused_after_reading_no_more_than_one_chunk_past_it():
    data = pattern(150000)  # no chunk on its own is over the limit; together they are
    http, script, _sleeps = client(ok(data), max_response_bytes=100000)
    with pytest.raises(UnexpectedAnswer) as caught:
        http.request("GET", "/big?token=" + SECRET)
    error = caught.value
    assert error.message == ("the answer of %s/big?token=******** is larger than 100000 bytes (no Content-Length); "
                             "refusing to read it" % BASE)
    assert (error.method, error.url, error.status) == ("GET", BASE + "/big?token=********", 200)
    body, = script.bodies
    assert body.read_bytes == 2 * 65536 and body.closed


def test_an_answer_announced_over_the_limit_is_refused_before_its_body_is_read():
    http, script, _sleeps = client((200, {"Content-Length": "20000000"}, pattern(200000)), max_response_bytes=100000)
    with pytest.raises(UnexpectedAnswer) as caught:
        http.request("POST", "/report?token=" + SECRET, data=b"x")
    error = caught.value
    assert error.message == ("the answer of %s/report?token=******** is larger than 100000 bytes (Content-Length "
                             "20000000); refusing to read it" % BASE)
    assert (error.method, error.url, error.status) == ("POST", BASE + "/report?token=********", 200)
    assert script.bodies[0].read_bytes == 0 and script.bodies[0].closed


def test_a_streamed_answer_is_left_unread_for_the_caller():
    data = pattern(150000)
    http, script, _sleeps = client(ok(data), max_response_bytes=100000)
    answer = http.request("GET", "/stream", stream=True)
    assert script.bodies[0].read_bytes == 0
    assert b"".join(answer.iter_content(50000)) == data


# -- failures: retried or not, and the exact message --------------------------------------------------------------

def test_a_dropped_get_is_retried_then_reported_with_the_count_and_the_redacted_url():
    drop = requests.exceptions.ConnectionError("Connection reset by peer (%s)" % SECRET)
    http, script, sleeps = client(drop, drop, drop)
    with pytest.raises(TransportError) as caught:
        http.request("GET", "/users?token=" + SECRET)
    error = caught.value
    assert type(error) is TransportError  # pylint: disable=unidiomatic-typecheck
    assert error.message == "Connection failure talking to %s (after 2 retries): Connection reset by peer (********)" \
        % BASE
    assert (error.method, error.url) == ("GET", BASE + "/users?token=********")
    assert len(script.sent) == 3 and http.request_count == 3
    assert_backoff(sleeps, 2)


@pytest.mark.parametrize("failure", [
    requests.exceptions.ConnectionError(REFUSED),
    requests.exceptions.ConnectTimeout("Connection to h.example.com timed out. (connect timeout=10)"),
], ids=["refused", "connect timeout"])
def test_a_post_that_never_reached_the_server_is_sent_again(failure):
    http, script, sleeps = client(failure, failure, ok(b'{"id": 3}'))
    assert http.request("POST", "/users", json={"name": "a"}).json() == {"id": 3}
    assert [r.body for r in script.sent] == [b'{"name": "a"}'] * 3
    assert_backoff(sleeps, 2)


def test_a_post_that_timed_out_reading_is_not_sent_again_and_says_timeout():
    http, script, sleeps = client(requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"))
    with pytest.raises(RequestTimeout) as caught:
        http.request("POST", "/users?token=" + SECRET, data=b"x")
    error = caught.value
    assert error.message == "Timeout talking to %s: Read timed out. (read timeout=30)" % BASE
    assert (error.method, error.url) == ("POST", BASE + "/users?token=********")
    assert len(script.sent) == 1 and sleeps == []


def test_a_post_dropped_after_sending_is_not_sent_again():
    http, script, sleeps = client(requests.exceptions.ConnectionError("Connection aborted: remote end closed"))
    with pytest.raises(TransportError) as caught:
        http.request("POST", "/users", data=b"x")
    assert caught.value.message == "Connection failure talking to %s: Connection aborted: remote end closed" % BASE
    assert caught.value.method == "POST" and len(script.sent) == 1 and sleeps == []


def test_a_get_whose_answer_breaks_off_while_read_is_sent_again():
    broken = ok(Body(pattern(100000), fail_at=65536))
    http, script, sleeps = client(broken, ok(b'{"ok": true}'))
    assert http.request("GET", "/x").json() == {"ok": True}
    assert len(script.sent) == 2
    assert_backoff(sleeps, 1)


# -- TLS: a trust problem is reported once, a session cut short is a lost connection ------------------------------

def test_a_tls_session_cut_short_is_retried_and_reported_as_a_lost_connection_with_its_text():
    cut = requests.exceptions.SSLError("EOF occurred in violation of protocol (_ssl.c:2426) near %s" % SECRET)
    http, script, sleeps = client(cut, cut, cut)
    with pytest.raises(TransportError) as caught:
        http.request("GET", "/users?token=" + SECRET)
    error = caught.value
    assert type(error) is TransportError  # pylint: disable=unidiomatic-typecheck
    assert error.message == ("Connection failure talking to %s (after 2 retries): EOF occurred in violation of "
                             "protocol (_ssl.c:2426) near ********" % BASE)
    assert (error.method, error.url) == ("GET", BASE + "/users?token=********")
    assert len(script.sent) == 3
    assert_backoff(sleeps, 2)
    http, script, sleeps = client(cut)
    with pytest.raises(TransportError) as caught:
        http.request("POST", "/login?token=" + SECRET, data=b"x")
    assert caught.value.message == ("Connection failure talking to %s: EOF occurred in violation of protocol "
                                    "(_ssl.c:2426) near ********" % BASE)
    assert (caught.value.method, caught.value.url) == ("POST", BASE + "/login?token=********")
    assert len(script.sent) == 1 and sleeps == []


def test_a_refused_certificate_names_the_fix_the_method_and_the_redacted_url():
    refused = requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed (%s)" % SECRET)
    http, script, sleeps = client(refused)
    with pytest.raises(TLSError) as caught:
        http.request("DELETE", "/users/7?token=" + SECRET)
    error = caught.value
    assert error.message == ("TLS verification failed for %s: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
                             "failed (********). Set ca_path to the CA bundle that signed the server certificate, or "
                             "validate_certs=false for a lab system." % BASE)
    assert (error.method, error.url) == ("DELETE", BASE + "/users/7?token=********")
    assert len(script.sent) == 1 and sleeps == []


@pytest.mark.parametrize("length, shown", [
    (299, "e" * 299),
    (300, "e" * 300),
    (301, "e" * 300 + "..."),
    (1000, "e" * 300 + "..."),
])
def test_an_exception_text_is_shown_whole_up_to_300_characters_and_cut_after_300_with_a_mark(length, shown):
    http, _script, _sleeps = client(requests.exceptions.ConnectionError("e" * length), retries=0)
    with pytest.raises(TransportError) as caught:
        http.request("GET", "/x")
    assert caught.value.message == "Connection failure talking to %s: %s" % (BASE, shown)


# -- errors keep the message as any exception does; clip ---------------------------------------------------------

def test_an_api_error_is_an_exception_whose_argument_is_its_message():
    error = ApiError("read x failed", "GET", BASE + "/x", 500)
    assert error.args == ("read x failed",) and repr(error) == "ApiError('read x failed')"


def test_clip_keeps_text_up_to_the_limit_and_leaves_other_values_alone():
    assert clip("a" * MAX_MESSAGE_CHARS) == "a" * MAX_MESSAGE_CHARS
    assert clip("a" * (MAX_MESSAGE_CHARS + 1)) == "a" * MAX_MESSAGE_CHARS + "... [1 more characters]"
    assert clip(None) is None and clip(12345) == 12345
    assert clip(b"b" * 3000) == b"b" * 3000 and clip(["c"] * 3000) == ["c"] * 3000
    assert ApiError("m", server_message="s" * MAX_MESSAGE_CHARS).server_message == "s" * MAX_MESSAGE_CHARS


# -- download ---------------------------------------------------------------------------------------------------

def test_a_download_streams_to_a_hidden_part_file_with_its_size_and_checksum(tmp_path):
    data = pattern(300000)
    http, script, _sleeps = client((200, {"Content-Type": "application/octet-stream"}, data), max_response_bytes=1000)
    path, digest, size = http.download("/files/a.bin", str(tmp_path), "fetch a.bin", chunk_size=4096,
                                       headers={"X-Tenant": "acme"})
    name = os.path.basename(path)
    assert os.path.dirname(path) == str(tmp_path) and name.startswith(".filefleet-") and name.endswith(".part")
    with open(path, "rb") as handle:
        assert handle.read() == data
    assert size == 300000 and digest == hashlib.sha256(data).hexdigest()
    sent, = script.sent
    assert sent.method == "GET" and sent.url == BASE + "/files/a.bin" and sent.headers["X-Tenant"] == "acme"
    assert script.bodies[0].released


def test_a_download_of_exactly_max_bytes_is_kept(tmp_path):
    data = pattern(10000)
    http, _script, _sleeps = client((200, {}, data))
    path, digest, size = http.download("/f", str(tmp_path), "fetch f", chunk_size=4096, max_bytes=10000)
    assert size == 10000 and digest == hashlib.sha256(data).hexdigest() and os.path.getsize(path) == 10000


def test_a_download_over_max_bytes_stops_reading_and_leaves_no_file(tmp_path):
    http, script, _sleeps = client((200, {}, pattern(300000)))
    with pytest.raises(ApiError) as caught:
        http.download("/f?token=" + SECRET, str(tmp_path), "fetch f", chunk_size=4096, max_bytes=10000)
    error = caught.value
    assert type(error) is ApiError  # pylint: disable=unidiomatic-typecheck
    assert error.message == "fetch f failed: more than 10000 bytes"
    assert (error.method, error.url, error.status) == ("GET", BASE + "/f?token=********", None)
    assert script.bodies[0].read_bytes == 3 * 4096 and script.bodies[0].closed
    assert os.listdir(str(tmp_path)) == []


def test_a_download_that_breaks_off_leaves_no_file_and_says_so_redacted(tmp_path):
    http, script, sleeps = client((200, {}, Body(pattern(300000), fail_at=8192)))
    with pytest.raises(TransportError) as caught:
        http.download("/f?token=" + SECRET, str(tmp_path), "fetch f", chunk_size=4096)
    error = caught.value
    assert error.message == "fetch f failed while receiving data: Connection broken: reset by peer while sending ********"
    assert (error.method, error.url) == ("GET", BASE + "/f?token=********")
    assert os.listdir(str(tmp_path)) == [] and len(script.sent) == 1 and sleeps == []


def test_a_download_answered_by_the_login_page_is_an_expired_session(tmp_path):
    seen = []

    def expired(response):
        seen.append((response.status_code, response.headers.get("Location")))
        return response.status_code == 302

    http, _script, _sleeps = client((302, {"Location": BASE + "/login"}, b""), (200, {}, b"data"))
    with pytest.raises(SessionExpired) as caught:
        http.download("/f?token=" + SECRET, str(tmp_path), "fetch f", expired=expired)
    error = caught.value
    assert error.message == "fetch f failed: the session expired"
    assert (error.method, error.url, error.status) == ("GET", BASE + "/f?token=********", 302)
    assert seen == [(302, BASE + "/login")] and os.listdir(str(tmp_path)) == []
    path, _digest, size = http.download("/f", str(tmp_path), "fetch f", expired=expired)
    assert size == 4 and seen[1] == (200, None) and os.path.exists(path)


@pytest.mark.parametrize("status, body, cls, shown", [
    (400, b"bad range for " + SECRET.encode(), BadRequest, "bad range for ********"),
    (404, b"", NotFound, ""),
    (500, b"caf\xe9 \xff" + SECRET.encode(), None, "caf\ufffd \ufffd********"),
])
def test_a_download_refused_by_the_server_raises_its_status_error_with_the_body(tmp_path, status, body, cls, shown):
    http, script, _sleeps = client((status, {"Content-Type": "text/plain"}, body))
    with pytest.raises(ApiError) as caught:
        http.download("/f?token=" + SECRET, str(tmp_path), "fetch " + SECRET, chunk_size=4096)
    error = caught.value
    assert type(error).__name__ == (cls.__name__ if cls else "ServerError")
    assert error.message == "fetch ******** failed"
    assert (error.method, error.url, error.status, error.server_message) == ("GET", BASE + "/f?token=********", status, shown)
    assert script.bodies[0].released and os.listdir(str(tmp_path)) == []


def test_a_huge_error_page_is_not_read_whole(tmp_path):
    http, script, _sleeps = client((503, {"Content-Type": "text/html"}, b"e" * 1000000), retries=0)
    with pytest.raises(ApiError) as caught:
        http.download("/f", str(tmp_path), "fetch f")
    assert caught.value.status == 503 and caught.value.server_message == "e" * MAX_MESSAGE_CHARS
    assert script.bodies[0].read_bytes <= 2 * MAX_MESSAGE_CHARS


def test_a_long_secret_cut_off_by_the_error_read_never_shows_in_part(tmp_path):
    """A 1203-character token echoed four times in a 403 page: the read (4000 bytes) ends inside its fourth copy,
    and once the three whole copies are masked that start would fall within the 2000 characters kept."""
    token = "".join(chr(ord("a") + (i * 7) % 26) for i in range(1203))
    http = HttpClient(BASE, redactor=Redactor([token]), sleep=lambda _s: None, retries=0)
    script = Script((403, {"Content-Type": "text/plain"}, ("denied " + token + " ") .encode() * 4))
    http.session.mount("https://", script)
    with pytest.raises(ApiError) as caught:
        http.download("/f", str(tmp_path), "fetch f")
    shown = caught.value.server_message
    assert shown.startswith("denied ******** denied ******** denied ******** denied ")
    assert all(token[i:i + 12] not in shown for i in range(len(token) - 12))
    assert os.listdir(str(tmp_path)) == []


def test_an_error_page_read_whole_keeps_its_end():
    redactor = Redactor(["s3cret-value"])
    assert redactor.head("ends with s3c", 100, whole=True) == "ends with s3c"
    assert redactor.head("ends with s3c", 100, whole=False) == "ends with "  # the start of a secret cut off
    assert redactor.head("ends with s3cret-valu", 100, whole=False) == "ends with "
    assert redactor.head("ends with s3cret-value", 100, whole=False) == "ends with ********"
    assert redactor.head("ends with s3cret-value and s", 100, whole=False) == "ends with ******** and "
    assert redactor.head("ends with s3cret-value!", 100, whole=False) == "ends with ********!"
    assert redactor.head("x" * 50 + " s3cret-value", 20, whole=True) == "x" * 20
    assert redactor.head("ends with 3x", 100, whole=False) == "ends with 3x"  # no form starts with x
    assert Redactor().head("no secrets at all", 100, whole=False) == "no secrets at all"


def test_a_short_error_page_read_whole_is_shown_to_its_last_character(tmp_path):
    """Read whole (shorter than the read), the page's end is not the start of a secret cut off: kept as sent, even
    when it could begin one (``t``, the first letter of the secret)."""
    http, _script, _sleeps = client((400, {"Content-Type": "text/plain"}, b"range not satisfiable at"), retries=0)
    with pytest.raises(ApiError) as caught:
        http.download("/f", str(tmp_path), "fetch f")
    assert caught.value.server_message == "range not satisfiable at"
