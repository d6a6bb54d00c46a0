# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Edge session's background tasks, configuration export, logout and re-login on the wire, in-process
(mutation testing of module_utils/_edge.py, docs/mutation.md): a scripted filer answers through requests'
transport (``Session.get_adapter``), so each request is seen as the filer sees it (method, path, body) without a
socket. What is checked is what a user or the filer sees: the task read and how long and how often it is polled,
the messages naming the operation, the exported file and its size limit, the logout form the SDK sends (never
repeated), and the share list read again after a new login."""

import hashlib
import os
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from edge_scripted_filer import Answers, ScriptedFiler
from ansible_collections.filefleet.office.plugins.module_utils import _edge
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import to_xml
from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession, task_path, task_status
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import ShareDirectory
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, ServerError, WaitTimeout

URL = "https://filer.test"
API = "/admingui/api"
XML = {"Content-Type": "text/xml"}
CONFIG = b"<obj><att id=\"hostname\"><val>filer-1</val></att></obj>\n" * 40


def xml(value, status=200):
    return status, to_xml(value), XML


def text(body, status=200, headers=None):
    return status, body, headers or {"Content-Type": "text/plain"}


class Filer(requests.adapters.BaseAdapter):
    """Answers (method, path) from ``routes``: an answer, a list of answers (one per request, the last one repeated)
    or a function of the request. The login sets the session cookie, as the filer's Set-Cookie would."""

    def __init__(self):
        requests.adapters.BaseAdapter.__init__(self)
        self.sent = []
        self.jar = None
        self.routes = {
            ("POST", API + "/login"): self.login,
            ("POST", API + "/logout"): text(""),
            ("GET", _edge.MIGRATE_AUTH): (200, "{}", {"Content-Type": "application/json", "x-mt-x": "mt-token"}),
            ("GET", API + "/currentuser"): xml({"username": "admin"}),
            ("GET", API + "/status/device/runningFirmware"): xml("7.13.1000"),
            ("GET", API + "/config/fileservices/share"): xml([{"name": "cloud"}]),
            ("GET", API + "/export"): (200, CONFIG, {"Content-Type": "application/xml"}),
        }

    def login(self, _request):
        self.jar.set(_edge.SESSION_COOKIE, "sid-1")
        return xml(None)

    def send(self, request, **kwargs):
        path = urlsplit(request.url).path
        body = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
        self.sent.append((request.method, path, body, dict(request.headers)))
        answer = self.routes.get((request.method, path), text("not here", status=404))
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if callable(answer):
            answer = answer(request)
        status, content, headers = answer
        response = requests.Response()
        response.status_code = status
        response._content = content.encode("utf-8") if isinstance(content, str) else content  # pylint: disable=protected-access
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
def filer(monkeypatch):
    fake = Filer()
    monkeypatch.setattr(requests.Session, "get_adapter", lambda _self, url: fake)
    return fake


def logged_in(filer, **kwargs):
    session = EdgeSession(URL, "admin", "Edge-Pw-1", **kwargs)
    filer.jar = session.http.session.cookies
    session.login()
    del filer.sent[:]
    return session


# -- background tasks ------------------------------------------------------------------------------------------------

def test_a_task_is_read_at_its_path_until_it_ends(filer):
    task = API + "/proc/bgtasks/12"
    filer.routes[("GET", task)] = [xml({"id": 12, "status": "running"}), xml({"id": 12, "status": "completed"})]
    session = logged_in(filer)
    slept = []
    done = session.wait_task("/proc/bgtasks/12", "cloud backup: attachFolder", sleep=slept.append)
    assert done == {"id": 12, "status": "completed"}
    assert filer.paths() == [("GET", task), ("GET", task)] and slept == [0.5]


def test_a_failed_task_read_names_the_operation_and_the_task(filer):
    filer.routes[("GET", API + "/proc/bgtasks/12")] = xml({"msg": "task table locked"}, status=500)
    session = logged_in(filer, retries=0)
    with pytest.raises(ServerError) as caught:
        session.wait_task(12, "cloud backup: attachFolder", sleep=lambda _s: None)
    assert caught.value.message == "cloud backup: attachFolder (read task 12) failed"
    assert caught.value.server_message == "task table locked" and caught.value.status == 500


@pytest.mark.parametrize("ref", [None, "no number here"])
def test_waiting_for_no_task_reference_names_the_operation(ref):
    with pytest.raises(ApiError) as caught:
        ScriptedFiler().wait_task(ref, "cloud backup: attachFolder", sleep=lambda _s: None)
    assert caught.value.message == "cloud backup: attachFolder: the filer answered no task reference (got %r)" % (ref,)


def test_a_reference_without_a_number_is_named_as_a_task_by_default():
    with pytest.raises(ApiError) as caught:
        task_path("none")
    assert caught.value.message == "task: the filer answered no task reference (got 'none')"


