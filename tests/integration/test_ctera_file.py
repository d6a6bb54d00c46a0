# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_file through one ansible-playbook run (playbooks/ctera_file.yml) against the Portal simulator, in both
execution modes. What landed in the cloud is read from the simulator's state (GET /_sim/state: sizes and SHA-256
of what it stored) and with cterasdk; what landed locally is compared byte for byte with the source tree."""

import hashlib
import os

import pytest


from integration_support import playbook_path, run_playbook
from reliability_log import record as reliability_record
from simulators.harness import Simulators

BLOCK = 64 * 1024


@pytest.fixture(scope="module")
def file_sims(tmp_path_factory, execution_mode):
    state_dir = str(tmp_path_factory.mktemp("files-" + execution_mode))
    with Simulators(state_dir, portal=True) as running:
        portal = running.info["portal"]
        running.sim_call(portal, "/_sim/files", "POST", {"block_size": BLOCK})
        running.key, _uid = running.seed_drive_owner("filer", "File Owner", "Tenant1!pw", "My Files")
        yield running


def _sha(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _tree(root):
    found = {}
    for top, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(top, name)
            found[os.path.relpath(path, root).replace(os.sep, "/")] = _sha(path)
    return found


def test_ctera_file(file_sims, tmp_path):
    portal = file_sims.info["portal"]
    src = tmp_path / "src"
    (src / "docs" / "deep").mkdir(parents=True)
    (src / "empty").mkdir()
    (src / "big.bin").write_bytes(os.urandom(5 * BLOCK + 17) + b"policy " * 30000)
    for index in range(12):
        (src / "docs" / ("note %02d.txt" % index)).write_text("note %d\n" % index * (index + 1))
    (src / "docs" / "deep" / "ünïcode name.txt").write_text("text comes back exactly as sent")
    (src / "zero.bin").write_bytes(b"")
    work = tmp_path / "work"
    work.mkdir()
    env = {"CTERA_PORTAL_URL": portal["url"] + "/ServicesPortal", "CTERA_PORTAL_USERNAME": "filer",
           "CTERA_PORTAL_PASSWORD": "Tenant1!pw", "CTERA_CA_PATH": portal["ca_path"]}
    run = run_playbook(playbook_path("ctera_file.yml"), env=env, extra_vars={
        "src": str(src), "work": str(work), "key_id": file_sims.key.accessKey, "key_secret": file_sims.key.secretKey,
        "admin_url": portal["url"], "admin_user": portal["username"], "admin_password": portal["password"]})
    assert run.failed() == 0, run.stdout[-3000:]  # the one failure expected is ignored
    source = _tree(str(src))

    check = run.result("Upload tree (check)")
    assert check["changed"] is True and check["transfer"]["files_moved"] == len(source)
    assert check["transfer"]["bytes_moved"] == sum(p.stat().st_size for p in src.rglob("*") if p.is_file())
    upload = run.result("Upload tree")
    assert upload["changed"] is True and upload["transfer"]["files"] == sorted(source), upload
    assert upload["transfer"]["throughput_mb_s"] > 0
    for name in ("Upload tree again", "Upload tree again by checksum", "Download tree again",
                 "Download tree again by checksum"):
        assert run.result(name)["changed"] is False, name
        assert run.result(name)["transfer"]["files_moved"] == 0, name

    # The cloud, through the simulator's state: every file whole, with the same content, the empty folder made.
    record = file_sims.state(portal)["tenants"]["acme"]
    uid = next(u for u, d in record["cloud_drives"].items() if d["name"] == "My Files")
    stored = record["cloud_files"][uid]
    for rel, digest in source.items():
        assert stored["seed/" + rel]["sha256"] == digest, rel
    assert stored["seed/empty"]["dir"] is True and stored["seed/docs/deep"]["dir"] is True
    assert len(stored["seed/big.bin"]["blocks"]) > 5

    # Downloads: the same bytes, Direct IO for the tree (blocks from the object store), WebDAV without keys.
    assert _tree(str(work / "down")) == source
    assert os.path.isdir(str(work / "down" / "empty"))
    assert _sha(str(work / "webdav.bin")) == source["big.bin"]
    assert _sha(str(work / "admin.bin")) == source["big.bin"]
    store = file_sims.sim_call({"url": portal["object_store_url"], "ca_path": portal["ca_path"]}, "/_sim/stats")
    assert store["total_requests"] >= len(stored["seed/big.bin"]["blocks"])

    assert [r["changed"] for r in run.result("Folder")["results"]] == [True, False]
    assert stored["archive/2024"]["dir"] is True
    assert [r["changed"] for r in run.result("Delete")["results"]] == [True, False]
    assert "big-copy.bin" not in stored

    # Every block dropped: the task fails naming the block, and nothing is left at the destination.
    failed = run.result("Download with failing blocks")
    assert "block 1 failed 3 times" in failed["msg"] and not failed.get("transfer"), failed
    assert not [p for p in os.listdir(str(work)) if p.startswith("failed") or p.endswith(".part")]
    # The upload's connection dropped 200,000 bytes into the body: the task fails, the portal kept nothing (no
    # file, no block on the object store's disk that no file holds), and the same upload afterwards goes through.
    cut_task = [t for t in run.tasks if t["task"] == "Upload cut short"][-1]
    cut = cut_task["result"]
    assert cut_task["status"] == "failed" and not cut.get("changed"), cut_task
    assert cut["msg"].startswith("upload 'My Files/cut.bin' failed, the portal kept nothing") and \
        "Connection failure" in cut["msg"], cut["msg"]
    after_cut = run.result("Files after the cut")["ansible_facts"]["files_after_cut"]
    assert "cut.bin" not in after_cut and "seed/big.bin" in after_cut, after_cut
    hits = file_sims.sim_call(portal, "/_sim/stats")["faults_injected"]
    assert hits.get("drop", 0) >= 1
    assert run.result("Upload after the drop")["changed"] is True and stored["cut.bin"]["sha256"] == source["big.bin"]
    held = {block[0] for entry in stored.values() if not entry.get("dir") for block in entry["blocks"]}
    on_disk = set()
    for top, _dirs, names in os.walk(file_sims.state_dir):
        if os.path.basename(top) == "portal-blocks":
            on_disk.update(n for n in names if n != "missing")
    assert on_disk == held, sorted(on_disk ^ held)[:5]
    reliability_record("fault", "connection dropped mid-upload (200 kB into the body)", "ctera_file", "converged",
                       lost=0, duplicates=len(on_disk - held), detail=cut["msg"])

    # The secret never shows.
    leaks = run.output().count(file_sims.key.secretKey)
    assert leaks == 0
    reliability_record("secrets", "S3 secret access key of Direct IO downloads", "ctera_file", "ok", secrets=leaks,
                       detail="the key as given, in the whole ansible-playbook output")
