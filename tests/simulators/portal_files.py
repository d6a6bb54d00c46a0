# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Portal simulator's cloud folder content and Direct IO, as cterasdk 2.20.50 uses them (spec sections 6.1 and
6.2; core/files/*.py, cio/core/*.py, direct/*.py).

``FilesMixin`` is a base class of ``simulators.portal.PortalService``. What it infers is listed in the Portal
simulator's docstring under "Cloud folder content and Direct IO".

State: per tenant record ``cloud_files``: by cloud folder uid, by path inside the folder (``a/b.txt``), an entry
``{"dir": true, "mtime"}`` or ``{"dir": false, "size", "mtime", "id", "sha256", "key" (the file's AES key, base64),
"compression", "encrypted", "blocks": [[block key, plaintext length, stored length, md5 of stored bytes]]}``.
Block contents live on disk under ``<state dir>/portal-blocks/`` as object storage holds them (compressed, then
encrypted); no file is ever held whole in memory. ``files_sim`` holds the storage settings (``/_sim/files``).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import re
import secrets
import time
import urllib.parse

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from simulators._base import Response

try:
    import cramjam
except ImportError:  # pragma: no cover - only snappy folders need it
    cramjam = None

COMPRESSIONS = ("snappy", "gzip", "snappy-java", "none")
WIRE_COMPRESSION = {"snappy": "SNAPPY", "snappy-java": "SNAPPY", "gzip": "GZIP", "none": "NONE"}
DEFAULT_BLOCK_SIZE = 4 * 1024 * 1024
BAD_FILE_CHARS = re.compile(r"[\\/:?&<>\"|\x00-\x1f]")
URL_LIFETIME = 900
BLOCK_VERSION = b"\x01"
SNAPPY_JAVA_MAGIC = b"\x82SNAPPY\x00" + (1).to_bytes(4, "big") + (1).to_bytes(4, "big")


class _Portal:
    """The Portal simulator's module, read when a handler runs (portal.py imports this file, so not before)."""

    def __getattr__(self, name):
        from simulators import portal  # pylint: disable=import-outside-toplevel
        return getattr(portal, name)


P = _Portal()


def _now():
    return P.now_iso()


def encode_block(data, key, compression, encrypted):
    """Plain bytes of one block to what object storage holds: compressed, then (byte 0, IV, AES-256-CBC/PKCS7)."""
    if compression == "gzip":
        data = gzip.compress(data, compresslevel=1, mtime=0)
    elif compression == "snappy":
        data = bytes(cramjam.snappy.compress_raw(data))
    elif compression == "snappy-java":
        out = [SNAPPY_JAVA_MAGIC]
        for start in range(0, len(data), 32768):
            piece = bytes(cramjam.snappy.compress_raw(data[start:start + 32768]))
            out.append(len(piece).to_bytes(4, "big") + piece)
        data = b"".join(out)
    if not encrypted:
        return data
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    iv = secrets.token_bytes(16)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return BLOCK_VERSION + iv + encryptor.update(padded) + encryptor.finalize()


def decode_block(stored, key, compression, encrypted):
    """The inverse of ``encode_block`` (the WebDAV download serves plain bytes)."""
    data = stored
    if encrypted:
        decryptor = Cipher(algorithms.AES(key), modes.CBC(stored[1:17])).decryptor()
        padded = decryptor.update(stored[17:]) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        data = unpadder.update(padded) + unpadder.finalize()
    if compression == "gzip":
        return gzip.decompress(data)
    if compression == "snappy":
        return bytes(cramjam.snappy.decompress_raw(data))
    if compression == "snappy-java":
        out, pos = [], 16
        while pos < len(data):
            size = int.from_bytes(data[pos:pos + 4], "big")
            out.append(bytes(cramjam.snappy.decompress_raw(data[pos + 4:pos + 4 + size])))
            pos += 4 + size
        return b"".join(out)
    return data


def wrap_key(file_key, secret_access_key):
    """The file key as Direct IO hands it out (spec 6.1 step 2): JSON string of its base64, PKCS#7-padded,
    AES-256-ECB under the user's secret (base64-decoded, cut or NUL-padded to 32 bytes)."""
    secret = base64.b64decode(secret_access_key)
    secret = secret[:32] + b"\0" * (32 - len(secret[:32]))
    plain = json.dumps(base64.b64encode(file_key).decode("ascii")).encode("utf-8")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(secret), modes.ECB()).encryptor()  # nosec - the vendor's wrapping
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


class _Location:
    """Where a webdav path points: ``kind`` is ``root``, ``users`` (the ``Users`` container), ``user`` (one user's
    folders), ``folder`` (a cloud folder's top) or ``inside``; ``entry`` is the file or directory entry inside a
    folder (None when it does not exist)."""

    def __init__(self, kind, tenant, segments, prefix, owner=None, drive=None, rel="", entry=None):
        self.kind = kind
        self.tenant = tenant
        self.segments = segments
        self.prefix = prefix
        self.owner = owner
        self.drive = drive
        self.rel = rel
        self.entry = entry

    @property
    def exists(self):
        return self.kind != "inside" or self.entry is not None


class FilesMixin:
    """Cloud folder content: ``fetchResources``, ``makeCollection``, ``deleteResources``, ``moveResources``,
    the multipart upload, WebDAV GET; Direct IO block maps (see module docstring)."""

    # -- storage ------------------------------------------------------------------------------------------------
    def _files_sim(self):
        sim = self.state.setdefault("files_sim", {})
        sim.setdefault("block_size", DEFAULT_BLOCK_SIZE)
        sim.setdefault("compression", "snappy")
        sim.setdefault("encrypted", True)
        sim.setdefault("direct", True)
        sim.setdefault("folders", {})
        sim.setdefault("sign_secret", secrets.token_hex(16))
        return sim

    def _folder_storage(self, drive_uid):
        sim = self._files_sim()
        settings = {key: sim[key] for key in ("compression", "encrypted", "direct")}
        settings.update(sim["folders"].get(str(drive_uid), {}))
        return settings

    def blocks_dir(self):
        base = os.path.dirname(os.path.abspath(self.state_path)) if self.state_path else "/tmp"  # nosec
        path = os.path.join(base, "portal-blocks")
        os.makedirs(path, exist_ok=True)
        return path

    def block_path(self, key):
        if not re.fullmatch(r"[0-9a-f]+-\d+(-[0-9a-f]{32})?", key or ""):
            return os.path.join(self.blocks_dir(), "missing")
        return os.path.join(self.blocks_dir(), key)

    def sign_block_url(self, key, expires):
        message = ("%s\n%s" % (key, expires)).encode("ascii")
        return hmac.new(self._files_sim()["sign_secret"].encode("ascii"), message, hashlib.sha256).hexdigest()

    def _remove_blocks(self, entry):
        for block in entry.get("blocks", []):
            try:
                os.remove(self.block_path(block[0]))
            except OSError:
                pass

    def files_sim_endpoint(self, request):
        """``POST /_sim/files`` JSON (every key optional): ``block_size`` (bytes, for later uploads),
        ``compression`` (``snappy``, ``gzip``, ``snappy-java`` or ``none``), ``encrypted`` (bool), ``direct`` (bool:
        storage in direct mode, else Direct IO answers 422), ``folders``: ``{cloud folder uid: {compression,
        encrypted, direct}}`` per folder. The answer holds the settings (``sign_secret`` left out)."""
        plan = request.json() or {}
        sim = self._files_sim()
        if not isinstance(plan, dict):
            return Response.json({"error": "POST a JSON object"}, status=400)
        checks = {"block_size": lambda v: isinstance(v, int) and 1024 <= v <= 64 * 1024 * 1024,
                  "compression": lambda v: v in COMPRESSIONS, "encrypted": lambda v: isinstance(v, bool),
                  "direct": lambda v: isinstance(v, bool)}
        for key, value in plan.items():
            if key == "folders" and isinstance(value, dict):
                for settings in value.values():
                    if not isinstance(settings, dict) or any(k not in ("compression", "encrypted", "direct")
                                                             or not checks[k](v) for k, v in settings.items()):
                        return Response.json({"error": "folders: {uid: {compression, encrypted, direct}}"}, 400)
                sim["folders"].update({str(k): dict(sim["folders"].get(str(k), {}), **v) for k, v in value.items()})
            elif key in checks and checks[key](value):
                sim[key] = value
            else:
                return Response.json({"error": "bad value for %s: %r" % (key, value)}, status=400)
        self.save()
        return Response.json({k: v for k, v in sim.items() if k != "sign_secret"})

    # -- tables merged into the Portal's ------------------------------------------------------------------------
    def _files_context_routes(self):
        return [("GET", r"/webdav(/.*)?", self._webdav_get)]

    def _files_methods(self):
        return {
            "fetchResources": self._fetch_resources,
            "makeCollection": self._make_collection,
            "deleteResources": self._delete_resources,
            "moveResources": self._move_resources,
        }

    # -- paths --------------------------------------------------------------------------------------------------
    def _cloud_files(self, tenant, drive_uid):
        return self.state["tenants"][tenant].setdefault("cloud_files", {}).setdefault(str(drive_uid), {})

    def _may_browse_users(self, session):
        return session["kind"] == "global" or session.get("role") in P.ADMIN_ROLES

    def _locate(self, session, ctx, href):
        """The ``_Location`` of a webdav href (absolute ``/{ctx}/webdav/..``, percent-encoded) or relative path."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(str(href or "")).path)
        namespace = "/%s/webdav" % ctx
        if path.startswith("/") and (path == namespace or path.startswith(namespace + "/")):
            path = path[len(namespace):]
        elif path.startswith("/"):
            raise P.ApiError(400, "Path outside %s: %s" % (namespace, href))
        segments = [s for s in path.split("/") if s]
        if any(s in (".", "..") for s in segments):
            raise P.ApiError(400, "Invalid path: %s" % href)
        tenant = self._tenant_of(session)
        if tenant is None:
            raise P.ApiError(400, P.NO_TENANT_MSG)
        record = self.state["tenants"][tenant]
        if not segments:
            owner = self._current_user(session) if ctx == "ServicesPortal" else None
            return _Location("root", tenant, segments, namespace, owner)
        if segments[0] == "Users" and self._may_browse_users(session):
            if len(segments) == 1:
                return _Location("users", tenant, segments, namespace)
            owner = self._user_by_folder_name(record, segments[1])
            if owner is None:
                return _Location("inside", tenant, segments, namespace)
            return self._locate_in_user(tenant, segments, namespace, owner, 2)
        if ctx == "admin":
            return _Location("inside", tenant, segments, namespace)  # only Users/ in the admin namespace
        owner = self._current_user(session)
        if owner is None:
            return _Location("inside", tenant, segments, namespace)
        return self._locate_in_user(tenant, segments, namespace, owner, 0)

    def _user_by_folder_name(self, record, name):
        """A user by the name the Users namespace shows (display name), or by user name."""
        users = list(record["users"].values())
        for user in users:
            if self._display_name(user) == name:
                return user
        return record["users"].get(name)

    def _locate_in_user(self, tenant, segments, namespace, owner, start):
        if len(segments) == start:
            return _Location("user", tenant, segments, namespace, owner)
        drive = next((d for d in self._cloud_drives(tenant).values() if d["owner"] == owner["uid"]
                      and d["name"] == segments[start] and not d.get("deleted")), None)
        if drive is None:
            return _Location("inside", tenant, segments, namespace, owner)
        rel = "/".join(segments[start + 1:])
        if not rel:
            return _Location("folder", tenant, segments, namespace, owner, drive)
        entry = self._cloud_files(tenant, drive["uid"]).get(rel)
        return _Location("inside", tenant, segments, namespace, owner, drive, rel, entry)

    # -- ResourceInfo -------------------------------------------------------------------------------------------
    def _href(self, namespace, segments):
        return namespace + "/" + urllib.parse.quote("/".join(segments))

    def _folder_info(self, tenant, drive, owner):
        return {"@class": "CloudFolderInfo", "uid": drive["uid"], "name": drive["name"], "groupUid": drive["group"],
                "passphraseProtected": False, "ownerUid": owner["uid"], "ownerFriendlyName": self._display_name(owner)}

    def _info(self, loc, segments, name, is_folder, scope, size=0, mtime=None, file_id=None, drive=None):
        return {
            "@class": "ResourceInfo", "href": self._href(loc.prefix, segments), "name": name, "isFolder": is_folder,
            "isDeleted": False, "size": size, "permalink": "https://portal.invalid/permalink/%s"
            % hashlib.sha1("/".join(segments).encode("utf-8")).hexdigest()[:16],  # nosec - an identifier
            "lastmodified": mtime or _now(), "fileId": file_id, "scope": scope,
            "permission": "ReadWrite" if scope in ("Personal", "InsideCloudFolder") else "ReadOnly",
            "cloudFolderInfo": self._folder_info(loc.tenant, drive, loc.owner) if drive else None,
        }

    def _entry_info(self, loc, segments, entry, drive):
        return self._info(loc, segments, segments[-1], entry["dir"], "InsideCloudFolder", entry.get("size", 0),
                          entry["mtime"], entry.get("id"), drive)

    def _self_info(self, loc):
        if loc.kind == "root":
            return self._info(loc, [], "", True, "Root")
        if loc.kind == "users":
            return self._info(loc, loc.segments, "Users", True, "UsersContainer")
        if loc.kind == "user":
            return self._info(loc, loc.segments, loc.segments[-1], True, "UsersFoldersContainer")
        if loc.kind == "folder":
            return self._info(loc, loc.segments, loc.drive["name"], True, "Personal",
                              mtime=loc.drive.get("createDate"), drive=loc.drive)
        if loc.entry is None:
            return None
        return self._entry_info(loc, loc.segments, loc.entry, loc.drive)

    def _children(self, loc):
        tenant = loc.tenant
        if loc.kind == "root" and loc.owner is None:
            return [self._info(loc, ["Users"], "Users", True, "UsersContainer")]
        if loc.kind == "users":
            users = sorted(self.state["tenants"][tenant]["users"].values(), key=lambda u: u["uid"])
            return [self._info(loc, ["Users", self._display_name(u)], self._display_name(u), True,
                               "UsersFoldersContainer") for u in users]
        if loc.kind in ("user", "root"):
            drives = sorted((d for d in self._cloud_drives(tenant).values()
                             if d["owner"] == loc.owner["uid"] and not d.get("deleted")), key=lambda d: d["name"])
            return [self._info(loc, loc.segments + [d["name"]], d["name"], True, "Personal",
                               mtime=d.get("createDate"), drive=d) for d in drives]
        if loc.kind == "inside" and (loc.entry is None or not loc.entry["dir"]):
            return []
        files = self._cloud_files(tenant, loc.drive["uid"])
        base = loc.segments[:len(loc.segments) - (len(loc.rel.split("/")) if loc.rel else 0)]
        prefix = loc.rel + "/" if loc.rel else ""
        names = sorted(p for p in files if p.startswith(prefix) and "/" not in p[len(prefix):])
        return [self._entry_info(loc, base + p.split("/"), files[p], loc.drive) for p in names]

    # -- POST /{ctx}/api methods --------------------------------------------------------------------------------
    def _ctx_of(self, session):
        return session.get("ctx") or ("admin" if session["kind"] == "global" else "ServicesPortal")

    def _fetch_resources(self, session, param):
        param = param if isinstance(param, dict) else {}
        loc = self._locate(session, self._ctx_of(session), param.get("root"))
        depth = str(param.get("depth", 1))
        start = max(0, P.as_int(param.get("start"), 0))
        limit = max(1, P.as_int(param.get("limit"), 100))
        root = self._self_info(loc)
        answer = {"@class": "FetchResourcesResponse", "root": root, "items": [], "hasMore": False, "errorType": None}
        if root is None:
            if depth != "0":
                answer["errorType"] = "DestinationNotExists"
            return P.xml_response(answer)
        if depth != "0":
            items = self._children(loc)
            answer["items"] = items[start:start + limit]
            answer["hasMore"] = start + limit < len(items)
        return P.xml_response(answer)

    def _writable_parent(self, session, href):
        """(location of the parent directory, its file table) for a write below ``href``'s parent; or an error code
        string."""
        loc = self._locate(session, self._ctx_of(session), href)
        if loc.kind not in ("folder", "inside"):
            return None, "PermissionDenied"
        if loc.kind == "inside" and (loc.drive is None or loc.entry is None):
            return None, "DestinationNotExists"
        if loc.kind == "inside" and not loc.entry["dir"]:
            return None, "DestinationNotExists"
        self._require_write(session)
        return loc, self._cloud_files(loc.tenant, loc.drive["uid"])

    def _make_collection(self, session, param):
        param = param if isinstance(param, dict) else {}
        name = param.get("name")
        name = "" if name is None else str(name)
        if not name.strip() or name in (".", "..") or BAD_FILE_CHARS.search(name):
            return P.xml_response("InvalidName")
        parent_path = str(param.get("parentPath") or "").rstrip("/")
        target = self._locate(session, self._ctx_of(session), parent_path + "/" + urllib.parse.quote(name))
        if target.kind != "inside" or target.entry is not None:
            if target.kind in ("folder", "user", "users") or target.entry is not None:
                return P.xml_response("FileWithTheSameNameExist")
        parent, files = self._writable_parent(session, param.get("parentPath"))
        if parent is None:
            return P.xml_response(files)
        rel = (parent.rel + "/" + name) if parent.rel else name
        if rel in files:
            return P.xml_response("FileWithTheSameNameExist")
        files[rel] = {"dir": True, "mtime": _now()}
        self.save()
        return P.xml_response(None)

    def _action_urls(self, param):
        urls = (param or {}).get("urls") if isinstance(param, dict) else None
        if not isinstance(urls, list) or not urls:
            raise P.ApiError(400, "Expected an ActionResourcesParam with urls")
        return [u for u in urls if isinstance(u, dict)]

    def _file_task(self, session, name, error=None, cursor=None):
        ref = self._new_task(name, self._tenant_of(session))
        task = self.state["tasks"][ref.rsplit("/", 1)[1]]
        task["errorType"] = error
        task["cursor"] = cursor
        self.save()
        return P.xml_response(ref)

    def _subtree(self, files, rel):
        return [p for p in files if p == rel or p.startswith(rel + "/")]

    def _delete_resources(self, session, param):
        """Delete each ``src`` (a directory with everything below it) and its stored blocks; a task answers."""
        self._require_write(session)
        for url in self._action_urls(param):
            loc = self._locate(session, self._ctx_of(session), url.get("src"))
            if loc.kind != "inside" or loc.entry is None:
                return self._file_task(session, "Delete", "DestinationNotExists" if loc.kind == "inside"
                                       else "PermissionDenied", {"@class": "ResourceActionCursor",
                                                                 "upperLevelUrl": url.get("src")})
            files = self._cloud_files(loc.tenant, loc.drive["uid"])
            for path in self._subtree(files, loc.rel):
                self._remove_blocks(files.pop(path))
        self.save()
        return self._file_task(session, "Delete")

    def _move_resources(self, session, param):
        """Move (rename) each ``src`` to ``dest`` (full paths) within the same cloud folder; a task answers."""
        self._require_write(session)
        for url in self._action_urls(param):
            src = self._locate(session, self._ctx_of(session), url.get("src"))
            dest = self._locate(session, self._ctx_of(session), url.get("dest"))
            cursor = {"@class": "ResourceActionCursor", "upperLevelUrl": url.get("src")}
            if src.kind != "inside" or src.entry is None:
                return self._file_task(session, "Move", "DestinationNotExists", cursor)
            if dest.kind != "inside" or dest.drive is None or dest.drive["uid"] != src.drive["uid"]:
                return self._file_task(session, "Move", "PermissionDenied", cursor)
            files = self._cloud_files(src.tenant, src.drive["uid"])
            parent = dest.rel.rsplit("/", 1)[0] if "/" in dest.rel else ""
            if dest.entry is not None or (parent and not files.get(parent, {}).get("dir")):
                return self._file_task(session, "Move", "Conflict" if dest.entry is not None
                                       else "DestinationNotExists", cursor)
            for path in self._subtree(files, src.rel):
                files[dest.rel + path[len(src.rel):]] = files.pop(path)
        self.save()
        return self._file_task(session, "Move")

    # -- WebDAV GET ---------------------------------------------------------------------------------------------
    def _webdav_get(self, request, ctx):
        session = self._session(request, ctx)
        if session is None or not self._follow_user(session):
            return P._login_redirect()  # pylint: disable=protected-access
        try:
            loc = self._locate(session, ctx, request.raw_url_path)
        except P.ApiError as exc:
            return P.error_response(exc.status, exc.msg)
        if loc.kind != "inside" or loc.entry is None or loc.entry["dir"]:
            return P.error_response(404, "Resource does not exist")
        entry = dict(loc.entry)
        response = Response(200, b"", "application/octet-stream",
                            [("Last-Modified", entry["mtime"]), ("ETag", '"%s"' % entry["sha256"])])
        response.stream = self._plain_pieces(entry)
        response.stream_length = entry["size"]
        return response

    def _plain_pieces(self, entry):
        key = base64.b64decode(entry["key"]) if entry.get("key") else None
        for block in entry["blocks"]:
            with open(self.block_path(block[0]), "rb") as handle:
                stored = handle.read()
            yield decode_block(stored, key, entry["compression"], entry["encrypted"])

    # -- upload (streamed, outside the service lock) ------------------------------------------------------------
    UPLOAD_RE = re.compile(r"^/(admin|ServicesPortal)/upload/folders/+(\d+)/*$")

    def streams_body(self, method, path):
        return method == "POST" and self.UPLOAD_RE.match(path) is not None

    def route_stream(self, request):
        match = self.UPLOAD_RE.match(request.path)
        ctx, drive_uid = match.group(1), int(match.group(2))
        with self.lock:
            session = self._session(request, ctx)
            if session is None or not self._follow_user(session):
                return P._login_redirect()  # pylint: disable=protected-access
            storage = self._folder_storage(drive_uid)
            block_size = self._files_sim()["block_size"]
        boundary = re.search(r"boundary=\"?([^\";]+)\"?", request.header("Content-Type", "") or "")
        if boundary is None:
            return P.error_response(400, "Expected multipart/form-data")
        parts = MultipartReader(request.body_stream, boundary.group(1).encode("latin-1"))
        fields, stored = {}, None
        try:
            for name, _filename in parts:
                if name == "file":
                    stored = self._store_blocks(parts, storage, block_size)
                else:
                    fields[name] = parts.read_all(65536).decode("utf-8")
        except (EOFError, ValueError, OSError):
            if stored:
                self._remove_blocks(stored)
            response = Response(400, b"", None)
            response.drop_connection = True  # the client went away mid-upload: nothing is kept
            return response
        with self.lock:
            rc, msg = self._commit_upload(session, ctx, drive_uid, fields, stored)
        if rc and stored:
            self._remove_blocks(stored)
        return P.xml_response({"rc": rc, "msg": msg})

    def _store_blocks(self, parts, storage, block_size):
        """Read the file part to its end, block by block, writing each block encoded to disk."""
        token = secrets.token_hex(8)
        key = secrets.token_bytes(32)
        entry = {"blocks": [], "size": 0, "key": base64.b64encode(key).decode("ascii"), "encrypted": storage["encrypted"],
                 "compression": storage["compression"]}
        digest = hashlib.sha256()
        try:
            self._store_each_block(parts, storage, block_size, token, key, entry, digest)
        except BaseException:
            # A body cut short: the blocks written so far go too (object storage keeps no orphans).
            self._remove_blocks(entry)
            raise
        entry["sha256"] = digest.hexdigest()
        if not entry["encrypted"]:
            entry["key"] = None
        return entry

    def _store_each_block(self, parts, storage, block_size, token, key, entry, digest):
        while True:
            data = parts.read_exact(block_size)
            if not data:
                break
            digest.update(data)
            stored = encode_block(data, key, storage["compression"], storage["encrypted"])
            md5 = hashlib.md5(stored).hexdigest()  # nosec - what S3 answers as the ETag
            # The key carries the MD5, so the object store answers the ETag without reading the block first.
            block_key = "%s-%d-%s" % (token, len(entry["blocks"]), md5)
            with open(self.block_path(block_key), "wb") as handle:
                handle.write(stored)
            entry["blocks"].append([block_key, len(data), len(stored), md5])
            entry["size"] += len(data)
            if len(data) < block_size:
                break

    def _commit_upload(self, session, ctx, drive_uid, fields, stored):
        if stored is None:
            return 1, "No file in the upload"
        fullpath = fields.get("fullpath", "")
        try:
            loc = self._locate(session, ctx, urllib.parse.urlsplit(fullpath).path)
        except P.ApiError as exc:
            return 1, exc.msg
        name = loc.segments[-1] if loc.segments else ""
        if loc.kind != "inside" or loc.drive is None or loc.drive["uid"] != drive_uid:
            return 1, "Invalid upload target: %s" % fullpath
        if session["kind"] == "tenant" and session["role"] in P.READ_ONLY_ROLES:
            return 1, "Permission denied"
        if BAD_FILE_CHARS.search(name) or name in (".", ".."):
            return 1, "Invalid file name"
        files = self._cloud_files(loc.tenant, drive_uid)
        parent = loc.rel.rsplit("/", 1)[0] if "/" in loc.rel else ""
        if parent and not files.get(parent, {}).get("dir"):
            return 1, "Destination folder does not exist"
        if loc.entry is not None and loc.entry["dir"]:
            return 1, "A folder with this name exists"
        declared = P.as_int(fields.get("fileSize"))
        if declared is not None and declared != stored["size"]:
            return 1, "Upload incomplete: %d of %d bytes" % (stored["size"], declared)
        if loc.entry is not None:
            self._remove_blocks(loc.entry)
        self.state["next_file_id"] = self.state.get("next_file_id", 5000) + 1
        files[loc.rel] = dict(stored, dir=False, mtime=_now(), id=self.state["next_file_id"])
        self.save()
        return 0, "OK"

    # -- Direct IO ----------------------------------------------------------------------------------------------
    def directio(self, request, file_id):
        """``GET /directio/{file_id}`` with ``Authorization: Bearer {access key id}``: the block map (JSON)."""
        auth = request.header("Authorization", "") or ""
        access = auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else None
        owner, key = self._key_by_access(access)
        if key is None:
            return Response.json({"error": "Unauthorized"}, status=401)
        found = self._file_by_id(P.as_int(file_id))
        if found is None or found[0] != owner[0]:
            return Response.json({"error": "Object not found: %s" % file_id}, status=400)
        tenant, drive, entry = found
        user = owner[1]
        if drive["owner"] != user["uid"] and user.get("role") not in P.ADMIN_ROLES:
            return Response.json({"error": "Object not found: %s" % file_id}, status=400)
        if not self._folder_storage(drive["uid"])["direct"]:
            return Response.json({"error": "Not all blocks of the file are on a storage node set to Direct Mode"},
                                 status=422)
        expires = str(int(time.time()) + URL_LIFETIME)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        store = self.object_store_url or ""
        chunks = [{"url": "%s/%s/%s?X-Amz-Date=%s&X-Amz-Expires=%s&X-Amz-Signature=%s" % (
            store, "ctera-blocks", block[0], stamp, expires, self.sign_block_url(block[0], expires)), "len": block[1]}
            for block in entry["blocks"]]
        wrapped = wrap_key(base64.b64decode(entry["key"]), key["secretKey"]) if entry["encrypted"] else None
        del tenant
        return Response.json({"file_id": P.as_int(file_id),
                              "encrypt_info": {"data_encrypted": bool(entry["encrypted"]), "wrapped_key": wrapped},
                              "compression_type": WIRE_COMPRESSION[entry["compression"]], "chunks": chunks})

    object_store_url = None

    def _key_by_access(self, access):
        if not access:
            return None, None
        for owner_uid, keys in self.state["api_keys"].items():
            for key in keys:
                if key["accessKey"] == access:
                    for tenant, record in self.state["tenants"].items():
                        for user in record["users"].values():
                            if user["uid"] == int(owner_uid) and user.get("role") != "Disabled":
                                return (tenant, user), key
        return None, None

    def _file_by_id(self, file_id):
        for tenant, record in self.state["tenants"].items():
            for drive_uid, files in record.get("cloud_files", {}).items():
                for entry in files.values():
                    if entry.get("id") == file_id and not entry["dir"]:
                        drive = self._cloud_drives(tenant).get(drive_uid)
                        if drive is not None and not drive.get("deleted"):
                            return tenant, drive, entry
        return None


class MultipartReader:
    """A ``multipart/form-data`` body read part by part from a stream, never whole: iterate for ``(name, filename)``
    of each part, then read that part's content with ``read_exact``/``read_all`` before the next."""

    def __init__(self, stream, boundary):
        self.stream = stream
        self.delimiter = b"\r\n--" + boundary
        self.buffer = b"\r\n"  # the first delimiter has no CRLF before it
        self.in_part = False
        self.done = False

    def _fill(self, size):
        while len(self.buffer) < size:
            data = self.stream.read(max(65536, size - len(self.buffer)))
            if not data:
                return False
            self.buffer += data
        return True

    def __iter__(self):
        return self

    def __next__(self):
        while self.in_part:
            self.read_all(None)
        if self.done:
            raise StopIteration
        # At a delimiter: skip it, then "--" (the end) or CRLF and the part's headers.
        if not self._fill(len(self.delimiter) + 2):
            raise EOFError("multipart body cut short")
        if not self.buffer.startswith(self.delimiter):
            raise ValueError("malformed multipart body")
        self.buffer = self.buffer[len(self.delimiter):]
        if self.buffer.startswith(b"--"):
            self.done = True
            raise StopIteration
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > 65536 or not self._fill(len(self.buffer) + 1):
                raise ValueError("malformed multipart headers")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        disposition = re.search(rb'name="([^"]*)"(?:; filename="([^"]*)")?', head)
        if disposition is None:
            raise ValueError("multipart part without a name")
        self.in_part = True
        return disposition.group(1).decode("utf-8"), (disposition.group(2) or b"").decode("utf-8")

    def read(self, size):
        """Up to ``size`` bytes of the current part; ``b""`` at its end."""
        if not self.in_part:
            return b""
        self._fill(size + len(self.delimiter))
        index = self.buffer.find(self.delimiter)
        if index == -1:
            if len(self.buffer) < len(self.delimiter):
                raise EOFError("multipart body cut short")
            take = min(size, len(self.buffer) - len(self.delimiter) + 1)
        else:
            take = min(size, index)
            if take == 0:
                self.in_part = False
                return b""
        data, self.buffer = self.buffer[:take], self.buffer[take:]
        return data

    def read_exact(self, size):
        pieces, got = [], 0
        while got < size:
            data = self.read(size - got)
            if not data:
                break
            pieces.append(data)
            got += len(data)
        return b"".join(pieces)

    def read_all(self, limit):
        pieces, got = [], 0
        while True:
            data = self.read(65536)
            if not data:
                return b"".join(pieces)
            got += len(data)
            if limit is not None and got > limit:
                raise ValueError("multipart field too large")
            if limit is not None:
                pieces.append(data)
