# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cterasdk 2.20.50, unchanged, works with the Portal simulator's cloud folder content and Direct IO: a tenant user
lists (paged), makes directories, uploads, downloads (WebDAV), moves and deletes through the file API; an
administrator browses the ``Users`` namespace; the SDK's Direct IO client reads a file of several blocks (snappy,
snappy-java, gzip and plain folders, encrypted or not) and gets the exact bytes, and a byte range; a folder not in
direct mode answers 422. Outcomes are checked through ``GET /_sim/state`` and the blocks on disk.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import os

import aiohttp.connector
import pytest

import cterasdk
from cterasdk import core_types
from cterasdk.core.enum import Role
from cterasdk.direct.client import DirectIO
from cterasdk.direct.types import ByteRange
from cterasdk.exceptions.direct import UnsupportedStorageError
from cterasdk.exceptions.io.core import PrivilegeError

from simulators.harness import Simulators

BLOCK = 64 * 1024


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("portal-files-sim"))
    with Simulators(state_dir, portal=True) as running:
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
            cafile=running.info["portal"]["ca_path"])
        running.sim_call(running.info["portal"], "/_sim/files", "POST", {"block_size": BLOCK})
        yield running


@pytest.fixture(scope="module")
def address(sims):
    host, port = sims.info["portal"]["url"].split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


@pytest.fixture(scope="module")
def setup(sims, address):
    """Tenant acme (the one 127.0.0.1 serves): user 'filer' with cloud folders 'My Files' and 'Plain', an S3 key."""
    portal = sims.info["portal"]
    admin = cterasdk.GlobalAdmin(*address)
    admin.login(portal["username"], portal["password"])
    admin.portals.browse("acme")
    admin.users.add("filer", "filer@acme.example", "File", "Owner", "Tenant1!pw", Role.EndUser)
    owner = core_types.UserAccount("filer")
    admin.cloudfs.groups.add("files-fg", owner)
    admin.cloudfs.drives.add("My Files", group="files-fg", owner=owner)
    admin.cloudfs.drives.add("Plain", group="files-fg", owner=owner)
    key = admin.users.credentials.s3.create(owner)
    yield {"admin": admin, "key": key}
    admin.logout()


@pytest.fixture()
def user(setup, address):  # pylint: disable=redefined-outer-name,unused-argument
    client = cterasdk.ServicesPortal(*address)
    client.login("filer", "Tenant1!pw")
    yield client
    client.logout()


def _files(sims, folder):
    state = sims.state(sims.info["portal"])
    record = state["tenants"]["acme"]
    uid = next(uid for uid, d in record["cloud_drives"].items() if d["name"] == folder)
    return record.get("cloud_files", {}).get(uid, {}), uid


def _direct(sims, key, file_id, byte_range=None):
    base = sims.info["portal"]["url"]

    async def run():
        async with DirectIO(base, key.accessKey, key.secretKey) as client:
            if byte_range is not None:
                streamer = await client.streamer(file_id, byte_range)
                return b"".join([bytes(piece.data) async for piece in streamer.start()])
            futures = await client.blocks(file_id)
            return b"".join(bytes(block.data) for block in await asyncio.gather(*futures))
    # In a thread of its own: asyncio.run in the main thread would leave the synchronous SDK clients without a loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_list_mkdir_upload_download_move_delete(sims, user, tmp_path):
    user.files.mkdir("My Files/docs")
    user.files.makedirs("My Files/docs/2024/q1")
    payload = os.urandom(3 * BLOCK + 123)
    local = tmp_path / "report one.bin"
    local.write_bytes(payload)
    assert user.files.upload_file(str(local), "My Files/docs") == "My Files/docs/report one.bin"
    files, _uid = _files(sims, "My Files")
    entry = files["docs/report one.bin"]
    assert entry["size"] == len(payload) and entry["sha256"] == hashlib.sha256(payload).hexdigest()
    assert len(entry["blocks"]) == 4 and entry["compression"] == "snappy" and entry["encrypted"] is True
    names = sorted(str(r.name) for r in user.files.listdir("My Files/docs"))  # the SDK reads "2024" as 2024
    assert names == ["2024", "report one.bin"]
    info = user.files.properties("My Files/docs/report one.bin")
    assert (info.size, info.is_dir, info.id) == (len(payload), False, entry["id"])
    target = user.files.download("My Files/docs/report one.bin", destination=str(tmp_path / "back.bin"))
    assert open(target, "rb").read() == payload
    user.files.move("My Files/docs/report one.bin", destination="My Files/docs/2024")
    files, _uid = _files(sims, "My Files")
    assert "docs/2024/report one.bin" in files and "docs/report one.bin" not in files
    user.files.delete("My Files/docs")
    files, _uid = _files(sims, "My Files")
    assert not [p for p in files if p.startswith("docs")]
    for block in entry["blocks"]:
        assert not os.path.exists(os.path.join(sims.state_dir, "portal-blocks", block[0]))


