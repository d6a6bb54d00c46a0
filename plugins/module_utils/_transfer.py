# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Direct transfer of files to and from a Portal's cloud folders (docs/protocol-ctera.md, spec sections 6.1, 6.2).

* Paths are the SDK's file API paths for the session: ``<cloud folder>/<path>`` for a tenant user,
  ``Users/<owner>/<cloud folder>/<path>`` in the administrator namespace; hrefs are ``/{ctx}/webdav/<encoded path>``.
* Reads of the tree: ``fetchResources`` (depth 0 = the item, 1 = its children, pages of 100), retried like a GET.
* Download: Direct IO when the user's S3 key pair is given and the file has an id: the block map from
  ``GET /directio/{id}`` (bearer = access key id), the file key unwrapped with the secret, blocks fetched from
  their pre-signed URLs by ``workers`` threads, each holding one block at a time in buffers it reuses: the body
  streamed into a buffer of its known length and checked against the storage's MD5 ``ETag``, decrypted in place
  (AES-256-CBC), decompressed (gzip, snappy or snappy-java, by sniffing as the SDK does), checked against the
  block map's length and written with ``os.pwrite`` at its offset in a temporary file next to the destination. A
  failed block is fetched again on its own; the file is renamed into place only when every block was verified,
  and deleted otherwise. A storage not in direct mode (422), or no key pair: the WebDAV GET, streamed to the same
  kind of temporary file.
* Upload: the multipart POST to ``/{ctx}/upload/folders/{cloud folder uid}``, its body streamed from the file (never
  read whole); the portal keeps the file only when the whole body arrived (a transfer cut short leaves nothing).
  Trees: directories first (``makeCollection``), then the files with at most ``files_in_flight`` uploads at once.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import hashlib
import io
import json
import os
import queue
import secrets
import tempfile
import threading
import time
import traceback
import zlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, unquote, urlsplit

from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, HttpClient, TransportError, error_class_for,
)
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import envelope, from_xml

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError:
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()

try:
    import cramjam
    HAS_CRAMJAM = True
    CRAMJAM_IMPORT_ERROR = None
except ImportError:
    HAS_CRAMJAM = False
    CRAMJAM_IMPORT_ERROR = traceback.format_exc()

try:
    from urllib3.exceptions import HTTPError as Urllib3Error
except ImportError:  # pragma: no cover - requests brings urllib3
    Urllib3Error = OSError

CRYPTOGRAPHY_LIBRARY = ("cryptography", HAS_CRYPTOGRAPHY, CRYPTOGRAPHY_IMPORT_ERROR)
CRAMJAM_LIBRARY = ("cramjam", HAS_CRAMJAM, CRAMJAM_IMPORT_ERROR)
PAGE = 100
SNAPPY_JAVA = b"\x82SNAPPY\x00"
BLOCK_ATTEMPTS = 3
UPLOAD_PIECE = 1024 * 1024
PIECE = 256 * 1024
BAD_NAME_CHARS = set('\\/:?&<>"|')


class TransferError(ApiError):
    """A transfer failed; nothing partial was left at the destination."""


class NotDirectMode(Exception):
    """The storage of the file is not in direct mode (422): use the WebDAV download."""


# -- Direct IO cryptography (spec 6.1 steps 2 and 4) -----------------------------------------------------------
def unwrap_key(wrapped_key, secret_access_key):
    """The file's AES key: AES-256-ECB under the secret (base64-decoded, cut or NUL-padded to 32 bytes), JSON
    string of the key's base64 inside."""
    secret = base64.b64decode(secret_access_key)[:32]
    secret = secret + b"\0" * (32 - len(secret))
    decryptor = Cipher(algorithms.AES(secret), modes.ECB()).decryptor()  # nosec - the vendor's key wrapping
    plain = decryptor.update(base64.b64decode(wrapped_key)) + decryptor.finalize()
    plain = plain[:-plain[-1]] if plain and 0 < plain[-1] <= 16 else plain
    return base64.b64decode(json.loads(plain.decode("utf-8")))


