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
import tempfile
import threading
import time
import tracemalloc

import cramjam
import pytest

from simulators._base import Listener, Response, Service
from simulators.portal_files import encode_block
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
    the request comes, ``wait`` one its answer waits for (either None); status ``"cut"``: half the block, then the
    connection closed. ``webdav[path]``: a WebDAV GET's bytes, sent in two halves; between them, once a
    ``.filefleet-`` file shows in one of the ``watch`` directories, what each holds is recorded in ``watched``."""

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
        self.webdav, self.watch, self.watched = {}, (), []

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
            stored = self.blocks[number]
            if status == "cut":
                return self._streamed(stored, cut=True)
            if status != 200:
                return Response(status, "SlowDown")
            return self._streamed(stored)
        if request.path in self.webdav:
            return self._streamed(self.webdav[request.path])
        return Response(404, "Resource does not exist")

    def _streamed(self, data, cut=False):
        response = Response(200, b"", None, [("ETag", '"%s"' % hashlib.md5(data).hexdigest())])
        response.stream, response.stream_length = self._halves(data, cut), len(data)
        return response

    def _halves(self, data, cut):
        view = memoryview(data)  # sent without a copy
        yield view[:len(data) // 2]
        if cut:
            raise ConnectionAbortedError("block cut short on purpose")  # the server drops the connection
        for _tick in range(int(HOLD / 0.01) if self.watch else 0):
            if any(name.startswith(".filefleet-") for place in self.watch for name in os.listdir(place)):
                self.watched.append([sorted(os.listdir(place)) for place in self.watch])
                break
            time.sleep(0.01)
        yield view[len(data) // 2:]

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
    # Block 1 answered once block 2 was asked for (each worker holds one), block 2's answer held until block 1 failed
    # for good: a 200 and its worker takes no block 3; a 503 and it does not fetch block 2 again.
    (lambda released, got2: {1: [(503, None, got2)] + FAIL3[:2], 2: [(200, got2, released)]}, 1, {1: 3, 2: 1},
     [0.4, 0.8]),
    (lambda released, got2: {1: [(503, None, got2)] + FAIL3[:2], 2: [(503, got2, released)]}, 1, {1: 3, 2: 1},
     [0.4, 0.4, 0.8]),
    # Block 1's first answer (503) held until block 2 failed for good: block 1 is still tried twice more (it comes
    # first in the file) and, failing too, is the block named, though block 2 failed first.
    (lambda released, got2: {1: [(503, None, released)] + FAIL3[:2], 2: [(502, None, None)] * 3}, 1, {1: 3, 2: 3},
     [0.4, 0.4, 0.8, 0.8]),
], ids=["taken-block-answered", "later-block-retry", "earlier-block-retry"])
def test_no_fetch_of_a_later_block_starts_after_a_block_failed_for_good(portal, tmp_path, monkeypatch, steps, named,
                                                                        requests, pauses):
    """Two workers over six blocks, each holding one of blocks 1 and 2 while the other fails for good; counted on
    the wire: no block after the failed one is fetched after the failure (no new block, no new attempt), the error
    names the first block of the file that failed, and nothing is left."""
    files, paused = direct_files(portal, monkeypatch, 6)
    steps = steps(portal.released, threading.Event())
    portal.steps = dict((n, list(answers)) for n, answers in steps.items())  # used up one per request
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


# -- what the errors of a block and of a download say ----------------------------------------------------------
def test_a_block_cut_short_says_how_much_of_it_came(portal, tmp_path, monkeypatch):
    files, _pauses = direct_files(portal, monkeypatch, 2, workers=1)
    portal.steps = {2: [("cut", None, None)] * 3}
    with pytest.raises(TransferError) as info:
        files.download({"fileId": 1}, "My Files/f.bin", str(tmp_path / "f.bin"))
    assert info.value.message == "Direct IO of 'My Files/f.bin': block 2 failed 3 times (500 of 1000 bytes)"
    assert os.listdir(str(tmp_path)) == []


def test_a_block_whose_connection_breaks_says_it_was_cut_short(tmp_path):
    """The connection reset while the body comes (readinto raises): the block's error says so, with the reason."""
    class Reset:
        def readinto(self, _view):
            raise ConnectionResetError(104, "Connection reset by peer")

    class Answer:
        status_code, headers = 200, {"Content-Length": "1000"}
        raw = type("Raw", (), {"_fp": Reset()})()
        closed = False

        def close(self):
            self.closed = True

    answer = Answer()
    storage = type("Storage", (), {"request": lambda self, *args, **kwargs: answer})()
    with open(str(tmp_path / "b"), "wb") as handle:
        worker = _transfer.BlockWorker(lambda url: storage, handle.fileno(), None, False)
        with pytest.raises(ValueError) as info:
            worker.fetch("https://store.example/b")
    assert str(info.value) == "the block was cut short: [Errno 104] Connection reset by peer"
    assert answer.closed