def test_listing_pages_of_100(sims, user):
    user.files.mkdir("My Files/many")
    for index in range(130):
        user.files.upload("My Files/many/f%03d.txt" % index, b"x" * index)
    listed = [r.name for r in user.files.listdir("My Files/many")]
    assert listed == ["f%03d.txt" % i for i in range(130)]
    stats = sims.stats(sims.info["portal"])["requests"]
    assert stats["POST /ServicesPortal/api"] > 130
    assert user.files.exists("My Files/many/f007.txt") and not user.files.exists("My Files/many/nope")


def test_admin_users_namespace(sims, setup, address):  # pylint: disable=unused-argument
    portal = sims.info["portal"]
    admin = cterasdk.GlobalAdmin(*address)
    admin.login(portal["username"], portal["password"])
    try:
        admin.portals.browse("acme")
        assert "File Owner" in [r.name for r in admin.files.listdir("Users")]
        assert sorted(r.name for r in admin.files.listdir("Users/File Owner")) == ["My Files", "Plain"]
        # Inside a user's folder the SDK itself checks the role's canAccessEndUserFolders (false in the simulated
        # role settings) before sending anything.
        with pytest.raises(PrivilegeError):
            admin.files.upload("Users/File Owner/My Files/by-admin.txt", b"from the admin")
    finally:
        admin.logout()
    assert "by-admin.txt" not in _files(sims, "My Files")[0]


@pytest.mark.parametrize("compression,encrypted", [("snappy", True), ("snappy-java", True), ("gzip", True),
                                                   ("none", False), ("gzip", False)])
def test_direct_io_exact_bytes(sims, setup, user, compression, encrypted):
    _files_now, uid = _files(sims, "Plain")
    sims.sim_call(sims.info["portal"], "/_sim/files", "POST",
                  {"folders": {uid: {"compression": compression, "encrypted": encrypted}}})
    # Compressible and random parts, several blocks and a short last one.
    payload = (b"filefleet " * (BLOCK // 10)) + os.urandom(2 * BLOCK) + b"tail" * 999
    name = "direct-%s-%s.bin" % (compression, encrypted)
    user.files.upload("Plain/" + name, payload)
    entry = _files(sims, "Plain")[0][name]
    assert len(entry["blocks"]) == 4 and entry["compression"] == compression
    assert _direct(sims, setup["key"], entry["id"]) == payload
    assert _direct(sims, setup["key"], entry["id"], ByteRange(BLOCK - 10, BLOCK + 9)) == payload[BLOCK - 10:BLOCK + 10]


def test_direct_io_not_direct_mode_is_422(sims, setup, user):
    _files_now, uid = _files(sims, "Plain")
    user.files.upload("Plain/indirect.bin", b"abc" * 1000)
    entry = _files(sims, "Plain")[0]["indirect.bin"]
    sims.sim_call(sims.info["portal"], "/_sim/files", "POST", {"folders": {uid: {"direct": False}}})
    try:
        with pytest.raises(UnsupportedStorageError):
            _direct(sims, setup["key"], entry["id"])
    finally:
        sims.sim_call(sims.info["portal"], "/_sim/files", "POST", {"folders": {uid: {"direct": True}}})