# -- Direct IO blocks (spec 6.1 steps 3 and 4) ------------------------------------------------------------------
class BlockWorker:
    """One worker thread's block pipeline with buffers reused from block to block: the stored bytes are read
    from the socket into ``stored`` (a buffer of the block's known length, checked against the ETag as they come),
    decrypted in place through a small scratch buffer, decompressed into ``plain`` (snappy) or straight to the
    file (gzip), and written with ``os.pwrite`` at the block's offset. So a worker holds at most two block-sized
    buffers, whatever the file's size, and no block waits in a queue for the ones before it."""

    def __init__(self, storage, fd, key, compressed, byte_range=None):
        self.storage = storage
        self.fd = fd
        self.key = key
        self.compressed = compressed
        self.byte_range = byte_range
        self.stored = bytearray()
        self.plain = bytearray()
        self.scratch = bytearray(PIECE + 16)

    @staticmethod
    def _grow(buffer, size):
        return buffer if len(buffer) >= size else bytearray(size)

    def fetch(self, url):
        """The stored bytes of the block at ``url`` (a view of ``self.stored``), checked against Content-Length
        and the MD5 ETag; ValueError/TransportError when they are not whole."""
        response = self.storage(url).request("GET", url, idempotent=True, stream=True)
        try:
            if response.status_code >= 400:
                raise ValueError("HTTP %d" % response.status_code)
            length = response.headers.get("Content-Length")
            md5 = hashlib.md5()  # nosec - S3's ETag is an MD5
            pos = 0
            if length is not None and length.isdigit():
                # 16 bytes of slack: decryption works in place and never needs more than the stored length.
                self.stored = self._grow(self.stored, int(length) + 16)
                view = memoryview(self.stored)
                pos = self._read_into(response, view, int(length), md5)
                if pos != int(length):
                    raise ValueError("%d of %s bytes" % (pos, length))
            else:
                self.stored = bytearray()
                for piece in response.raw.stream(PIECE, decode_content=False):
                    self.stored += piece
                    md5.update(piece)
                pos = len(self.stored)
                view = memoryview(self.stored)
        except (Urllib3Error, OSError) as exc:
            raise ValueError("the block was cut short: %s" % exc)
        finally:
            response.close()
        etag = (response.headers.get("ETag") or "").strip('"')
        if len(etag) == 32 and md5.hexdigest() != etag:
            raise ValueError("checksum mismatch")
        return view[:pos]

    @staticmethod
    def _read_into(response, view, length, md5):
        """Read the body straight from the connection into ``view`` (no piece copied on the way); the bytes read.
        The connection goes back to the pool for the next block once the whole body was read."""
        source = getattr(response.raw, "_fp", None)  # the http.client response under urllib3's
        if source is None or not hasattr(source, "readinto"):
            pos = 0
            for piece in response.raw.stream(PIECE, decode_content=False):
                if pos + len(piece) > length:
                    raise ValueError("more than the %d bytes announced" % length)
                view[pos:pos + len(piece)] = piece
                md5.update(piece)
                pos += len(piece)
            return pos
        pos = 0
        while pos < length:
            count = source.readinto(view[pos:min(length, pos + PIECE)])
            if not count:
                break
            md5.update(view[pos:pos + count])
            pos += count
        if pos == length and source.isclosed():
            response.raw.release_conn()
        return pos

    def decrypt(self, stored):
        """Decrypt ``stored`` (byte 0, IV, AES-256-CBC with PKCS#7) in place; the plain bytes at its start."""
        if len(stored) < 33 or (len(stored) - 17) % 16:
            raise ValueError("an encrypted block of %d bytes is not whole" % len(stored))
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(bytes(stored[1:17]))).decryptor()
        scratch = memoryview(self.scratch)
        src, dst = 17, 0
        while src < len(stored):
            step = min(PIECE, len(stored) - src)
            count = decryptor.update_into(stored[src:src + step], scratch)
            # The output never passes the input read so far (it starts 17 bytes behind), so this is safe.
            stored[dst:dst + count] = scratch[:count]
            dst += count
            src += step
        decryptor.finalize()
        pad = stored[dst - 1]
        if not 0 < pad <= 16:
            raise ValueError("bad padding after decryption")
        return stored[:dst - pad]

    def write(self, data, offset):
        """Write plain bytes ``data`` found at file offset ``offset`` (clipped to the byte range, if any)."""
        if self.byte_range is not None:
            first, last = self.byte_range
            skip = max(0, first - offset)
            data = data[skip:max(skip, last + 1 - offset)]
            offset = max(offset, first) - first
        while len(data):
            count = os.pwrite(self.fd, data, offset)
            data = data[count:]
            offset += count

    def run(self, chunk, start):
        """Fetch, verify, decode and write the block ``chunk`` that starts at plain offset ``start``."""
        data = self.fetch(chunk["url"])
        if self.key is not None:
            data = self.decrypt(data)
        expected = int(chunk["len"])
        if not self.compressed:
            written = len(data)
            if written == expected:
                self.write(data, start)
        elif bytes(data[:2]) == b"\x1f\x8b":
            written = self._gunzip(data, start, expected)
        elif bytes(data[:8]) == SNAPPY_JAVA:
            self.plain = self._grow(self.plain, expected)
            plain, pos, written = memoryview(self.plain), 16, 0
            while pos + 4 <= len(data):
                size = int.from_bytes(data[pos:pos + 4], "big")
                frame = data[pos + 4:pos + 4 + size]
                if written + cramjam.snappy.decompress_raw_len(frame) > expected:
                    raise ValueError("more plain bytes than the block map says (%d)" % expected)
                written += cramjam.snappy.decompress_raw_into(frame, plain[written:])
                pos += 4 + size
            if written == expected:
                self.write(plain[:written], start)
        else:
            written = cramjam.snappy.decompress_raw_len(data)
            if written == expected:
                self.plain = self._grow(self.plain, expected)
                plain = memoryview(self.plain)
                written = cramjam.snappy.decompress_raw_into(data, plain)
                self.write(plain[:written], start)
        if written != expected:
            raise ValueError("%d plain bytes, the block map says %d" % (written, expected))

    def _gunzip(self, data, start, expected):
        """gzip (one member or more) inflated piece by piece straight to the file; returns the plain length."""
        written, pos = 0, 0
        while pos < len(data):
            inflater = zlib.decompressobj(31)
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    out = inflater.decompress(inflater.unconsumed_tail, PIECE)
                elif pos < len(data):
                    out = inflater.decompress(data[pos:pos + PIECE], PIECE)
                    pos = min(pos + PIECE, len(data))
                else:
                    raise ValueError("a gzip stream that ends early")
                if written + len(out) > expected:
                    raise ValueError("more plain bytes than the block map says (%d)" % expected)
                self.write(out, start + written)
                written += len(out)
            pos -= len(inflater.unused_data)
        return written