def test_a_write_the_file_system_takes_in_parts_lands_whole_at_its_offset(tmp_path, monkeypatch):
    """os.pwrite may write fewer bytes than asked (a signal, some file systems): the rest follows at its offset."""
    real = os.pwrite
    monkeypatch.setattr(os, "pwrite", lambda fd, data, offset: real(fd, bytes(data[:700]), offset))
    data = os.urandom(2500)
    with open(str(tmp_path / "w"), "wb") as handle:
        handle.write(b"-" * 10)
        handle.flush()
        _transfer.BlockWorker(None, handle.fileno(), None, False).write(memoryview(data), 10)
    assert (tmp_path / "w").read_bytes() == b"-" * 10 + data


def test_read_into_names_the_file_when_direct_io_or_webdav_fails(portal, monkeypatch):
    files, _pauses = direct_files(portal, monkeypatch, 1)
    portal.steps = {1: [(503, None, None)] * 3}
    with pytest.raises(TransferError) as info:
        files.read_into({"fileId": 1}, "My Files/r.bin", open(os.devnull, "wb"))
    assert info.value.message == "Direct IO of 'My Files/r.bin': block 1 failed 3 times (HTTP 503)"
    portal.script[("GET", "/ServicesPortal/webdav/My Files/r.bin")] = [500]
    with pytest.raises(Exception) as info:
        files.read_into({}, "My Files/r.bin", open(os.devnull, "wb"))
    assert (info.value.message, info.value.status) == ("download 'My Files/r.bin' failed", 500)


def test_a_webdav_download_comes_into_a_hidden_file_next_to_its_destination(portal, tmp_path, monkeypatch):
    """Without a key pair: the WebDAV GET streamed into ``.filefleet-*.part`` in the destination's directory (not
    the system's temporary directory), renamed onto the destination when whole."""
    systemp, dest = tmp_path / "systemp", tmp_path / "dest"
    systemp.mkdir()
    dest.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(systemp))
    content = os.urandom(300000)
    portal.webdav["/ServicesPortal/webdav/My Files/w.bin"] = content
    portal.watch = (str(dest), str(systemp))
    files = CloudFiles(PortalSession(portal.url + "/ServicesPortal", "late", "pw"))
    assert files.download({"fileId": 4}, "My Files/w.bin", str(dest / "w.bin")) == (
        len(content), hashlib.sha256(content).hexdigest())
    [(in_dest, in_systemp)] = portal.watched
    assert len(in_dest) == 1 and in_dest[0].startswith(".filefleet-") and in_dest[0].endswith(".part")
    assert in_systemp == []
    assert os.listdir(str(dest)) == ["w.bin"] and (dest / "w.bin").read_bytes() == content


def test_a_session_probe_that_never_gets_through_is_not_taken_for_an_expired_session(portal, tmp_path):
    """The upload's connection drops and so does every attempt of the probe: nothing says the session expired, so
    no new login and no second upload; the upload fails saying the portal kept nothing."""
    session = logged_in(portal)
    (tmp_path / "n.bin").write_bytes(b"never")
    portal.script[("POST", "/ServicesPortal/upload/folders/3")] = ["drop"]
    portal.script[("GET", "/ServicesPortal/api/currentSession")] = ["drop"] * 4  # the first try and 3 retries
    with pytest.raises(TransferError) as info:
        CloudFiles(session).upload(str(tmp_path / "n.bin"), "My Files/n.bin", 3)
    assert info.value.message.startswith("upload 'My Files/n.bin' failed, the portal kept nothing of it")
    assert portal.logins == 1 and portal.requests_to("POST", "/ServicesPortal/upload/folders/3") == ["s1"]
    assert len(portal.requests_to("GET", "/ServicesPortal/api/currentSession")) == 1 + 4


def test_a_block_is_read_from_the_connection_straight_into_the_workers_buffer(portal, tmp_path):
    """A 4 MiB block read into the buffer its worker already holds: no piece of it is copied on the way (Python
    allocates less than one 256 KiB piece meanwhile, the test's server included), and the bytes are exact."""
    stored = os.urandom(4 * 1024 * 1024)
    portal.blocks[1] = stored
    client = _transfer.HttpClient(portal.url, retries=0)
    with open(str(tmp_path / "b"), "wb") as handle:
        worker = _transfer.BlockWorker(lambda url: client, handle.fileno(), None, False)
        url = portal.url + "/blocks/1"
        assert bytes(worker.fetch(url)) == stored  # the connection made and the buffer grown, outside the count
        tracemalloc.start()
        try:
            block = worker.fetch(url)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    client.close()
    assert bytes(block) == stored
    assert peak < _transfer.PIECE, peak


