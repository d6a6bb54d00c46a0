# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/_transfer.py as mutation testing (docs/mutation.md) found it unchecked, without a network: the key
of a file unwrapped whatever the secret's length and the padding; paths refused naming the option; hrefs and
modification times read back; the multipart body streamed byte-exact in bounded pieces; the tree reads and writes
through a recording stand-in of the Portal session (the envelopes it sends, paging by ``start`` to the last page,
errors naming the path and the portal's answer); one Direct IO block from a stand-in storage answer: statuses and
ETags, every padding length, blocks that are not whole or badly padded, more or fewer plain bytes than the block map
says. Direct IO over the network: test_mutation_kills_transfer_direct.py."""

import base64
import gzip
import hashlib
import json
import os

import pytest

from simulators.portal_files import encode_block, wrap_key
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import envelope
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
from ansible_collections.filefleet.office.plugins.module_utils._transfer import (
    PAGE, PIECE, UPLOAD_PIECE, BlockWorker, CloudFiles, MultipartFile, TransferError, clean_path, href_path, local_sha256,
    remote_mtime, unwrap_key,
)

SECRET = base64.b64encode(b"s3-secret-of-the-user-0123456789abcdef").decode("ascii")


# -- the key of a file (spec 6.1 step 2) ----------------------------------------------------------------------
def _wrap(plain, secret, pad=True):
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    raw = base64.b64decode(secret)[:32]
    raw = raw + b"\0" * (32 - len(raw))
    if pad:
        padder = padding.PKCS7(128).padder()
        plain = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(raw), modes.ECB()).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


@pytest.mark.parametrize("secret_bytes", [16, 31, 32, 33, 40])
def test_the_file_key_is_unwrapped_with_secrets_of_any_length(secret_bytes):
    secret = base64.b64encode(os.urandom(secret_bytes)).decode("ascii")
    key = os.urandom(32)
    assert unwrap_key(wrap_key(key, secret), secret) == key


@pytest.mark.parametrize("spaces, pad, pad_length", [(2, True, 16), (1, True, 1), (0, True, 2), (2, False, 0)])
def test_the_file_key_is_unwrapped_whatever_its_padding(spaces, pad, pad_length):
    """A full block of padding (16), one byte of it, the usual two, and a plain text that needs none (its last
    byte is the JSON quote, not padding). JSON allows the leading spaces."""
    key = os.urandom(32)
    plain = b" " * spaces + json.dumps(base64.b64encode(key).decode("ascii")).encode("ascii")
    assert (16 - len(plain) % 16 if pad else 0) == pad_length
    assert unwrap_key(_wrap(plain, SECRET, pad), SECRET) == key


# -- paths ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("given, clean", [("My Files/a/b.txt", "My Files/a/b.txt"), ("/My Files/x y/", "My Files/x y"),
                                          ("X", "X"), ("XX/Y", "XX/Y"), ("a/ü b.txt", "a/ü b.txt"),
                                          ("a/..b/c.", "a/..b/c.")])
def test_clean_paths_keep_their_names(given, clean):
    assert clean_path(given) == clean


@pytest.mark.parametrize("given", ["", "/", " / ", None, 5])
def test_a_path_without_a_cloud_folder_is_refused_naming_the_option(given):
    with pytest.raises(ValueError) as info:
        clean_path(given, option="dest_path")
    assert str(info.value) == "dest_path must name a cloud folder and a path inside it, got %r" % (given,)
    with pytest.raises(ValueError, match="^path must name"):
        clean_path(given)


@pytest.mark.parametrize("given", ["a//b", "a/./b", "a/../b", "a/b\tc", "a/\x1fb", "./a", "a/.."])
def test_dot_empty_and_control_segments_are_refused_naming_the_option(given):
    with pytest.raises(ValueError) as info:
        clean_path(given, option="src_path")
    assert str(info.value) == "src_path %r has an empty, '.', '..' or control-character segment" % given
    with pytest.raises(ValueError, match="^path "):
        clean_path(given)


@pytest.mark.parametrize("given, segment", [("My Files/ a", " a"), ("My Files/a /b", "a "), ("My Files/a\t/b", None)])
def test_padded_segments_are_refused_naming_the_option(given, segment):
    with pytest.raises(ValueError) as info:
        clean_path(given, option="src_path")
    if segment is None:  # a tab is a control character
        assert str(info.value) == "src_path %r has an empty, '.', '..' or control-character segment" % given
        return
    assert str(info.value) == ("src_path %r has a segment with leading or trailing whitespace (%r); names are not "
                               "trimmed, give the path without it" % (given, segment))


@pytest.mark.parametrize("given", ["My Files\\a", "a\\..\\b/c", "a/b\\"])
def test_backslashes_are_refused_naming_the_option(given):
    with pytest.raises(ValueError) as info:
        clean_path(given, option="path")
    assert str(info.value) == ("path %r holds a backslash; separate folders with '/' (the portal allows no backslash "
                               "in a name)" % given)


@pytest.mark.parametrize("href, path", [
    ("/ServicesPortal/webdav/My%20Files/a%23b.txt", "My Files/a#b.txt"),
    ("https://portal.example/ServicesPortal/webdav/My%20Files/dir/", "My Files/dir"),
    ("/ServicesPortal/webdav", ""),
    ("/admin/webdav/Users/Ann/Docs", "admin/webdav/Users/Ann/Docs"),
    ("/XRay/docX/", "XRay/docX"),
    ("/ServicesPortal/webdav/X/docX/", "X/docX"),
])
def test_href_path_strips_the_namespace(href, path):
    assert href_path(href, "/ServicesPortal/webdav") == path


@pytest.mark.parametrize("stamp, expected", [
    ("2024-05-01T10:00:00Z", 1714557600.0), ("2024-05-01T12:00:00+02:00", 1714557600.0),
    ("2024-05-01T10:00:00", None), ("", "none"), ("yesterday", "none"), (None, "none"),
])
def test_remote_mtime(stamp, expected):
    import datetime
    if expected is None:
        expected = datetime.datetime(2024, 5, 1, 10, 0, 0).timestamp()  # naive: local time
    got = remote_mtime({"lastmodified": stamp} if stamp is not None else {})
    assert got == (None if expected == "none" else expected)


def test_local_sha256_reads_a_large_file_in_bounded_pieces(tmp_path):
    import tracemalloc
    data = os.urandom(6 * UPLOAD_PIECE)
    (tmp_path / "big").write_bytes(data)
    tracemalloc.start()
    try:
        assert local_sha256(str(tmp_path / "big")) == hashlib.sha256(data).hexdigest()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * UPLOAD_PIECE, peak  # two pieces at most at once, never the whole file


def test_a_file_key_with_padding_past_one_block_is_refused():
    key = os.urandom(32)
    plain = json.dumps(base64.b64encode(key).decode("ascii")).encode("ascii") + b" " + b"\x11" * 17
    wrapped = _wrap(plain, SECRET, pad=False)  # 64 bytes: four AES blocks, "padded" with 17 bytes of 17
    with pytest.raises(ValueError):
        unwrap_key(wrapped, SECRET)


@pytest.mark.parametrize("size", [0, 5, UPLOAD_PIECE, 2 * UPLOAD_PIECE + 7])
def test_local_sha256(tmp_path, size):
    data = os.urandom(size)
    (tmp_path / "f").write_bytes(data)
    assert local_sha256(str(tmp_path / "f")) == hashlib.sha256(data).hexdigest()


# -- the multipart body ---------------------------------------------------------------------------------------
def _expected_body(boundary, fields, filename, content):
    parts = [b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\nContent-Type: text/plain; charset=utf-8"
             b"\r\n\r\n%s\r\n" % (boundary.encode(), name.encode(), str(value).encode("utf-8")) for name, value in fields]
    parts.append(b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                 b"Content-Type: application/octet-stream\r\n\r\n" % (boundary.encode(), filename.encode("utf-8")))
    return b"".join(parts) + content + b"\r\n--%s--\r\n" % boundary.encode()


@pytest.mark.parametrize("size", [0, 10, UPLOAD_PIECE + 11])
def test_multipart_body_is_exact_and_read_in_bounded_pieces(tmp_path, size):
    content = os.urandom(size)
    (tmp_path / "f").write_bytes(content)
    fields = [("name", "ü \"x\".txt"), ("fileSize", size)]
    body = MultipartFile(fields, 'ü "x".txt', str(tmp_path / "f"), size)
    assert body.boundary.startswith("----filefleet") and len(body.boundary) == len("----filefleet") + 24
    assert body.boundary != MultipartFile(fields, "x", str(tmp_path / "f"), size).boundary
    assert body.content_type == "multipart/form-data; boundary=" + body.boundary
    expected = _expected_body(body.boundary, fields, "ü %22x%22.txt", content)
    assert len(body) == len(expected) and body.readable() and body.tell() == 0
    pieces = []
    while True:
        piece = body.read()
        if not piece:
            break
        assert len(piece) <= UPLOAD_PIECE
        pieces.append(piece)
    assert b"".join(pieces) == expected and body.tell() == len(expected)
    assert body.read(None) == b"" and body.read(10) == b""
    body.rewind()
    assert body.tell() == 0
    got, buffer = [], memoryview(bytearray(7777))  # as io.BufferedReader hands it over: a fixed size
    while True:
        count = body.readinto(buffer)
        if not count:
            break
        got.append(bytes(buffer[:count]))
    assert b"".join(got) == expected
    body.rewind()
    first = body.read(-1)
    assert first and expected.startswith(first) and len(first) <= UPLOAD_PIECE
    assert body.read(1) == expected[len(first):len(first) + 1]
    body.close()
    assert body.closed and body.handle is None


def test_a_file_that_grows_during_the_upload_sends_the_announced_size(tmp_path):
    (tmp_path / "log").write_bytes(b"0123456789")
    body = MultipartFile([], "log", str(tmp_path / "log"), 5)  # 5 bytes when the upload began
    sent = []
    while True:
        piece = body.read(4096)
        if not piece:
            break
        sent.append(piece)
    assert b"".join(sent) == _expected_body(body.boundary, [], "log", b"01234") and len(b"".join(sent)) == len(body)
    body.close()


def test_a_file_that_shrinks_during_the_upload_fails_naming_it(tmp_path):
    (tmp_path / "f").write_bytes(b"12345")
    body = MultipartFile([], "f", str(tmp_path / "f"), 10)
    with pytest.raises(TransferError) as info:
        while body.read(4):
            pass
    assert str(info.value) == "%s shrank while it was uploaded" % (tmp_path / "f")
    body.close()


# -- tree reads and writes through a recording Portal session -------------------------------------------------
class Portal:
    """Answers ``fetchResources`` from ``tree`` (path -> children names; a name ending in ``/`` is a folder),
    pages of ``limit`` from ``start``; ``execute`` answers from ``answers`` (a list, in order). Records calls."""

    context = "ServicesPortal"

    def __init__(self, tree=None, answers=None):
        self.tree = tree or {}
        self.answers = list(answers or [])
        self.calls = []
        self.current_tenant = "acme"

    def path(self):
        return "/ServicesPortal/api"

    def call(self, method, path, body, what=None, idempotent=None, require_body=None):
        self.calls.append(("call", method, path, body, what, idempotent, require_body))
        param = body["param"]
        rel = href_path(param["root"], "/ServicesPortal/webdav")
        if rel not in self.tree:
            return {"root": None, "items": [], "hasMore": False,
                    "errorType": "DestinationNotExists" if param["depth"] else None}
        root = {"name": rel.rpartition("/")[2], "isFolder": True, "href": param["root"]}
        if param["depth"] == 0:
            return {"root": root}
        names = self.tree[rel]
        limit = param["limit"]
        page = names[param["start"]:param["start"] + limit]
        items = [{"name": n.rstrip("/"), "isFolder": n.endswith("/")} for n in page]
        return {"root": root, "items": items, "hasMore": param["start"] + limit < len(names), "errorType": None}

    def execute(self, path, name, param=None, what=None):
        self.calls.append(("execute", path, name, param, what))
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer  # pylint: disable=raising-bad-type
        return answer


def test_listing_pages_through_every_child_with_the_same_request(tmp_path):
    names = ["f%03d" % n for n in range(2 * PAGE + 1)]
    portal = Portal({"My Files/big dir": names})
    got = [i["name"] for i in CloudFiles(portal).listdir("My Files/big dir")]
    assert got == names
    sent = [c[3]["param"] for c in portal.calls]
    assert [p["start"] for p in sent] == [0, PAGE, 2 * PAGE]
    root = "/ServicesPortal/webdav/My%20Files/big%20dir"
    assert sent[0] == {"_classname": "FetchResourcesParam", "start": 0, "limit": 100, "root": root, "depth": 1}
    assert all(c[:3] == ("call", "POST", "/ServicesPortal/api") and c[3]["type"] == "user-defined"
               and c[3]["name"] == "fetchResources" and c[4] == "list 'My Files/big dir'" and c[5] is True
               and c[6] is True for c in portal.calls)
    assert portal.calls[0][3] == envelope("user-defined", "fetchResources", sent[0])


def test_listing_ends_on_the_last_page_or_an_empty_one():
    portal = Portal({"F": ["a"] * PAGE})
    assert len(list(CloudFiles(portal).listdir("F"))) == PAGE and len(portal.calls) == 1

    class Endless(Portal):
        def call(self, *args, **kwargs):
            answer = Portal.call(self, *args, **kwargs)
            answer["hasMore"] = True  # a server that always says there is more: an empty page ends the listing
            return answer
    portal = Endless({"F": ["a"] * 3})
    assert len(list(CloudFiles(portal).listdir("F"))) == 3
    assert [c[3]["param"]["start"] for c in portal.calls] == [0, PAGE]


def test_listing_a_missing_folder_names_it_and_skips_odd_items():
    with pytest.raises(ApiError) as info:
        list(CloudFiles(Portal()).listdir("My Files/gone"))
    assert str(info.value) == "list 'My Files/gone': the portal answered DestinationNotExists"

    class Odd(Portal):
        def call(self, *args, **kwargs):
            answer = Portal.call(self, *args, **kwargs)
            answer["items"] = ["junk", None] + answer["items"]
            return answer
    assert [i["name"] for i in CloudFiles(Odd({"F": ["a", "b/"]})).listdir("F")] == ["a", "b"]


def test_stat_reads_the_item_itself():
    portal = Portal({"My Files/d": ["x"]})
    files = CloudFiles(portal)
    assert files.stat("My Files/d")["isFolder"] is True
    assert files.stat("My Files/none") is None
    assert [c[3]["param"]["depth"] for c in portal.calls] == [0, 0]

    assert [c[3]["param"] for c in portal.calls] == [
        {"_classname": "FetchResourcesParam", "start": 0, "limit": 100, "depth": 0, "root": "/ServicesPortal/webdav/" + p}
        for p in ("My%20Files/d", "My%20Files/none")]

    class Odd(Portal):
        def call(self, *args, **kwargs):
            self.calls.append(args)
            return {"root": "not an item"} if len(self.calls) == 1 else "<html/>"
    files = CloudFiles(Odd())
    assert files.stat("x") is None and files.stat("x") is None
    assert list(files.listdir("x")) == []


def test_walk_yields_parents_before_children_with_relative_paths():
    tree = {"T": ["a/", "b.txt", "c/"], "T/a": ["d/", "e.txt"], "T/a/d": ["f.txt"], "T/c": []}
    portal = Portal(tree)
    got = [(rel, item["isFolder"]) for rel, item in CloudFiles(portal).walk("T")]
    assert got == [("a", True), ("b.txt", False), ("c", True), ("a/d", True), ("a/e.txt", False),
                   ("a/d/f.txt", False)]
    assert [c[3]["param"]["root"] for c in portal.calls] == ["/ServicesPortal/webdav/T" + p for p in ("", "/a", "/c", "/a/d")]


@pytest.mark.parametrize("answer", [None, "Ok", "FileWithTheSameNameExist"])
def test_mkdir_sends_name_and_parent_and_accepts_an_existing_folder(answer):
    portal = Portal(answers=[answer])
    CloudFiles(portal).mkdir("My Files/a b/new #1")
    assert portal.calls == [("execute", "/ServicesPortal/api", "makeCollection",
                             {"name": "new #1", "parentPath": "/ServicesPortal/webdav/My%20Files/a%20b"},
                             "create folder 'My Files/a b/new #1'")]


@pytest.mark.parametrize("answer", ["DestinationNotExists", "InvalidName", "PermissionDenied"])
def test_mkdir_refused_names_the_folder_and_the_answer(answer):
    with pytest.raises(ApiError) as info:
        CloudFiles(Portal(answers=[answer])).mkdir("My Files/x")
    assert str(info.value) == "create folder 'My Files/x': the portal answered %s" % answer


def test_makedirs_makes_only_the_missing_levels_and_refuses_a_file_in_the_way():
    portal = Portal({"My Files": ["a/"], "My Files/a": []})
    CloudFiles(portal).makedirs("My Files/a/b/c")
    made = [c[3] for c in portal.calls if c[0] == "execute"]
    assert made == [{"name": "b", "parentPath": "/ServicesPortal/webdav/My%20Files/a"},
                    {"name": "c", "parentPath": "/ServicesPortal/webdav/My%20Files/a/b"}]

    class FileInTheWay(Portal):
        def call(self, *args, **kwargs):
            answer = Portal.call(self, *args, **kwargs)
            if answer.get("root") and answer["root"]["name"] == "a":
                answer["root"]["isFolder"] = False
            return answer
    portal = FileInTheWay({"My Files": ["a"], "My Files/a": []})
    with pytest.raises(ApiError) as info:
        CloudFiles(portal).makedirs("My Files/a/b")
    assert str(info.value) == "'My Files/a' is a file, not a folder"
    assert not [c for c in portal.calls if c[0] == "execute"]


def test_makedirs_in_a_missing_cloud_folder_names_the_cloud_folder():
    portal = Portal(answers=["PermissionDenied"])
    with pytest.raises(ApiError) as info:
        CloudFiles(portal).makedirs("No Such Folder/a/b")
    assert str(info.value) == "create folder 'No Such Folder': the portal answered PermissionDenied"
    assert [c[3]["param"]["root"] for c in portal.calls if c[0] == "call"] == ["/ServicesPortal/webdav/No%20Such%20Folder"]


def test_delete_waits_for_the_portals_task():
    portal = Portal(answers=["/tasks/7", {"status": "completed"}])
    CloudFiles(portal).delete("My Files/old dir")
    assert portal.calls[0] == ("execute", "/ServicesPortal/api", "deleteResources", {
        "_classname": "ActionResourcesParam", "startFrom": None,
        "urls": [{"_classname": "SrcDstParam", "src": "/ServicesPortal/webdav/My%20Files/old%20dir", "dest": None}]},
        "delete 'My Files/old dir'")
    assert [c[2] for c in portal.calls] == ["deleteResources", "getTaskStatus"]
    assert portal.calls[1][3] == "/tasks/7"
    failed = Portal(answers=["/tasks/8", {"status": "failed", "progstring": "DestinationNotExists"}])
    with pytest.raises(ApiError) as info:
        CloudFiles(failed).delete("My Files/x")
    assert str(info.value) == "delete 'My Files/x': the portal's task ended failed (DestinationNotExists)"


def test_upload_refuses_names_the_portal_refuses_before_sending():
    portal = Portal()
    for name in ("a:b", "a?b", "a&b", "a<b", "a>b", 'a"b', "a|b", "a\\b"):
        with pytest.raises(ValueError) as info:
            CloudFiles(portal).upload(__file__, "My Files/" + name, 1)
        assert str(info.value) == ("file name %r has one of \\ / : ? & < > \" |, which the portal refuses" % name)
    assert portal.calls == []


def test_upload_many_of_nothing_sends_nothing():
    assert CloudFiles(Portal()).upload_many([], 1) == 0


def test_workers_and_files_in_flight_are_at_least_one():
    assert (CloudFiles(Portal()).workers, CloudFiles(Portal()).files_in_flight) == (6, 4)  # the documented defaults
    files = CloudFiles(Portal(), workers="0", files_in_flight=-3)
    assert (files.workers, files.files_in_flight) == (1, 1)
    files = CloudFiles(Portal(), workers="5", files_in_flight="2")
    assert (files.workers, files.files_in_flight) == (5, 2)
    assert files.namespace == "/ServicesPortal/webdav" and files.href("a b/ü#?") == \
        "/ServicesPortal/webdav/a%20b/%C3%BC%23%3F"
    assert (files.access_key_id, files.secret_access_key) == (None, None)


# -- one Direct IO block, from a stand-in storage answer (the streamed path: no http.client underneath) ---------
class _Raw:
    def __init__(self, body):
        self.body = body

    def stream(self, size, decode_content=True):
        assert decode_content is False  # the ETag is over the stored bytes
        for start in range(0, len(self.body), size):
            yield self.body[start:start + size]


class _Answer:
    def __init__(self, body, status=200, length=None, etag="md5"):
        self.status_code = status
        self.raw = _Raw(body)
        self.headers = {} if length is None else {"Content-Length": str(length)}
        if etag:
            self.headers["ETag"] = '"%s"' % hashlib.md5(body).hexdigest() if etag == "md5" else etag

    def close(self):
        pass


def _block(tmp_path, stored, plain_length, key=None, compressed=False, **answer):
    """Run one block through a BlockWorker; the bytes written."""
    class Storage:
        def request(self, method, url, idempotent=None, stream=False):
            assert (method, url, idempotent, stream) == ("GET", "https://store/b", True, True)
            return _Answer(stored, **answer)
    target = str(tmp_path / "block.bin")
    fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        BlockWorker(lambda url: Storage(), fd, key, compressed).run({"url": "https://store/b", "len": plain_length}, 0)
    finally:
        os.close(fd)
    with open(target, "rb") as handle:
        return handle.read()


def _refused(tmp_path, message, *args, **kwargs):
    with pytest.raises(ValueError) as info:
        _block(tmp_path, *args, **kwargs)
    assert str(info.value) == message


def test_storage_statuses_and_etags(tmp_path):
    _refused(tmp_path, "HTTP 400", b"Bad Request", 11, status=400)
    _refused(tmp_path, "checksum mismatch", b"policy", 6, etag='"%s"' % ("0" * 32))
    # A multipart upload's ETag is not an MD5 of the bytes, and a storage may send none: neither is checked.
    assert _block(tmp_path, b"policy", 6, etag='"9b2cf535f27731c974343645a3985328-2"') == b"policy"
    assert _block(tmp_path, b"policy", 6, etag=None) == b"policy"
    _refused(tmp_path, "more than the 4 bytes announced", b"policy", 6, length=4)
    assert _block(tmp_path, b"policy", 6, length=6) == b"policy"


@pytest.mark.parametrize("size", [0, 4, 15, 16, 31, 4096, PIECE + 1])
def test_encrypted_blocks_of_every_padding_length(tmp_path, size):
    key, plain = os.urandom(32), os.urandom(size)
    stored = encode_block(plain, key, "none", True)
    assert len(stored) == 17 + (size // 16 + 1) * 16
    assert _block(tmp_path, stored, size, key=key) == plain


@pytest.mark.parametrize("length", [17, 32, 40, 50])
def test_an_encrypted_block_that_is_not_whole_is_refused(tmp_path, length):
    _refused(tmp_path, "an encrypted block of %d bytes is not whole" % length, os.urandom(length), 10,
             key=os.urandom(32))


@pytest.mark.parametrize("last, plain_length", [(0, 32), (17, 15), (200, 32)])
def test_bad_padding_after_decryption_is_refused(tmp_path, last, plain_length):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    key, iv = os.urandom(32), os.urandom(16)
    plain = os.urandom(31) + bytes([last])  # two AES blocks, no PKCS#7 padding
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    stored = b"\x01" + iv + encryptor.update(plain) + encryptor.finalize()
    _refused(tmp_path, "bad padding after decryption", stored, plain_length, key=key)


@pytest.mark.parametrize("compression, message", [
    ("gzip", "more plain bytes than the block map says (40)"),
    ("snappy-java", "more plain bytes than the block map says (40)"),
    ("snappy", "41 plain bytes, the block map says 40"),
    ("none", "41 plain bytes, the block map says 40"),
])
def test_more_plain_bytes_than_the_block_map_says_is_refused(tmp_path, compression, message):
    stored = encode_block(b"p" * 41, None, compression, False)
    _refused(tmp_path, message, stored, 40, compressed=compression != "none")
    assert _block(tmp_path, stored, 41, compressed=compression != "none") == b"p" * 41


@pytest.mark.parametrize("compression", ["gzip", "snappy-java", "snappy", "none"])
def test_fewer_plain_bytes_than_the_block_map_says_is_refused(tmp_path, compression):
    stored = encode_block(b"q" * 39, None, compression, False)
    _refused(tmp_path, "39 plain bytes, the block map says 40", stored, 40, compressed=compression != "none")


def test_a_gzip_stream_that_ends_early_is_refused(tmp_path):
    stored = gzip.compress(os.urandom(3000), mtime=0)
    _refused(tmp_path, "a gzip stream that ends early", stored[:len(stored) // 2], 3000, compressed=True)