# -- streamed multipart body -----------------------------------------------------------------------------------
class MultipartFile(io.RawIOBase):
    """A ``multipart/form-data`` body of text fields and one file part, read from the file as it is sent (its
    length known up front, so it goes with a ``Content-Length`` and is never held whole)."""

    def __init__(self, fields, filename, path, size):
        io.RawIOBase.__init__(self)
        self.boundary = "----filefleet" + secrets.token_hex(12)
        head = []
        for name, value in fields:
            head.append('--%s\r\nContent-Disposition: form-data; name="%s"\r\nContent-Type: text/plain; charset=utf-8'
                        '\r\n\r\n%s\r\n' % (self.boundary, name, value))
        head.append('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                    'Content-Type: application/octet-stream\r\n\r\n' % (self.boundary, filename.replace('"', "%22")))
        self.head = "".join(head).encode("utf-8")
        self.tail = ("\r\n--%s--\r\n" % self.boundary).encode("ascii")
        self.size = size
        self.path = path
        self.handle = None
        self.pos = 0
        self.sent = 0

    def __len__(self):
        return len(self.head) + self.size + len(self.tail)

    @property
    def content_type(self):
        return "multipart/form-data; boundary=%s" % self.boundary

    def readable(self):
        return True

    def tell(self):
        return self.pos

    def rewind(self):
        self.pos = 0
        if self.handle is not None:
            self.handle.seek(0)

    def read(self, size=-1):
        size = UPLOAD_PIECE if size is None or size < 0 else max(size, 1)
        total = len(self)
        if self.pos >= total:
            return b""
        out = b""
        if self.pos < len(self.head):
            out = self.head[self.pos:self.pos + size]
        elif self.pos < len(self.head) + self.size:
            if self.handle is None:
                self.handle = open(self.path, "rb")
            out = self.handle.read(min(size, len(self.head) + self.size - self.pos))
            if not out:
                raise TransferError("%s shrank while it was uploaded" % self.path)
        else:
            start = self.pos - len(self.head) - self.size
            out = self.tail[start:start + size]
        self.pos += len(out)
        return out

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self):
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        io.RawIOBase.close(self)