def test_a_snappy_java_block_ending_in_a_frame_header_without_its_frame_is_refused(portal, tmp_path, monkeypatch):
    """A stored block whose last 4 bytes announce a frame that is not there (the MD5 ETag matches: the object store
    holds it so) is not taken for whole: the download fails and leaves nothing."""
    files, _pauses = direct_files(portal, monkeypatch, 1, workers=1)
    plain = b"snappy-java frames " * 100
    portal.blocks[1] = encode_block(plain, None, "snappy-java", False) + b"\x00\x00\x00\x07"
    portal.block_map["chunks"][0]["len"] = len(plain)
    portal.block_map["compression_type"] = "SNAPPY"
    with pytest.raises(cramjam.DecompressionError):  # raised as it is: a block the storage holds broken
        files.download({"fileId": 1}, "My Files/j.bin", str(tmp_path / "j.bin"))
    assert os.listdir(str(tmp_path)) == []


def _bare_header_blocks(portal, monkeypatch, count):
    """A snappy-java file of ``count`` blocks, each ending in a frame header without its frame: cramjam refuses them
    (a failure the workers do not expect, not a block to fetch again), raised as it is."""
    files, pauses = direct_files(portal, monkeypatch, count)
    portal.block_map["compression_type"] = "SNAPPY"
    for number in range(1, count + 1):
        plain = b"block %d " % number * 100
        portal.blocks[number] = encode_block(plain, None, "snappy-java", False) + b"\x00\x00\x00\x07"
        portal.block_map["chunks"][number - 1]["len"] = len(plain)
    return files, pauses


def test_an_unexpected_failure_stops_the_retries_of_every_other_block(portal, tmp_path, monkeypatch):
    """Block 2 fails unexpectedly while block 1's first answer (503) is held until then: block 1 is not fetched
    again (nor block 3), and the unexpected error is what the download raises."""
    files, _pauses = _bare_header_blocks(portal, monkeypatch, 3)
    portal.blocks[1] = encode_block(b"block 1 " * 100, None, "snappy-java", False)  # whole, once it comes
    portal.steps = {1: [(503, None, portal.released)]}
    with pytest.raises(cramjam.DecompressionError):
        files.download({"fileId": 1}, "My Files/u.bin", str(tmp_path / "u.bin"))
    assert fetched(portal) == {"/blocks/1": 1, "/blocks/2": 1}
    assert os.listdir(str(tmp_path)) == []


def test_two_unexpected_failures_at_once_raise_the_first(portal, tmp_path, monkeypatch):
    """Both workers' blocks fail unexpectedly at the same time (each answer waits until both requests came): the
    download raises one of those errors, not an error of its own comparing them."""
    files, _pauses = _bare_header_blocks(portal, monkeypatch, 2)
    first, second = threading.Event(), threading.Event()
    portal.steps = {1: [(200, first, second)], 2: [(200, second, first)]}
    with pytest.raises(cramjam.DecompressionError):
        files.download({"fileId": 1}, "My Files/v.bin", str(tmp_path / "v.bin"))
    assert fetched(portal) == {"/blocks/1": 1, "/blocks/2": 1}
    assert os.listdir(str(tmp_path)) == []


def test_a_gzip_block_is_inflated_piece_by_piece(portal, tmp_path):
    """A gzip block that inflates 4,000 times (4 MiB of plain bytes from about 4 KiB): inflated and written in
    pieces of at most 256 KiB, so Python holds a few pieces at most (under 2 MiB; inflated at once, 4 MiB and
    more), and the file is exact."""
    plain = b"\0" * (4 * 1024 * 1024)
    portal.blocks[1] = encode_block(plain, None, "gzip", False)
    client = _transfer.HttpClient(portal.url, retries=0)
    with open(str(tmp_path / "g"), "wb") as handle:
        worker = _transfer.BlockWorker(lambda url: client, handle.fileno(), None, True)
        chunk = {"url": portal.url + "/blocks/1", "len": len(plain)}
        worker.run(chunk, 0)  # the connection made and the buffers grown, outside the count
        tracemalloc.start()
        try:
            worker.run(chunk, 0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    client.close()
    assert (tmp_path / "g").read_bytes() == plain
    assert peak < 8 * _transfer.PIECE, peak


def test_a_tree_upload_closes_every_connection_it_opened(portal, tmp_path, monkeypatch):
    """``files_in_flight`` connections cloned from the session for the uploads are all closed when the upload
    ends (their sockets are not left to the garbage collector); the session's own stays open."""
    session = logged_in(portal)
    opened = []
    clone = session.http.clone

    def counted():
        http = clone()
        opened.append(http)
        http.closed = False
        close = http.close

        def closing():
            http.closed = True
            close()
        http.close = closing
        return http
    monkeypatch.setattr(session.http, "clone", counted)
    jobs = []
    for index in range(3):
        (tmp_path / ("c%d" % index)).write_bytes(b"close %d" % index)
        jobs.append((str(tmp_path / ("c%d" % index)), "My Files/closing/c%d" % index))
    files = CloudFiles(session, files_in_flight=2)
    files.upload_many(jobs, 7)
    assert len(opened) == 2 and all(http.closed for http in opened)
    assert session.logged_in
