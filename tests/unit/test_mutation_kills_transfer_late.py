# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the last mutation run of module_utils/_transfer.py left (docs/mutation/transfer.md), against a scripted
Portal in-process (plain HTTP: its login hands out a new JSESSIONID each time and counts the logins; Direct IO block
map and block URLs; the upload POST), driven through the real PortalSession and CloudFiles:

* once a Direct IO block has failed for good, no fetch of a later block starts: neither a new block nor another
  attempt at a later block another worker holds (counted on the wire after the failure); an earlier block is
  still tried, and the error names the first block of the file that failed;
* the probe an upload sends when its connection drops (``GET currentSession``, as cterasdk reads the session) is a
  read: a 502/503/504 or a dropped connection on it costs a retry, not the upload;
* a tree upload whose uploads in flight all meet an expired session logs in again once, not once per thread."""

import collections
import hashlib
import os
import re
import threading

import pytest

from simulators._base import Listener, Response, Service
from ansible_collections.filefleet.office.plugins.module_utils import _transfer
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
from ansible_collections.filefleet.office.plugins.module_utils._transfer import CloudFiles, TransferError

KEY_ID = "AKIALATE0001"
SECRET = "c2VjcmV0LW9mLXRoZS11c2VyLTAxMjM0NTY2Nzg5YWJj"
LOGIN_PAGE = "https://portal.example/ServicesPortal/login.html"
HOLD = 10.0  # the longest a held answer waits for what it waits for (a mutant that never gets there: a failure)


class ScriptedPortal(Service):
    """The Portal's login (``POST /ServicesPortal/api/login``: a new cookie ``s<n>`` each time, counted),
    ``currentSession``/``currentPortal`` (the redirect to the login page for a cookie not in ``valid``), the upload
    POST (recorded with its cookie; when expired, the redirect, or with ``drop_expired`` the connection closed with
    no answer, as a portal that answers before it reads a large body may) and Direct IO (``/directio/1`` answers ``block_map``,
    ``/blocks/<n>`` the block's bytes with their MD5 ETag). ``script[(method, path)]`` is a list of answers used
    up one per request first: a status, or ``"drop"`` (the connection closed with no answer). ``hold_expired``:
    the first that many expired upload POSTs are answered together once all arrived. ``steps[n]``: the answers to
    block ``n``'s requests, one per request (then 200): ``(status, arrived, wait)``, ``arrived`` an event set when
    the request comes, ``wait`` one its answer waits for (either None)."""

    kind = "scriptedportal"

    def __init__(self):
        Service.__init__(self, None)
        self.reset_content()

    def reset_content(self):
        self.logins, self.valid, self.seen, self.uploads, self.script = 0, set(), [], [], {}
        self.blocks, self.block_map = {}, None
        self.hold_expired, self.expired_posts, self.all_expired = 0, 0, threading.Event()
        self.drop_expired = False
        self.steps, self.released = {}, threading.Event()

    def dispatch(self, request):
        cookie = request.cookies.get("JSESSIONID")
        with self.lock:
            self.seen.append((request.method, request.path, cookie))
            script = self.script.get((request.method, request.path)) or []
            action = script.pop(0) if script else None
        if action == "drop":
            dropped = Response(500)
            dropped.drop_connection = True
            return dropped
        if action is not None:
            return Response(action, "<html>gateway</html>", "text/html")
        expired = Response(302, b"", None, [("Location", LOGIN_PAGE)])
        if request.path == "/ServicesPortal/api/login" and request.method == "POST":
            with self.lock:
                self.logins += 1
                cookie = "s%d" % self.logins
                self.valid.add(cookie)
            answer = Response(200, b"<obj/>", "text/xml")
            answer.set_cookie("JSESSIONID", cookie, path="/ServicesPortal")
            return answer
        if request.path == "/ServicesPortal/api/currentSession":
            if cookie not in self.valid:
                return expired
            return Response(200, b'<obj><att id="username"><val>late</val></att></obj>', "text/xml")
        if request.path == "/ServicesPortal/api/currentPortal":
            return expired if cookie not in self.valid else Response(200, b"<val>acme</val>", "text/xml")
        if request.path.startswith("/ServicesPortal/upload/folders/"):
            name = re.search(rb'name="name"\r\n[^\r]*\r\n\r\n([^\r]*)\r\n', request.body).group(1).decode()
            with self.lock:
                self.uploads.append((name, cookie))
                held = cookie not in self.valid and self.expired_posts < self.hold_expired
                if held:
                    self.expired_posts += 1
                    if self.expired_posts == self.hold_expired:
                        self.all_expired.set()
            if held:
                self.all_expired.wait(HOLD)
            if cookie not in self.valid and self.drop_expired:
                dropped = Response(500)
                dropped.drop_connection = True
                return dropped
            if cookie not in self.valid:
                return expired
            return Response(200, b'<obj><att id="rc"><val>0</val></att></obj>', "text/xml")
        if request.path == "/directio/1":
            return Response.json(self.block_map)
        if request.path.startswith("/blocks/"):
            number = int(request.path[len("/blocks/"):])
            with self.lock:
                steps = self.steps.get(number) or []
                status, arrived, wait = steps.pop(0) if steps else (200, None, None)
            if arrived is not None:
                arrived.set()
            if wait is not None:
                wait.wait(HOLD)
            if status != 200:
                return Response(status, "SlowDown")
            stored = self.blocks[number]
            return Response(200, stored, "application/octet-stream",
                            [("ETag", '"%s"' % hashlib.md5(stored).hexdigest())])
        return Response(404, "Resource does not exist")

    def requests_to(self, method, path):
        return [cookie for m, p, cookie in self.seen if (m, p) == (method, path)]


@pytest.fixture(scope="module")
def portal_server():
    service = ScriptedPortal()
    listener = Listener(service, 0).start()
    service.url = listener.url
    yield service
    listener.stop()


@pytest.fixture()
def portal(portal_server):
    portal_server.reset_content()
    return portal_server


def logged_in(portal):
    session = PortalSession(portal.url + "/ServicesPortal", "late", "late-password-1").login()
    session.http.backoff = 0.0  # the client's retries without their random pause
    assert portal.logins == 1 and session.http.session.cookies.get("JSESSIONID") == "s1"
    return session


# -- Direct IO: nothing fetched after a block failed for good -------------------------------------------------
def direct_files(portal, monkeypatch, count, workers=2):
    """CloudFiles with ``workers`` over a file of ``count`` plain blocks of 1000 bytes (no compression, no
    encryption); the pauses between block attempts recorded, not slept; ``portal.released`` set when a worker
    stops (it closes its storage connections then)."""
    pauses = []
    monkeypatch.setattr(_transfer, "time", type("Clock", (), {"sleep": staticmethod(pauses.append)}))
    base = _transfer.HttpClient

    class StorageClient(base):
        def close(self):
            portal.released.set()
            base.close(self)

    monkeypatch.setattr(_transfer, "HttpClient", StorageClient)
    chunks = []
    for number in range(1, count + 1):
        portal.blocks[number] = os.urandom(1000)
        chunks.append({"url": "%s/blocks/%d?X-Amz-Signature=%s" % (portal.url, number, "cd" * 32), "len": 1000})
    portal.block_map = {"file_id": 1, "chunks": chunks, "compression_type": "NONE",
                        "encrypt_info": {"data_encrypted": False}}
    files = CloudFiles(PortalSession(portal.url + "/ServicesPortal", "late", "pw"), KEY_ID, SECRET, workers=workers)
    return files, pauses


def fetched(portal):
    return collections.Counter(p for _m, p, _c in portal.seen if p.startswith("/blocks/"))


FAIL3 = [(503, None, None)] * 3


@pytest.mark.parametrize("steps, named, requests, pauses", [
    # Block 2's answer held until block 1 failed for good: a 200 and its worker takes no block 3; a 503 and it
    # does not fetch block 2 again.
    (lambda released: {1: FAIL3, 2: [(200, None, released)]}, 1, {1: 3, 2: 1}, [0.4, 0.8]),
    (lambda released: {1: FAIL3, 2: [(503, None, released)]}, 1, {1: 3, 2: 1}, [0.4, 0.4, 0.8]),
    # Block 1's first answer (503) held until block 2 failed for good: block 1 is still tried twice more (it comes
    # first in the file) and, failing too, is the block named, though block 2 failed first.
    (lambda released: {1: [(503, None, released)] + FAIL3[:2], 2: [(502, None, None)] * 3}, 1, {1: 3, 2: 3},
     [0.4, 0.4, 0.8, 0.8]),
], ids=["taken-block-answered", "later-block-retry", "earlier-block-retry"])
def test_no_fetch_of_a_later_block_starts_after_a_block_failed_for_good(portal, tmp_path, monkeypatch, steps, named,
                                                                       requests, pauses):
    """Two workers over six blocks, each holding one of blocks 1 and 2 while the other fails for good; counted on
    the wire: no block after the failed one is fetched after the failure (no new block, no new attempt), the error
    names the first block of the file that failed, and nothing is left."""
    files, paused = direct_files(portal, monkeypatch, 6)
    portal.steps = dict((n, list(answers)) for n, answers in steps(portal.released).items())  # used up
    with pytest.raises(TransferError) as info:
        files.download({"fileId": 1}, "My Files/f.bin", str(tmp_path / "f.bin"))
    assert info.value.message == "Direct IO of 'My Files/f.bin': block %d failed 3 times (HTTP 503)" % named
    assert fetched(portal) == dict(("/blocks/%d" % n, count) for n, count in requests.items())
    assert sorted(paused) == pauses
    assert os.listdir(str(tmp_path)) == []


# -- the upload's session probe is a read ---------------------------------------------------------------------
@pytest.mark.parametrize("fault", [503, 502, 504, "drop"])
def test_a_transient_fault_on_the_session_probe_costs_a_retry_not_the_upload(portal, tmp_path, fault):
    """The upload's connection drops on an expired session; the probe ``GET currentSession`` meets a gateway error
    or a dropped connection first: asked once more, it finds the session expired; a new login, the upload sent
    once more with the new session."""
    session = logged_in(portal)
    (tmp_path / "p.bin").write_bytes(b"probe " * 100)
    portal.valid.clear()  # the session expired
    portal.drop_expired = True
    portal.script[("GET", "/ServicesPortal/api/currentSession")] = [fault]
    assert CloudFiles(session).upload(str(tmp_path / "p.bin"), "My Files/p.bin", 9) == 600
    assert portal.requests_to("GET", "/ServicesPortal/api/currentSession")[:2] == ["s1", "s1"]  # the probe, twice
    assert portal.logins == 2 and session.logged_in
    assert portal.uploads == [("p.bin", "s1"), ("p.bin", "s2")]


# -- a tree upload meeting an expired session -----------------------------------------------------------------
@pytest.mark.parametrize("dropped", [False, True])
def test_uploads_in_flight_that_meet_an_expired_session_log_in_again_once(portal, tmp_path, dropped):
    """Four files, four uploads in flight, all answered "expired" together (a redirect to the login page, or the
    connection dropped and the probe redirected): one new login; each upload sent once more with its cookie,
    every file stored once."""
    session = logged_in(portal)
    jobs = []
    for index in range(4):
        (tmp_path / ("t%d" % index)).write_bytes(b"tree %d" % index)
        jobs.append((str(tmp_path / ("t%d" % index)), "My Files/tree/t%d" % index))
    portal.valid.clear()
    portal.hold_expired, portal.drop_expired = 4, dropped
    files = CloudFiles(session, files_in_flight=4)
    assert files.upload_many(jobs, 7) == sum(os.path.getsize(local) for local, _path in jobs)
    assert portal.logins == 2
    assert sorted(portal.uploads) == sorted([("t%d" % i, "s1") for i in range(4)] + [("t%d" % i, "s2") for i in range(4)])
    assert session.http.session.cookies.get("JSESSIONID") == "s2" and session.logged_in