# -- the cloud folder tree -------------------------------------------------------------------------------------
def clean_path(path, option="path"):
    """A file API path without empty, ``.`` or ``..`` segments, backslashes (the portal allows none in a name, and
    a Windows-minded server could take one for a separator: ``a\\..\\b``) or segments with surrounding
    whitespace (never trimmed, as names elsewhere; the portal would not keep them as given). ValueError naming
    ``option`` otherwise."""
    if not isinstance(path, str) or not path.strip("/ "):
        raise ValueError("%s must name a cloud folder and a path inside it, got %r" % (option, path))
    segments = path.strip("/").split("/")
    for segment in segments:
        if segment in ("", ".", "..") or any(ord(c) < 32 for c in segment):
            raise ValueError("%s %r has an empty, '.', '..' or control-character segment" % (option, path))
        if "\\" in segment:
            raise ValueError("%s %r holds a backslash; separate folders with '/' (the portal allows no backslash in a "
                             "name)" % (option, path))
        if segment != segment.strip():
            raise ValueError("%s %r has a segment with leading or trailing whitespace (%r); names are not trimmed, "
                             "give the path without it" % (option, path, segment))
    return "/".join(segments)


class CloudFiles:
    """Files of a Portal session's cloud folders (see module docstring)."""

    def __init__(self, session, access_key_id=None, secret_access_key=None, workers=6, files_in_flight=4):
        self.session = session
        self.namespace = "/%s/webdav" % session.context
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.workers = max(1, int(workers))
        self.files_in_flight = max(1, int(files_in_flight))
        self.direct_blocks = 0
        self.fallbacks = 0
        self._login_lock = threading.Lock()

    # -- tree reads --------------------------------------------------------------------------------------------
    def href(self, path):
        return self.namespace + "/" + quote(path)

    def _fetch(self, path, depth, start=0):
        param = {"_classname": "FetchResourcesParam", "start": start, "limit": PAGE, "root": self.href(path),
                 "depth": depth}
        answer = self.session.call("POST", self.session.path(), envelope("user-defined", "fetchResources", param),
                                   what="list %r" % path, idempotent=True, require_body=True)
        return answer if isinstance(answer, dict) else {}

    def stat(self, path):
        """The ``ResourceInfo`` of ``path``, or None when it does not exist."""
        root = self._fetch(path, 0).get("root")
        return root if isinstance(root, dict) else None

    def listdir(self, path):
        start = 0
        while True:
            page = self._fetch(path, 1, start)
            if page.get("errorType"):
                raise ApiError("list %r: the portal answered %s" % (path, page["errorType"]))
            items = [i for i in (page.get("items") or []) if isinstance(i, dict)]
            yield from items
            if not page.get("hasMore") or not items:
                return
            start += PAGE

    def walk(self, path):
        """``(relative path, ResourceInfo)`` of everything below directory ``path``, parents before children."""
        pending = [""]
        while pending:
            rel = pending.pop(0)
            for item in self.listdir(path + ("/" + rel if rel else "")):
                child = (rel + "/" if rel else "") + str(item.get("name"))
                yield child, item
                if item.get("isFolder"):
                    pending.append(child)

    # -- writes ------------------------------------------------------------------------------------------------
    def mkdir(self, path):
        """Create directory ``path`` (its parent must exist); an existing one is fine."""
        parent, _sep, name = path.rpartition("/")
        answer = self.session.execute(self.session.path(), "makeCollection",
                                      {"name": name, "parentPath": self.href(parent)}, what="create folder %r" % path)
        if answer not in (None, "Ok", "FileWithTheSameNameExist"):
            raise ApiError("create folder %r: the portal answered %s" % (path, answer))

    def makedirs(self, path):
        parts = path.split("/")
        for index in range(1, len(parts) + 1):
            sub = "/".join(parts[:index])
            info = self.stat(sub)
            if info is None:
                self.mkdir(sub)
            elif not info.get("isFolder"):
                raise ApiError("%r is a file, not a folder" % sub)

    def _task(self, name, urls, what):
        from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import wait_for_task
        ref = self.session.execute(self.session.path(), name, {
            "_classname": "ActionResourcesParam", "startFrom": None,
            "urls": [dict(_classname="SrcDstParam", **u) for u in urls]}, what=what)
        return wait_for_task(self.session, ref, what)

    def delete(self, path):
        self._task("deleteResources", [{"src": self.href(path), "dest": None}], "delete %r" % path)

    # -- upload ------------------------------------------------------------------------------------------------
    def upload(self, local, path, folder_uid, http=None):
        """Upload local file ``local`` to ``path`` (its folder exists), streamed; returns the bytes sent."""
        name = path.rpartition("/")[2]
        if BAD_NAME_CHARS & set(name):
            raise ValueError("file name %r has one of \\ / : ? & < > \" |, which the portal refuses" % name)
        size = os.path.getsize(local)
        http = http or self.session.http
        fullpath = http.base_url + self.href(path)
        body = MultipartFile([("name", name), ("Filename", name), ("fullpath", fullpath), ("fileSize", size)],
                             name, local, size)
        what = "upload %r" % path
        try:
            for attempt in (1, 2):
                body.rewind()
                try:
                    response = http.request("POST", "/%s/upload/folders/%s" % (self.session.context, folder_uid),
                                            data=body, headers={"Content-Type": body.content_type}, idempotent=False)
                except TransportError as exc:
                    # A portal whose session expired answers before it reads the body and may close the connection
                    # while it is still being sent (Tomcat reads at most 2 MB of it): sent once more after a new
                    # login, since an expired session stored nothing. Otherwise not sent again here (a POST); the
                    # portal keeps nothing of a body cut short, so a rerun is safe.
                    if attempt == 1 and self._session_expired(http):
                        self._login_again(http)
                        continue
                    raise TransferError("%s failed, the portal kept nothing of it (run again to retry): %s"
                                        % (what, exc.message), "POST", exc.url, exc.status)
                if self.session._is_expired(response) and attempt == 1:  # pylint: disable=protected-access
                    self._login_again(http)
                    continue
                break
        finally:
            body.close()
        if response.status_code >= 400:
            raise error_class_for(response.status_code)("%s failed" % what, "POST", response.url, response.status_code)
        answer = from_xml(response.content) if response.content else None
        if not isinstance(answer, dict) or answer.get("rc") not in (0, "0", None, False):
            raise TransferError("%s: the portal refused it: %s" % (what, (answer or {}).get("msg")
                                                                   if isinstance(answer, dict) else answer))
        return size

    def _session_expired(self, http):
        """Whether the session of ``http`` has expired (asked with a read that the portal answers with a redirect to
        its login page then)."""
        try:
            response = http.request("GET", self.session.path("currentSession"), idempotent=True)
        except TransportError:
            return False
        try:
            return self.session._is_expired(response)  # pylint: disable=protected-access
        finally:
            response.close()

    def _login_again(self, http):
        """A new login of the session (browsing its tenant again: a new session browses none, and a global
        administrator's upload would be refused), shared with ``http`` when that is a clone. Uploads in flight
        together (``upload_many``) may all meet the expiry: one at a time here, the first logs in and the others,
        finding that the session's cookies changed since ``http`` took them, only take the new ones (one new
        login, not one per thread, and never two logins on the session's connection at once)."""
        with self._login_lock:
            current = self.session.http.session.cookies.get_dict()
            if current.items() <= http.session.cookies.get_dict().items():  # ``http`` has the latest session
                self.session.logged_in = False
                self.session.login()
                self.session._after_relogin()  # pylint: disable=protected-access
            if http is not self.session.http:
                http.session.cookies.update(self.session.http.session.cookies)

    def upload_many(self, jobs, folder_uid):
        """Upload ``[(local, path)]`` with at most ``files_in_flight`` at once; returns the bytes sent."""
        if not jobs:
            return 0
        clients = queue.Queue()
        for _index in range(min(self.files_in_flight, len(jobs))):
            clients.put(self.session.http.clone())

        def one(job):
            http = clients.get()
            try:
                return self.upload(job[0], job[1], folder_uid, http)
            finally:
                clients.put(http)
        try:
            with ThreadPoolExecutor(max_workers=self.files_in_flight) as pool:
                return sum(pool.map(one, jobs))
        finally:
            while not clients.empty():
                clients.get().close()

    # -- download ----------------------------------------------------------------------------------------------
    def download(self, info, path, dest, mtime=None):
        """Download file ``path`` (its ``ResourceInfo``) to local ``dest``; returns ``(bytes, sha256)``, the
        digest None for a Direct IO download (its blocks are written out of order; each was verified on its own).
        The content goes to a temporary file in ``dest``'s directory, renamed onto ``dest`` only when complete."""
        directory = os.path.dirname(os.path.abspath(dest))
        temp = None
        try:
            if self._direct_possible(info):
                handle, temp = tempfile.mkstemp(prefix=".filefleet-", suffix=".part", dir=directory)
                try:
                    size, digest = self._direct(info["fileId"], path, handle), None
                except NotDirectMode:
                    self.fallbacks += 1
                    os.unlink(temp)
                    temp = None
                finally:
                    os.close(handle)
            if temp is None:
                temp, digest, size = self.session.download(self.href(path), directory, "download %r" % path)
            if mtime is not None:
                os.utime(temp, (mtime, mtime))
            os.replace(temp, dest)
        except BaseException:
            if temp is not None and os.path.exists(temp):
                os.unlink(temp)
            raise
        return size, digest

    def _direct_possible(self, info):
        return bool(self.access_key_id and self.secret_access_key and info.get("fileId") is not None)

    def read_into(self, info, path, out):
        """Write the content of file ``path`` to ``out`` (``write``), in order; returns ``(bytes, sha256)``."""
        temp = None
        try:
            if self._direct_possible(info):
                handle, temp = tempfile.mkstemp(prefix=".filefleet-", suffix=".part")
                try:
                    self._direct(info["fileId"], path, handle)
                except NotDirectMode:
                    self.fallbacks += 1
                    os.unlink(temp)
                    temp = None
                finally:
                    os.close(handle)
            if temp is None:
                temp = self.session.download(self.href(path), tempfile.gettempdir(), "download %r" % path)[0]
            digest, size = hashlib.sha256(), 0
            with open(temp, "rb") as handle:
                while True:
                    piece = handle.read(UPLOAD_PIECE)
                    if not piece:
                        break
                    digest.update(piece)
                    out.write(piece)
                    size += len(piece)
        finally:
            if temp is not None and os.path.exists(temp):
                os.unlink(temp)
        return size, digest.hexdigest()

    def _api(self):
        api = getattr(self, "_direct_api", None)
        if api is None:
            http = self.session.http
            api = self._direct_api = HttpClient(http.base_url, validate_certs=http.validate_certs, ca_path=http.ca_path,
                                                redactor=http.redact)
            api.redact.add(self.secret_access_key)
        return api

    def _storage_clients(self):
        """A lookup of object storage clients by URL origin, for one worker thread (pre-signed URLs: no cookie,
        no auth), and the list of clients to close after it."""
        clients = {}
        http = self.session.http

        def client(url):
            parts = urlsplit(url)
            origin = "%s://%s" % (parts.scheme, parts.netloc)
            if origin not in clients:
                clients[origin] = HttpClient(origin, validate_certs=http.validate_certs, ca_path=http.ca_path,
                                             redactor=http.redact, retries=0)
            return clients[origin]
        return client, clients

    def block_map(self, file_id, path):
        response = self._api().request("GET", "/directio/%s" % file_id,
                                       headers={"Authorization": "Bearer %s" % self.access_key_id})
        if response.status_code == 422:
            raise NotDirectMode()
        if response.status_code == 401:
            raise error_class_for(401)("Direct IO of %r: the portal refused the S3 access key id" % path, "GET",
                                       response.url, 401)
        if response.status_code >= 400:
            raise error_class_for(response.status_code)("Direct IO block map of %r failed" % path, "GET",
                                                        response.url, response.status_code)
        try:
            return json.loads(response.content.decode("utf-8"))
        except ValueError:
            raise TransferError("Direct IO block map of %r: the answer is not JSON" % path)

    def _direct(self, file_id, path, fd, byte_range=None):
        """Download file ``file_id`` with Direct IO into the open file ``fd`` (each block written at its offset);
        returns the bytes written. ``workers`` threads each take the next block, fetch, verify, decode and write
        it, then take another: at most ``workers`` blocks are in memory, each in its worker's reused buffers. A
        failed block is tried again on its own (BLOCK_ATTEMPTS in all); once one has failed for good, no fetch of a
        block after it starts: the other workers take no new block, and one retrying a later block stops before its
        next attempt (one retrying an earlier block goes on: it may fail too, and the error names the first block
        of the file that failed, whichever failed first)."""
        meta = self.block_map(file_id, path)
        chunks = meta.get("chunks") or []
        info = meta.get("encrypt_info") or {}
        key = unwrap_key(info["wrapped_key"], self.secret_access_key) if info.get("data_encrypted") else None
        compressed = str(meta.get("compression_type") or "NONE").upper() != "NONE"
        spans, offset = [], 0
        for number, chunk in enumerate(chunks, 1):
            length = int(chunk["len"])
            if byte_range is None or (offset <= byte_range[1] and offset + length > byte_range[0]):
                spans.append((number, offset, chunk))
            offset += length
        size = offset if byte_range is None else max(0, min(offset, byte_range[1] + 1) - byte_range[0])
        todo = iter(spans)
        lock = threading.Lock()
        failures = []

        def work():
            storage, clients = self._storage_clients()
            worker = BlockWorker(storage, fd, key, compressed, byte_range)
            try:
                while True:
                    with lock:
                        span = None if failures else next(todo, None)
                    if span is None:
                        return
                    number, start, chunk = span
                    last = None
                    for attempt in range(BLOCK_ATTEMPTS):
                        if attempt:
                            time.sleep(min(2.0, 0.2 * (2 ** attempt)))
                            with lock:
                                if any(failed < number for failed, _text in failures):
                                    return  # a block before this one failed for good: the error names that one
                        try:
                            worker.run(chunk, start)
                            last = None
                            break
                        except (TransportError, ValueError, OSError, EOFError, zlib.error) as exc:
                            last = str(exc)[:200] or type(exc).__name__
                    with lock:
                        if last is not None:
                            failures.append((number, last))
                            return
                        self.direct_blocks += 1
            except BaseException as exc:  # pylint: disable=broad-exception-caught
                with lock:
                    failures.append((0, exc))
            finally:
                for client in clients.values():
                    client.close()

        threads = [threading.Thread(target=work, name="directio-%d" % index, daemon=True)
                   for index in range(min(self.workers, len(spans)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            number, last = min(failures, key=lambda failure: failure[0])
            if isinstance(last, BaseException):
                raise last
            raise TransferError("Direct IO of %r: block %d failed %d times (%s)"
                                % (path, number, BLOCK_ATTEMPTS, last))
        os.ftruncate(fd, size)
        return size


def local_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while True:
            piece = handle.read(UPLOAD_PIECE)
            if not piece:
                return digest.hexdigest()
            digest.update(piece)


def remote_mtime(info):
    """Seconds since the epoch of a ``ResourceInfo``'s ``lastmodified`` (ISO, local time when naive)."""
    import datetime
    text = str(info.get("lastmodified") or "")
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def href_path(href, namespace):
    """The file API path of a ``ResourceInfo`` href."""
    path = unquote(urlsplit(str(href)).path)
    return path[len(namespace):].strip("/") if path.startswith(namespace) else path.strip("/")
