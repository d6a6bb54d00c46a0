# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/_transfer.py (CloudFiles) against the Portal simulator, in-process, as mutation testing
(docs/mutation.md) found it unchecked outside ansible-playbook: what landed is read from the simulator's state
(GET /_sim/state) and its request counts. Folders made level by level, uploads stored whole, the tree listed and
deleted, Direct IO and WebDAV downloads byte-exact, without a new login; a refused upload names the portal's reason,
a connection lost mid-body says nothing was kept. (Error statuses and expiry of an upload: in
test_mutation_kills_transfer_direct.py, whose server reads the whole body first: the simulator answers them before
reading the body and closes the connection, which a client may see as a reset instead of the answer.)"""

import hashlib
import os

import pytest

from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
from ansible_collections.filefleet.office.plugins.module_utils._transfer import CloudFiles, TransferError

UPLOADS = "/ServicesPortal/upload/folders/"


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("transfer-portal")), portal=True) as running:
        portal = running.info["portal"]
        running.sim_call(portal, "/_sim/files", "POST", {"block_size": 4096})
        running.key, running.uid = running.seed_drive_owner("mover", "File Mover", "Tenant1!pw", "My Files")
        yield running


@pytest.fixture()
def files(sims):
    portal = sims.info["portal"]
    sims.faults(portal, {})
    session = PortalSession(portal["url"] + "/ServicesPortal", "mover", "Tenant1!pw", ca_path=portal["ca_path"]).login()
    yield CloudFiles(session, sims.key.accessKey, sims.key.secretKey, workers=3, files_in_flight=2)
    sims.faults(portal, {})
    session.close()


def stored(sims):
    return sims.state(sims.info["portal"])["tenants"]["acme"]["cloud_files"].get(str(sims.uid), {})


def stats(sims):
    got = sims.stats(sims.info["portal"])
    return got["logins"], got["requests"].get("POST %s%d" % (UPLOADS, sims.uid), 0)


def test_tree_upload_list_download_and_delete(sims, files, tmp_path):
    logins, _posts = stats(sims)
    data = {"tree/a.bin": os.urandom(3 * 4096 + 5), "tree/sub/b c.txt": b"text comes back exactly as sent",
            "tree/sub/deep/ü.txt": b""}
    files.makedirs("My Files/tree/sub/deep")
    files.makedirs("My Files/tree/sub")  # already there: nothing to do
    jobs = []
    for rel, content in data.items():
        local = tmp_path / rel.replace("/", "_")
        local.write_bytes(content)
        jobs.append((str(local), "My Files/" + rel))
    assert files.upload_many(jobs, sims.uid) == sum(len(c) for c in data.values())
    cloud = stored(sims)
    assert {rel: cloud[rel]["sha256"] for rel in data} == {rel: hashlib.sha256(c).hexdigest() for rel, c in data.items()}
    assert cloud["tree/sub/deep"]["dir"] is True
    assert [(rel, bool(item["isFolder"])) for rel, item in files.walk("My Files/tree")] == [
        ("a.bin", False), ("sub", True), ("sub/b c.txt", False), ("sub/deep", True), ("sub/deep/ü.txt", False)]

    info = files.stat("My Files/tree/a.bin")
    assert info["size"] == len(data["tree/a.bin"]) and info["fileId"] is not None
    assert files.download(info, "My Files/tree/a.bin", str(tmp_path / "direct.bin")) == (len(data["tree/a.bin"]), None)
    assert (tmp_path / "direct.bin").read_bytes() == data["tree/a.bin"]
    plain = CloudFiles(files.session)
    got = plain.download(info, "My Files/tree/a.bin", str(tmp_path / "webdav.bin"))
    assert got == (len(data["tree/a.bin"]), hashlib.sha256(data["tree/a.bin"]).hexdigest())

    files.delete("My Files/tree/sub")
    assert files.stat("My Files/tree/sub") is None
    assert not [rel for rel in stored(sims) if rel.startswith("tree/sub")]
    assert stats(sims)[0] == logins  # no new login along the way


def test_storage_not_in_direct_mode_falls_back_to_webdav(sims, files, tmp_path):
    (tmp_path / "n.bin").write_bytes(b"n" * 9000)
    files.upload(str(tmp_path / "n.bin"), "My Files/n.bin", sims.uid)
    portal = sims.info["portal"]
    sims.sim_call(portal, "/_sim/files", "POST", {"direct": False})
    try:
        dest = str(tmp_path / "back.bin")
        assert files.download(files.stat("My Files/n.bin"), "My Files/n.bin", dest)[1] == \
            hashlib.sha256(b"n" * 9000).hexdigest()
        assert open(dest, "rb").read() == b"n" * 9000
    finally:
        sims.sim_call(portal, "/_sim/files", "POST", {"direct": True})


def test_refused_upload_names_the_portals_reason(sims, files, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    with pytest.raises(TransferError) as info:
        files.upload(str(tmp_path / "a.txt"), "My Files/no such folder/a.txt", sims.uid)
    assert info.value.message == "upload 'My Files/no such folder/a.txt': the portal refused it: " \
        "Destination folder does not exist"


def test_a_connection_lost_mid_upload_says_nothing_was_kept(sims, files, tmp_path):
    (tmp_path / "cut.bin").write_bytes(os.urandom(300000))
    sims.faults(sims.info["portal"], {"drop": [{"count": 1, "path": UPLOADS, "after_bytes": 100000}]})
    with pytest.raises(TransferError) as info:
        files.upload(str(tmp_path / "cut.bin"), "My Files/cut.bin", sims.uid)
    assert info.value.message.startswith("upload 'My Files/cut.bin' failed, the portal kept nothing of it (run again "
                                         "to retry): Connection failure talking to ")
    assert (info.value.method, info.value.status) == ("POST", None)
    assert info.value.url.endswith("%s%d" % (UPLOADS, sims.uid))
    assert "cut.bin" not in stored(sims)