class Clock:
    """time.time for the wait: it moves only when the wait sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_a_task_that_never_ends_is_polled_every_half_second_for_five_minutes(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(_edge.time, "time", clock.time)
    session = ScriptedFiler({"proc/bgtasks/12": {"id": 12, "status": "running"}})
    with pytest.raises(WaitTimeout) as caught:
        session.wait_task("/proc/bgtasks/12", "cloud backup: attachFolder", sleep=clock.sleep)
    monkeypatch.undo()
    assert str(caught.value) == ("cloud backup: attachFolder: task /proc/bgtasks/12 did not finish within 300 s "
                                 "(last status 'running')")
    # Read at 0, 0.5, ..., 300 s: the read at the deadline is the last one, with no sleep after it.
    assert len(session.sent("GET")) == 601 and clock.slept == [0.5] * 600 and clock.now == 1300.0


def test_a_wait_with_its_own_timeout_and_interval_sleeps_that_long(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(_edge.time, "time", clock.time)
    session = ScriptedFiler({"proc/bgtasks/7": Answers({"status": "waiting"}, {"status": "waiting"}, {"status": "failed"})})
    assert session.wait_task(7, "x", timeout=10, interval=3, sleep=clock.sleep) == {"status": "failed"}
    session = ScriptedFiler({"proc/bgtasks/7": {"status": "stopping"}})
    with pytest.raises(WaitTimeout, match=r"^x: task 7 did not finish within 6 s \(last status 'stopping'\)$"):
        session.wait_task(7, "x", timeout=6, interval=3, sleep=clock.sleep)
    monkeypatch.undo()
    assert clock.slept == [3, 3, 3, 3]
    assert [path for _m, path, _b in session.requests] == ["proc/bgtasks/7"] * 3


def test_a_task_without_a_status_is_not_done():
    assert task_status(None) == "" and task_status({"status": None}) == "" and task_status({"status": " Failed "}) == "failed"


# -- configuration export ----------------------------------------------------------------------------------------

def test_the_configuration_is_streamed_into_a_file_in_the_given_directory(filer, tmp_path):
    session = logged_in(filer)
    path, digest, size = session.export_configuration(str(tmp_path))
    assert filer.paths() == [("GET", API + "/export")]
    assert os.path.dirname(path) == str(tmp_path) and os.path.basename(path).startswith(".filefleet-")
    with open(path, "rb") as f:
        assert f.read() == CONFIG
    assert (digest, size) == (hashlib.sha256(CONFIG).hexdigest(), len(CONFIG))


def test_a_configuration_larger_than_allowed_is_refused_and_leaves_no_file(filer, tmp_path):
    session = logged_in(filer)
    with pytest.raises(ApiError) as caught:
        session.export_configuration(str(tmp_path), max_bytes=len(CONFIG) - 1)
    assert caught.value.message == "export the configuration of %s failed: more than %d bytes" % (URL, len(CONFIG) - 1)
    assert os.listdir(str(tmp_path)) == []
    assert session.export_configuration(str(tmp_path), max_bytes=len(CONFIG))[2] == len(CONFIG)


def test_a_failed_export_names_the_filer(filer, tmp_path):
    filer.routes[("GET", API + "/export")] = text("disk full", status=500)
    session = logged_in(filer, retries=0)
    with pytest.raises(ServerError) as caught:
        session.export_configuration(str(tmp_path))
    assert caught.value.message == "export the configuration of %s failed" % URL
    assert (caught.value.method, caught.value.status) == ("GET", 500) and caught.value.url == URL + API + "/export"


# -- logout and re-login -------------------------------------------------------------------------------------------

def test_logout_posts_the_sdks_form_once_even_when_the_filer_is_busy(filer):
    filer.routes[("POST", API + "/logout")] = text("bad gateway", status=502, headers={"Retry-After": "0"})
    session = logged_in(filer)
    session.close()
    assert filer.paths() == [("POST", API + "/logout")]
    _method, _path, body, headers = filer.sent[0]
    assert parse_qs(body) == {"foo": ["bar"]}
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert session.logged_in is False


def test_the_share_list_is_read_again_after_a_new_login(filer):
    session = logged_in(filer)
    assert [s["name"] for s in ShareDirectory.of(session).shares()] == ["cloud"]
    filer.routes[("GET", API + "/proc/bgtasks/3")] = [text("", status=401), xml({"status": "completed"})]
    assert session.wait_task(3, "x", sleep=lambda _s: None) == {"status": "completed"}
    assert [s["name"] for s in ShareDirectory.of(session).shares()] == ["cloud"]
    shares = [p for p in filer.paths() if p == ("GET", API + "/config/fileservices/share")]
    assert len(shares) == 2 and ("POST", API + "/login") in filer.paths() and session.logins == 2
