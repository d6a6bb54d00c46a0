# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Direct IO downloads of module_utils/_transfer.py (CloudFiles) as mutation testing (docs/mutation.md) found them
unchecked, against a small in-process HTTPS server that answers the block map and the block URLs the way the Portal
and its object storage do (blocks encoded by the Portal simulator's own encoder): the session's TLS settings reach
the Direct IO and storage clients (an untrusted object store is refused); the bearer is the access key id and blocks
carry no cookie; the bytes land exact, at their offsets, byte ranges clip; ``workers`` bounds the blocks in flight;
a failed block is fetched again on its own, then names itself and nothing partial is left; 422 and a missing key
pair fall back to WebDAV; block map refusals name the file."""

import base64
import email.parser
import email.policy
import hashlib
import json
import os
import socket
import secrets
import tempfile
import time

import pytest

from simulators._base import Listener, Response, Service, TLSMaterial
from simulators.portal_files import encode_block, wrap_key
from ansible_collections.filefleet.office.plugins.module_utils import _transfer
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    AuthenticationError, BadRequest, HTTPStatusError, HttpClient, NotFound, ServerError, TLSError,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
from ansible_collections.filefleet.office.plugins.module_utils._transfer import (
    UPLOAD_PIECE, CloudFiles, TransferError,
)

KEY_ID = "AKIAFILEFLEET0001"
SECRET = base64.b64encode(b"s3-secret-of-the-user-0123456789abcdef").decode("ascii")
COOKIE = "session-cookie-not-for-storage"


# -- a Portal's Direct IO endpoint and its object storage, in-process over TLS ----------------------------------
class DirectStore(Service):
    """``GET /directio/{id}`` (bearer checked) answers ``self.maps[id]`` (a dict, or ``(status, text)``);
    ``GET /blocks/{n}`` answers ``self.blocks[n]`` (stored bytes), after ``self.block_faults[n]`` (a list of
    statuses, or ``"cut"``, used up one per request); ``GET /ServicesPortal/webdav/...`` answers ``self.webdav``;
    a POST (an upload) is recorded and answers ``self.upload_answer`` (status, body), or the redirect to the login
    page when ``self.valid_session`` is set and the JSESSIONID cookie is another.
    Requests (path, headers, client port) are recorded; the most block requests in flight at once too."""

    kind = "directstore"

    def __init__(self):
        Service.__init__(self, None)
        self.reset_content()

    def reset_content(self):
        self.maps, self.blocks, self.block_faults, self.webdav = {}, {}, {}, {}
        self.uploads, self.upload_answer = [], (200, b'<obj><att id="rc"><val>0</val></att></obj>')
        self.valid_session, self.sessions, self.drop_posts = None, [], 0
        self.seen = []
        self.in_flight = self.most_in_flight = 0
        self.block_delay = 0.0
        self.slow_blocks, self.watch, self.watched = set(), None, set()

    def dispatch(self, request):
        self.seen.append((request.raw_url_path, dict(request.headers), request.client[1]))
        expired = self.valid_session is not None and request.cookies.get("JSESSIONID") != self.valid_session
        if request.raw_url_path == "/ServicesPortal/api/currentSession":
            if expired:
                return Response(302, b"", None, [("Location", "https://portal.example/ServicesPortal/login.html")])
            return Response(200, b"<obj/>", "text/xml")
        if request.method == "POST" and self.drop_posts:
            self.drop_posts -= 1
            self.uploads.append((request.raw_url_path, dict(request.headers), request.body))
            dropped = Response(500)
            dropped.drop_connection = True  # the connection closed with no answer
            return dropped
        if request.method == "POST":
            self.uploads.append((request.raw_url_path, dict(request.headers), request.body))
            if self.valid_session is not None and request.cookies.get("JSESSIONID") != self.valid_session:
                return Response(302, b"", None, [("Location", "https://portal.example/ServicesPortal/login.html")])
            return Response(self.upload_answer[0], self.upload_answer[1], "text/xml")
        if request.path.startswith("/directio/"):
            if request.header("Authorization") != "Bearer %s" % KEY_ID:
                return Response.json({"error": "Unauthorized"}, status=401)
            answer = self.maps.get(request.path[len("/directio/"):])
            if answer is None:
                return Response.json({"error": "Object not found"}, status=400)
            if isinstance(answer, tuple):
                return Response(answer[0], answer[1])
            return Response.json(answer)
        if request.path.startswith("/blocks/"):
            number = int(request.path[len("/blocks/"):])
            faults = self.block_faults.get(number) or []
            fault = faults.pop(0) if faults else None
            stored = self.blocks[number]
            if number in self.slow_blocks:
                time.sleep(0.3)
            if isinstance(fault, int):
                return Response(fault, "SlowDown")
            if self.watch is not None:  # what a user sees in the destination's directory while a block comes
                self.watched.update(os.listdir(self.watch))
            response = Response(200, b"", None, [("ETag", '"%s"' % hashlib.md5(stored).hexdigest())])
            response.stream = self._pieces(stored, fault == "cut")
            response.stream_length = len(stored)
            return response
        if request.raw_url_path in self.webdav:
            return Response(200, self.webdav[request.raw_url_path], "application/octet-stream")
        return Response(404, "Resource does not exist")

    def _pieces(self, stored, cut):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.block_delay)  # requests in flight together overlap here, before any byte is sent
        with self.lock:
            self.in_flight -= 1
        if cut:
            yield stored[:len(stored) // 2]
            raise ConnectionAbortedError("block cut short on purpose")  # the server drops the connection
        yield stored

    def block_requests(self):
        return [path for path, _headers, _port in self.seen if path.startswith("/blocks/")]


@pytest.fixture(scope="module")
def tls_material(tmp_path_factory):
    return TLSMaterial(str(tmp_path_factory.mktemp("direct-tls")))


@pytest.fixture(scope="module")
def direct_server(tls_material):
    service = DirectStore()
    listener = Listener(service, 0, tls=tls_material).start()
    yield service, listener
    listener.stop()


@pytest.fixture()
def store(direct_server, monkeypatch):
    """The server with fresh content; the pauses between block attempts recorded instead of slept."""
    service, listener = direct_server
    service.reset_content()
    service.url = listener.url
    service.pauses = []
    monkeypatch.setattr(_transfer, "time", type("Clock", (), {"sleep": staticmethod(service.pauses.append)}))
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    return service


class Session:
    """The part of a PortalSession that transfers use: its HTTP client (the session cookie in its jar), WebDAV
    download, the expiry test (PortalSession's own) and a new login that takes the cookie ``store.sessions`` hands
    out next (or raises it)."""

    context = "ServicesPortal"
    _is_expired = PortalSession._is_expired

    def __init__(self, url, store=None, **tls):
        self.http = HttpClient(url, **tls)
        self.http.session.cookies.set("JSESSIONID", COOKIE)
        self.store = store
        self.logged_in = True
        self.logins = 0

    def download(self, path, directory, what):
        return self.http.download(path, directory, what)

    def path(self, *segments):
        return "/ServicesPortal/api/" + "/".join(segments)

    def _after_relogin(self):
        """A tenant browsed again after the new login: nothing to browse here."""

    def login(self):
        self.logins += 1
        cookie = self.store.sessions.pop(0)
        if isinstance(cookie, Exception):
            raise cookie
        self.http.session.cookies.set("JSESSIONID", cookie)
        self.logged_in = True
        return self


def publish(store, file_id, plain_blocks, compression="snappy", encrypted=True, wire=None):
    """Store ``plain_blocks`` as file ``file_id``: block numbers 10*id + n, a block map like the Portal's."""
    key = secrets.token_bytes(32)
    chunks = []
    for index, plain in enumerate(plain_blocks):
        number = 10 * file_id + index
        store.blocks[number] = encode_block(plain, key, compression, encrypted)
        chunks.append({"url": "%s/blocks/%d?X-Amz-Signature=%s" % (store.url, number, "ab" * 32), "len": len(plain)})
    store.maps[str(file_id)] = {
        "file_id": file_id, "chunks": chunks,
        "encrypt_info": {"data_encrypted": encrypted, "wrapped_key": wrap_key(key, SECRET) if encrypted else None},
        "compression_type": wire if wire is not None else {"snappy": "SNAPPY", "snappy-java": "SNAPPY", "gzip": "GZIP",
                                                           "none": "NONE"}[compression]}
    return b"".join(plain_blocks)


def files_for(store, workers=2, tls=None, keys=True):
    session = Session(store.url, store, **(tls if tls is not None else {"ca_path": store_ca(store)}))
    return CloudFiles(session, KEY_ID if keys else None, SECRET if keys else None, workers=workers)


def store_ca(store):
    return store.ca_path


@pytest.fixture()
def trusted(store, tls_material):
    store.ca_path = tls_material.ca_path
    return store


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


BLOCKS = [os.urandom(5000), b"office policy " * 300, os.urandom(7001), b"tail"]


# -- Direct IO downloads --------------------------------------------------------------------------------------
@pytest.mark.parametrize("compression, encrypted", [("snappy", True), ("gzip", True), ("snappy-java", False),
                                                    ("none", False), ("none", True)])
def test_direct_download_is_byte_exact_with_every_codec(trusted, tmp_path, compression, encrypted):
    whole = publish(trusted, 1, BLOCKS, compression, encrypted)
    dest = str(tmp_path / "out.bin")
    assert files_for(trusted).download({"fileId": 1}, "My Files/out.bin", dest) == (len(whole), None)
    assert read(dest) == whole
    assert sorted(trusted.block_requests()) == ["/blocks/%d" % n for n in range(10, 14)]
    assert not [n for n in os.listdir(str(tmp_path)) if n != "out.bin"]


@pytest.mark.parametrize("wire", ["none", "", None])
def test_a_map_without_compression_means_plain_blocks(trusted, tmp_path, wire):
    whole = publish(trusted, 2, BLOCKS, "none", True, wire=wire)
    if wire is None:
        del trusted.maps["2"]["compression_type"]
    dest = str(tmp_path / "plain.bin")
    files_for(trusted).download({"fileId": 2}, "My Files/plain.bin", dest)
    assert read(dest) == whole


def test_unencrypted_map_with_a_key_is_not_decrypted(trusted, tmp_path):
    whole = publish(trusted, 3, BLOCKS, "gzip", False)
    trusted.maps["3"]["encrypt_info"]["wrapped_key"] = wrap_key(secrets.token_bytes(32), SECRET)
    dest = str(tmp_path / "clear.bin")
    files_for(trusted).download({"fileId": 3}, "My Files/clear.bin", dest)
    assert read(dest) == whole


def test_bearer_is_the_access_key_id_and_blocks_carry_no_credentials(trusted, tmp_path):
    publish(trusted, 4, BLOCKS)
    files_for(trusted).download({"fileId": 4}, "My Files/f", str(tmp_path / "f"))
    maps = [h for p, h, _port in trusted.seen if p.startswith("/directio/")]
    assert [h.get("Authorization") for h in maps] == ["Bearer %s" % KEY_ID]
    blocks = [h for p, h, _port in trusted.seen if p.startswith("/blocks/")]
    assert len(blocks) == 4
    assert not [h for h in blocks + maps if "Cookie" in h or COOKIE in json.dumps(h)]
    assert not [h for h in blocks if "Authorization" in h]


def test_one_worker_reuses_one_connection_and_fetches_one_block_at_a_time(trusted, tmp_path):
    whole = publish(trusted, 5, BLOCKS)
    trusted.block_delay = 0.05
    dest = str(tmp_path / "one.bin")
    files_for(trusted, workers=1).download({"fileId": 5}, "My Files/one.bin", dest)
    assert read(dest) == whole
    assert trusted.most_in_flight == 1
    ports = {port for path, _headers, port in trusted.seen if path.startswith("/blocks/")}
    assert len(ports) == 1  # each whole block hands its connection back for the next one


@pytest.mark.parametrize("workers, most", [(3, 3), (0, 1)])
def test_workers_bound_the_blocks_in_flight(trusted, tmp_path, workers, most):
    whole = publish(trusted, 6, [os.urandom(3000) for _index in range(6)])
    trusted.block_delay = 0.1
    dest = str(tmp_path / "many.bin")
    files_for(trusted, workers=workers).download({"fileId": 6}, "My Files/many.bin", dest)
    assert read(dest) == whole
    assert 1 <= trusted.most_in_flight <= most
    if most > 1:
        assert trusted.most_in_flight >= 2


def test_a_failed_block_is_fetched_again_on_its_own(trusted, tmp_path):
    whole = publish(trusted, 7, BLOCKS)
    trusted.block_faults = {71: [503, "cut"]}
    dest = str(tmp_path / "retried.bin")
    files_for(trusted, workers=1).download({"fileId": 7}, "My Files/retried.bin", dest)
    assert read(dest) == whole
    assert trusted.block_requests() == ["/blocks/70", "/blocks/71", "/blocks/71", "/blocks/71", "/blocks/72",
                                        "/blocks/73"]
    assert trusted.pauses == [0.4, 0.8]


def test_a_block_that_keeps_failing_names_itself_and_leaves_the_old_file(trusted, tmp_path):
    publish(trusted, 8, BLOCKS)
    trusted.block_faults = {81: [503] * 5, 83: [503] * 5}
    dest = tmp_path / "kept.bin"
    dest.write_bytes(b"the previous version")
    with pytest.raises(TransferError) as info:
        files_for(trusted, workers=1).download({"fileId": 8}, "My Files/kept.bin", str(dest))
    assert str(info.value) == "Direct IO of 'My Files/kept.bin': block 2 failed 3 times (HTTP 503)"
    # One worker: the blocks after the failed one are never taken; the storage client adds no retries of its own.
    assert trusted.block_requests() == ["/blocks/80"] + ["/blocks/81"] * 3
    assert trusted.pauses == [0.4, 0.8]
    assert dest.read_bytes() == b"the previous version"
    assert os.listdir(str(tmp_path)) == ["kept.bin"]


def test_the_first_failed_block_is_named_whichever_worker_failed_first(trusted, tmp_path):
    publish(trusted, 9, BLOCKS)
    trusted.block_faults, trusted.slow_blocks = {91: [503] * 3, 93: ["cut"] * 3}, {91}  # block 4 fails first
    with pytest.raises(TransferError) as info:
        files_for(trusted, workers=4).download({"fileId": 9}, "My Files/two.bin", str(tmp_path / "two.bin"))
    assert info.value.message == "Direct IO of 'My Files/two.bin': block 2 failed 3 times (HTTP 503)"
    assert os.listdir(str(tmp_path)) == []


def test_a_block_map_that_is_not_the_portals_fails_without_a_partial_file(trusted, tmp_path):
    publish(trusted, 11, BLOCKS)
    del trusted.maps["11"]["chunks"][1]["url"]
    with pytest.raises(KeyError):
        files_for(trusted, workers=1).download({"fileId": 11}, "My Files/bad.bin", str(tmp_path / "bad.bin"))
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize("first, last", [(0, 0), (4999, 4999), (5000, 5000), (4990, 5010), (4999, 5000),
                                         (12000, 30000), (16200, 16205), (20000, 20005)])
def test_byte_ranges_fetch_only_the_blocks_they_touch(trusted, tmp_path, first, last):
    whole = publish(trusted, 12, BLOCKS)
    offsets, start = [], 0
    for block in BLOCKS:
        offsets.append((start, start + len(block) - 1))
        start += len(block)
    target = str(tmp_path / "range.bin")
    fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        size = files_for(trusted, workers=1)._direct(12, "My Files/range.bin", fd, (first, last))
    finally:
        os.close(fd)
    assert read(target) == whole[first:last + 1] and size == len(whole[first:last + 1])
    wanted = ["/blocks/%d" % (120 + n) for n, (low, high) in enumerate(offsets) if low <= last and high >= first]
    assert trusted.block_requests() == wanted


def test_downloads_share_one_direct_io_connection_and_write_a_hidden_part_file(trusted, tmp_path):
    whole = publish(trusted, 22, BLOCKS[:2])
    trusted.watch = str(tmp_path)
    files = files_for(trusted, workers=1)
    for name in ("one.bin", "two.bin"):
        files.download({"fileId": 22}, "My Files/f.bin", str(tmp_path / name))
        assert read(str(tmp_path / name)) == whole
    ports = [port for path, _headers, port in trusted.seen if path.startswith("/directio/")]
    assert len(ports) == 2 and len(set(ports)) == 1
    parts = sorted(trusted.watched - {"one.bin"})
    assert len(parts) == 2 and all(n.startswith(".filefleet-") and n.endswith(".part") for n in parts), parts
    assert sorted(os.listdir(str(tmp_path))) == ["one.bin", "two.bin"]


def test_an_empty_file_downloads_as_an_empty_file(trusted, tmp_path):
    publish(trusted, 13, [])
    dest = tmp_path / "empty.bin"
    dest.write_bytes(b"old content")
    assert files_for(trusted).download({"fileId": 13}, "My Files/empty.bin", str(dest)) == (0, None)
    assert dest.read_bytes() == b""


def test_download_sets_the_portals_modification_time(trusted, tmp_path):
    publish(trusted, 14, BLOCKS)
    trusted.webdav["/ServicesPortal/webdav/My%20Files/plain%20copy.bin"] = b"webdav bytes"
    files = files_for(trusted)
    files.download({"fileId": 14}, "My Files/m.bin", str(tmp_path / "direct.bin"), 1700000000)
    files.download({"fileId": None}, "My Files/plain copy.bin", str(tmp_path / "webdav.bin"), 1600000000.5)
    assert os.path.getmtime(str(tmp_path / "direct.bin")) == 1700000000
    assert os.path.getmtime(str(tmp_path / "webdav.bin")) == 1600000000.5


# -- fallbacks and refusals -----------------------------------------------------------------------------------
def test_no_key_pair_or_no_file_id_means_webdav(trusted, tmp_path):
    publish(trusted, 15, BLOCKS)
    trusted.webdav["/ServicesPortal/webdav/My%20Files/a%20b%23c.txt"] = b"plain bytes over webdav"
    digest = hashlib.sha256(b"plain bytes over webdav").hexdigest()
    for files, info in ((files_for(trusted, keys=False), {"fileId": 15}),
                        (CloudFiles(files_for(trusted).session, KEY_ID, None), {"fileId": 15}),
                        (CloudFiles(files_for(trusted).session, None, SECRET), {"fileId": 15}),
                        (files_for(trusted), {"fileId": None}), (files_for(trusted), {})):
        dest = str(tmp_path / "w.txt")
        assert files.download(info, "My Files/a b#c.txt", dest) == (23, digest)
        assert read(dest) == b"plain bytes over webdav"
    assert not [p for p, _h, _port in trusted.seen if not p.startswith("/ServicesPortal/webdav/")]


def test_a_failed_webdav_download_names_the_file_and_leaves_nothing(trusted, tmp_path):
    dest = tmp_path / "gone.bin"
    dest.write_bytes(b"kept")
    with pytest.raises(NotFound) as info:
        files_for(trusted, keys=False).download({"fileId": 23}, "My Files/gone.bin", str(dest))
    assert info.value.message == "download 'My Files/gone.bin' failed" and info.value.status == 404
    assert os.listdir(str(tmp_path)) == ["gone.bin"] and dest.read_bytes() == b"kept"


def test_storage_not_in_direct_mode_falls_back_to_webdav(trusted, tmp_path):
    trusted.maps["16"] = (422, "Not all blocks of the file are on a storage node set to Direct Mode")
    trusted.webdav["/ServicesPortal/webdav/My%20Files/n.bin"] = b"from webdav"
    dest = str(tmp_path / "n.bin")
    files = files_for(trusted)
    assert files.download({"fileId": 16}, "My Files/n.bin", dest) == (11, hashlib.sha256(b"from webdav").hexdigest())
    assert read(dest) == b"from webdav"
    assert [p for p, _h, _port in trusted.seen] == ["/directio/16", "/ServicesPortal/webdav/My%20Files/n.bin"]
    assert os.listdir(str(tmp_path)) == ["n.bin"]


@pytest.mark.parametrize("answer, cls, message", [
    ("refused key", AuthenticationError, "Direct IO of 'My Files/r.bin': the portal refused the S3 access key id"),
    ((400, "Object not found"), BadRequest, "Direct IO block map of 'My Files/r.bin' failed"),
    ((500, "busy"), ServerError, "Direct IO block map of 'My Files/r.bin' failed"),
    ((200, "<html>login</html>"), TransferError, "Direct IO block map of 'My Files/r.bin': the answer is not JSON"),
])
def test_block_map_refusals_name_the_file(trusted, tmp_path, answer, cls, message):
    files = files_for(trusted)
    if answer == "refused key":
        files.access_key_id = "AKIA-WRONG"
        trusted.maps["17"] = {"chunks": []}
    else:
        trusted.maps["17"] = answer
    dest = tmp_path / "r.bin"
    dest.write_bytes(b"kept")
    with pytest.raises(cls) as info:
        files.download({"fileId": 17}, "My Files/r.bin", str(dest))
    assert info.value.message == message and type(info.value) is cls  # pylint: disable=unidiomatic-typecheck
    if answer == "refused key" or answer[0] != 200:
        assert info.value.status == (401 if answer == "refused key" else answer[0])
        assert info.value.url.endswith("/directio/17") and info.value.method == "GET"
    assert os.listdir(str(tmp_path)) == ["r.bin"] and dest.read_bytes() == b"kept"
    assert not trusted.block_requests()


def test_read_into_streams_in_order_and_leaves_no_temporary_file(trusted, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    whole = publish(trusted, 18, [os.urandom(UPLOAD_PIECE + 3), os.urandom(100), os.urandom(UPLOAD_PIECE)])
    trusted.webdav["/ServicesPortal/webdav/My%20Files/w.bin"] = b"w" * (UPLOAD_PIECE + 5)
    trusted.maps["19"] = (422, "not direct")
    trusted.watch = str(tmp_path)

    class Sink:
        def __init__(self):
            self.pieces = []

        def write(self, data):
            self.pieces.append(bytes(data))
    files = files_for(trusted, workers=3)
    webdav = b"w" * (UPLOAD_PIECE + 5)
    for info, path, expected in (({"fileId": 18}, "My Files/d.bin", whole), ({"fileId": 19}, "My Files/w.bin", webdav),
                                 ({}, "My Files/w.bin", webdav)):
        sink = Sink()
        assert files.read_into(info, path, sink) == (len(expected), hashlib.sha256(expected).hexdigest())
        assert b"".join(sink.pieces) == expected and max(len(p) for p in sink.pieces) <= UPLOAD_PIECE
        assert os.listdir(str(tmp_path)) == []
    assert trusted.watched and all(n.startswith(".filefleet-") and n.endswith(".part") for n in trusted.watched)
    trusted.block_faults = {180: [503] * 3}
    with pytest.raises(TransferError):
        files.read_into({"fileId": 18}, "My Files/d.bin", Sink())
    assert os.listdir(str(tmp_path)) == []
    with pytest.raises(NotFound):
        files.read_into({}, "My Files/none.bin", Sink())
    assert os.listdir(str(tmp_path)) == []


# -- TLS of the Direct IO and storage clients ---------------------------------------------------------------
def test_direct_io_verifies_certificates_like_the_session(store, tmp_path, tls_material):
    store.ca_path = tls_material.ca_path
    whole = publish(store, 20, BLOCKS)
    # The session trusts the system store only: the block map is refused, like any request of the session.
    with pytest.raises(TLSError):
        files_for(store, tls={}).download({"fileId": 20}, "My Files/t.bin", str(tmp_path / "t.bin"))
    assert os.listdir(str(tmp_path)) == []
    for tls in ({"ca_path": tls_material.ca_path}, {"validate_certs": False}):
        dest = str(tmp_path / "t.bin")
        files_for(store, tls=tls).download({"fileId": 20}, "My Files/t.bin", dest)
        assert read(dest) == whole


def test_storage_urls_are_verified_even_when_the_map_came_from_a_trusted_portal(store, tmp_path, tls_material):
    """The block map from the trusted portal, the blocks from an object store whose certificate nobody trusts."""
    store.ca_path = tls_material.ca_path
    (tmp_path / "other").mkdir()
    other_tls = TLSMaterial(str(tmp_path / "other"))
    other = DirectStore()
    listener = Listener(other, 0, tls=other_tls).start()
    try:
        other.url = listener.url
        publish(other, 21, BLOCKS)
        store.maps["21"] = other.maps["21"]
        with pytest.raises(TransferError) as info:
            files_for(store, workers=1).download({"fileId": 21}, "My Files/u.bin", str(tmp_path / "u.bin"))
        prefix = "Direct IO of 'My Files/u.bin': block 1 failed 3 times (TLS verification failed for "
        assert info.value.message.startswith(prefix) and info.value.message.endswith(")")
        assert len(info.value.message) == len(prefix) - len("TLS verification failed for ") + 200 + 1  # clipped
        assert "ab" * 32 not in str(info.value) and "ab" * 32 not in repr(info.value.__dict__)
        assert not other.block_requests()
    finally:
        listener.stop()


def test_a_block_store_that_cannot_be_reached_is_named_without_the_urls_signature(trusted, tmp_path):
    """The pre-signed URL's signature reads the block until it expires: an error shows the URL with it masked."""
    publish(trusted, 22, BLOCKS)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed = probe.getsockname()[1]
    probe.close()
    for chunk in trusted.maps["22"]["chunks"]:
        chunk["url"] = chunk["url"].replace(trusted.url, "https://127.0.0.1:%d" % closed)
        chunk["url"] += "&X-Amz-Credential=AKIAEXAMPLE%2F20261203%2Fus-east-1%2Fs3%2Faws4_request"
    with pytest.raises(TransferError) as info:
        files_for(trusted, workers=1).download({"fileId": 22}, "My Files/v.bin", str(tmp_path / "v.bin"))
    shown = str(info.value) + repr(info.value.__dict__)
    assert "block 1 failed 3 times" in shown
    assert "ab" * 32 not in shown and "AKIAEXAMPLE" not in shown
    assert os.listdir(str(tmp_path)) == []


# -- the upload on the wire -----------------------------------------------------------------------------------
def _parts(headers, body):
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + headers["Content-Type"].encode("ascii") + b"\r\n\r\n" + body)
    fields, files = {}, {}
    for part in message.iter_parts():
        if part.get_filename() is not None:
            name = part.get_param("name", header="content-disposition")
            files[name] = (part.get_filename(), part.get_payload(decode=True))
        else:
            fields[part.get_param("name", header="content-disposition")] = part.get_payload(decode=True).decode()
    return fields, files


def test_upload_sends_the_fields_the_portal_reads(trusted, tmp_path):
    data = os.urandom(3000)
    (tmp_path / "x.bin").write_bytes(data)
    files = files_for(trusted)
    assert files.upload(str(tmp_path / "x.bin"), "My Files/a b/ü x.bin", 1234) == 3000
    [(path, headers, body)] = trusted.uploads
    assert path == "/ServicesPortal/upload/folders/1234"
    assert headers["Content-Type"].startswith("multipart/form-data; boundary=----filefleet")
    fields, parts = _parts(headers, body)
    assert fields == {"name": "ü x.bin", "Filename": "ü x.bin", "fileSize": "3000",
                      "fullpath": trusted.url + "/ServicesPortal/webdav/My%20Files/a%20b/%C3%BC%20x.bin"}
    assert parts == {"file": ("ü x.bin", data)}
    assert headers["Cookie"] == "JSESSIONID=" + COOKIE and files.session.logins == 0


@pytest.mark.parametrize("status, answer, cls, message", [
    (200, b'<obj><att id="rc"><val>1</val></att><att id="msg"><val>Invalid file name</val></att></obj>', TransferError,
     "upload 'My Files/x.bin': the portal refused it: Invalid file name"),
    (200, b"<val>Denied</val>", TransferError, "upload 'My Files/x.bin': the portal refused it: Denied"),
    (200, b"", TransferError, "upload 'My Files/x.bin': the portal refused it: None"),
    (200, b'<obj><att id="msg"><val>OK</val></att></obj>', None, None),
    (400, b'<obj><att id="msg"><val>OK</val></att></obj>', BadRequest, "upload 'My Files/x.bin' failed"),
    (500, b"", ServerError, "upload 'My Files/x.bin' failed"),
    (503, b"", ServerError, "upload 'My Files/x.bin' failed"),
])
def test_upload_answers(trusted, tmp_path, status, answer, cls, message):
    (tmp_path / "x.bin").write_bytes(b"12345")
    trusted.upload_answer = (status, answer)
    files = files_for(trusted)
    if cls is None:
        assert files.upload(str(tmp_path / "x.bin"), "My Files/x.bin", 1) == 5
        return
    with pytest.raises(cls) as info:
        files.upload(str(tmp_path / "x.bin"), "My Files/x.bin", 1)
    assert info.value.message == message and type(info.value) is cls  # pylint: disable=unidiomatic-typecheck
    if status >= 400:
        assert (info.value.method, info.value.status) == ("POST", status)
        assert info.value.url == trusted.url + "/ServicesPortal/upload/folders/1"
    assert len(trusted.uploads) == 1  # a POST is never sent again


def test_upload_many_uploads_each_file_once_with_bounded_connections(trusted, tmp_path):
    jobs = []
    for index in range(7):
        (tmp_path / ("f%d" % index)).write_bytes(b"x" * index)
        jobs.append((str(tmp_path / ("f%d" % index)), "My Files/d/f%d" % index))
    files = files_for(trusted)
    files.files_in_flight = 3
    assert files.upload_many(jobs, 77) == sum(range(7))
    names = sorted(_parts(h, b)[0]["name"] for _p, h, b in trusted.uploads)
    assert names == ["f%d" % i for i in range(7)]
    assert len({port for p, _h, port in trusted.seen if p == "/ServicesPortal/upload/folders/77"}) <= 3
    trusted.upload_answer = (500, b"")
    with pytest.raises(HTTPStatusError):
        files.upload_many(jobs[:2], 77)


@pytest.mark.parametrize("bulk", [False, True])
def test_an_expired_session_logs_in_once_more_and_the_upload_goes_through(trusted, tmp_path, bulk):
    jobs = []
    for index in range(3 if bulk else 1):
        (tmp_path / ("x%d" % index)).write_bytes(b"expired %d" % index)
        jobs.append((str(tmp_path / ("x%d" % index)), "My Files/x%d" % index))
    files = files_for(trusted)
    trusted.valid_session, trusted.sessions = "renewed", ["renewed"] * 3
    if bulk:
        files.files_in_flight = 3
        assert files.upload_many(jobs, 5) == sum(os.path.getsize(j[0]) for j in jobs)
    else:
        assert files.upload(jobs[0][0], jobs[0][1], 5) == os.path.getsize(jobs[0][0])
        assert files.session.logins == 1
    accepted = [_parts(h, b)[0]["name"] for _p, h, b in trusted.uploads if "renewed" in h.get("Cookie", "")]
    assert sorted(accepted) == ["x%d" % i for i in range(len(jobs))]  # each file once, with the new session
    assert 1 <= files.session.logins <= len(jobs) and files.session.logged_in


def test_a_session_that_expires_again_fails_after_one_new_login(trusted, tmp_path):
    (tmp_path / "y").write_bytes(b"twice")
    files = files_for(trusted)
    trusted.valid_session, trusted.sessions = "never handed out", ["expired at once"]
    with pytest.raises(TransferError) as info:
        files.upload(str(tmp_path / "y"), "My Files/y.txt", 5)
    assert info.value.message.startswith("upload 'My Files/y.txt': the portal refused it")
    assert files.session.logins == 1 and len(trusted.uploads) == 2


def test_a_failed_new_login_leaves_the_session_logged_out(trusted, tmp_path):
    (tmp_path / "z").write_bytes(b"z")
    files = files_for(trusted)
    trusted.valid_session, trusted.sessions = "renewed", [AuthenticationError("Portal login refused")]
    with pytest.raises(AuthenticationError):
        files.upload(str(tmp_path / "z"), "My Files/z.txt", 5)
    assert files.session.logged_in is False and len(trusted.uploads) == 1


def test_a_dropped_upload_asks_whether_the_session_expired(trusted, tmp_path):
    (tmp_path / "d").write_bytes(b"dropped")
    files = files_for(trusted)
    trusted.drop_posts = 1
    with pytest.raises(TransferError) as info:
        files.upload(str(tmp_path / "d"), "My Files/d.txt", 5)
    assert info.value.message.startswith("upload 'My Files/d.txt' failed, the portal kept nothing of it")
    assert [p for p, _h, _port in trusted.seen if "/upload/" not in p] == ["/ServicesPortal/api/currentSession"]
    assert files.session.logins == 0 and len(trusted.uploads) == 1
    # The session had expired (the probe is sent to the login page): a new login, the upload sent once more.
    trusted.drop_posts, trusted.valid_session, trusted.sessions = 1, "renewed", ["renewed"]
    assert files.upload(str(tmp_path / "d"), "My Files/d.txt", 5) == 7
    assert files.session.logins == 1 and len(trusted.uploads) == 3
