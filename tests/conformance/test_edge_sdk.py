# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official CTERA SDK (cterasdk 2.20.50), unchanged, against the Edge Filer simulator over TLS.

Every behaviour is checked twice: through what the SDK returns and through the simulator's own state
(``GET /_sim/state``), which the SDK cannot see.

Filers: edge-001, edge-002, edge-003 run firmware 7.12.5600.3 (SDK ``SharesV7``), edge-004 runs 7.11.1000.1
(``SharesV1``). Each test that changes a filer resets it first.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse

import pytest

from simulators.harness import Simulators

cterasdk = pytest.importorskip("cterasdk")

# pylint: disable=wrong-import-position,wrong-import-order
import aiohttp.connector  # noqa: E402
from cterasdk import Edge  # noqa: E402
from cterasdk.edge.config import Config  # noqa: E402
from cterasdk.edge.types import NFSv3AccessControlEntry, ShareAccessControlEntry  # noqa: E402
from cterasdk.exceptions import CTERAException, InputError  # noqa: E402
from cterasdk.exceptions.auth import AuthenticationError  # noqa: E402
from cterasdk.exceptions.backup import IncorrectPassphrase  # noqa: E402
from cterasdk.exceptions.transport import HTTPError, Unauthorized  # noqa: E402

V7, V1 = 0, 3  # indexes of the filers by firmware shape
TEAM = "Team Docs & Co"


def _trust(running):
    """Trust the CA of a simulator run (certificate and host name checks stay on).

    cterasdk only takes a bool for connector.ssl (its pydantic settings reject an SSLContext), and with
    ssl=True aiohttp uses its verified default context, built when aiohttp is imported (so setting
    SSL_CERT_FILE now comes too late). The CA is added to that context.
    """
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
        cafile=running.info["edges"][0]["ca_path"])
    return running


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("edge-sdk")), edges=4) as running:
        yield _trust(running)


def _connect(entry):
    url = urllib.parse.urlsplit(entry["url"])
    assert url.scheme == "https"
    return Edge(url.hostname, url.port)


@pytest.fixture
def filer(sims):
    """Log in to a freshly reset filer: ``filer(index)`` -> (edge, entry)."""
    opened = []

    def _open(index):
        entry = sims.info["edges"][index]
        sims.reset(entry)
        edge = _connect(entry)
        edge.login(entry["username"], entry["password"])
        opened.append(edge)
        return edge, entry

    yield _open
    for edge in opened:
        try:
            edge.logout()
        except Exception:  # pylint: disable=broad-except
            pass  # a test may already have logged out or expired the session


def _shares_in_state(sims, entry):
    return {share["name"]: share for share in sims.state(entry)["config"]["fileservices"]["share"]}


def _wait_for(predicate, timeout=6.0, step=0.1):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() > deadline:
            return value
        time.sleep(step)


# -- session --------------------------------------------------------------------------------------------------

def test_login_logout_and_bad_login(sims):
    entry = sims.info["edges"][1]
    sims.reset(entry)
    edge = _connect(entry)
    edge.login(entry["username"], entry["password"])
    assert edge.session().account.name == "admin"
    assert str(edge.session().software_version) == "7.12.5600.3"
    assert edge.api.get("/status/device/runningFirmware") == "7.12.5600.3"
    assert edge.config.get_hostname() == entry["name"]
    stats = sims.stats(entry)
    assert stats["logins"] == 1
    assert stats["active_sessions"] == 1
    assert stats["requests"]["GET /migration/rest/v1/auth/user"] == 1

    edge.logout()
    assert sims.stats(entry)["active_sessions"] == 0

    bad = _connect(entry)
    with pytest.raises(AuthenticationError):
        bad.login(entry["username"], entry["password"] + "x")
    stats = sims.stats(entry)
    assert stats["failed_logins"] == 1
    assert stats["logins"] == 1


def test_expired_session_is_refused(sims, filer):
    edge, entry = filer(1)
    assert edge.sync.is_enabled()
    sims.faults(entry, {"expire_sessions": True})
    assert sims.stats(entry)["active_sessions"] == 0
    with pytest.raises(Unauthorized):
        edge.sync.is_enabled()
    edge.login(entry["username"], entry["password"])
    assert edge.sync.is_enabled()


def test_idle_session_expires(tmp_path):
    with Simulators(str(tmp_path), edges=1, extra_args=["--session-timeout", "1"]) as running:
        entry = _trust(running).info["edges"][0]
        edge = _connect(entry)
        edge.login(entry["username"], entry["password"])
        time.sleep(0.6)
        assert edge.sync.is_enabled()  # activity keeps the session alive
        time.sleep(0.6)
        assert edge.sync.is_enabled()
        time.sleep(1.3)
        with pytest.raises(Unauthorized) as expired:
            edge.sync.is_enabled()
        assert expired.value.reason == "Session expired"
        assert running.stats(entry)["active_sessions"] == 0


def test_restart_keeps_objects_and_credentials(tmp_path):
    with Simulators(str(tmp_path), edges=2) as first:
        entry = _trust(first).info["edges"][1]
        edge = _connect(entry)
        edge.login(entry["username"], entry["password"])
        edge.shares.add(TEAM, "local/archive", comment="kept")
        edge.sync.suspend(wait=False)
    with Simulators(str(tmp_path), edges=2) as second:
        again = second.info["edges"][1]
        assert again["password"] == entry["password"]
        edge = _connect(again)
        edge.login(again["username"], again["password"])
        assert edge.shares.get(TEAM).comment == "kept"
        assert edge.sync.is_disabled()
        assert edge.sync.get_status().id == "Off"


def test_firmware_selects_share_shape(filer):
    v7, _v7_entry = filer(V7)
    v1, _v1_entry = filer(V1)
    assert type(v7.shares).__name__ == "SharesV7"
    assert type(v1.shares).__name__ == "SharesV1"


# -- shares ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [V7, V1], ids=["v7", "v1"])
def test_share_add_get_modify_delete(sims, filer, index):
    edge, entry = filer(index)
    acl = [ShareAccessControlEntry("LocalUser", "admin", "ReadWrite"),
           ShareAccessControlEntry("DomainGroup", "CORP\\Domain Users", "ReadOnly")]
    nfs = [NFSv3AccessControlEntry("10.0.0.0", "255.255.255.0", "ReadWrite", insecure=True)]
    edge.shares.add(TEAM, "cloud/departments/sales", acl=acl, csc="documents", comment="team docs",
                    export_to_nfs=True, trusted_nfs_clients=nfs)

    got = edge.shares.get(TEAM)
    assert got.name == TEAM
    # The SDK sends the directory without a leading "/"; the filer answers it with one (as ctera.ctera reads it).
    assert (got.volume, got.directory) == ("cloud", "/departments/sales")
    assert _shares_in_state(sims, entry)[TEAM]["directory"] == "departments/sales"
    assert edge.api.get("/config/fileservices/share/%s/directory" % TEAM) == "/departments/sales"
    assert got.clientSideCaching == "documents"
    assert got.exportToNFS is True
    assert sorted(ShareAccessControlEntry.from_server_object(a).name for a in got.acl) == ["CORP\\Domain Users", "admin"]
    assert [c.address for c in edge.shares.get_trusted_nfs_clients(TEAM)] == ["10.0.0.0"]
    assert TEAM in [share.name for share in edge.shares.get()]

    stored = _shares_in_state(sims, entry)[TEAM]
    assert stored["_classname"] == "ShareConfig"
    assert stored["_uuid"] == got._uuid  # pylint: disable=protected-access
    assert stored["comment"] == "team docs"
    assert [(a["principal2"]["_classname"], a["permissions"]["allowedFileAccess"]) for a in stored["acl"]] == [
        ("LocalUser", "ReadWrite"), ("DomainGroup", "ReadOnly")]
    assert stored["acl"][0]["principal2"]["ref"] == "#config#auth#users#admin"
    assert stored["trustedNFSClients"] == [{"address": "10.0.0.0", "netmask": "255.255.255.0",
                                            "accessLevel": "ReadWrite", "noRootSquash": False, "insecure": True}]
    if index == V1:
        assert (stored["dirPermissions"], stored["exportToPCAgent"], stored["exportToRSync"]) == (777, False, False)
    else:
        assert not {"dirPermissions", "exportToPCAgent", "exportToRSync"} & set(stored)

    edge.shares.modify(TEAM, comment="changed", acl=[ShareAccessControlEntry("LocalGroup", "Everyone", "ReadOnly")],
                       trusted_nfs_clients=[NFSv3AccessControlEntry("192.168.1.7", "255.255.255.255", "ReadOnly")])
    edge.shares.add_acl(TEAM, [ShareAccessControlEntry("DomainUser", "CORP\\alice", "ReadWrite")])
    edge.shares.set_screened_file_types(TEAM, ["exe", "bat"])
    stored_after = _shares_in_state(sims, entry)[TEAM]
    assert stored_after["_uuid"] == stored["_uuid"]
    assert stored_after["directory"] == "departments/sales"  # the modify PUT sent back "/departments/sales"
    assert stored_after["comment"] == "changed"
    assert sorted((a["principal2"]["_classname"], a["permissions"]["allowedFileAccess"])
                  for a in stored_after["acl"]) == [("DomainUser", "ReadWrite"), ("LocalGroup", "ReadOnly")]
    assert [(c["address"], c["accessLevel"]) for c in stored_after["trustedNFSClients"]] == [("192.168.1.7", "ReadOnly")]
    assert stored_after["screenedFileTypes"] == ["exe", "bat"]
    assert edge.shares.get_screened_file_types(TEAM) == ["exe", "bat"]
    if index == V1:
        edge.shares.modify(TEAM, dir_permissions=755, export_to_rsync=True)
        stored_v1 = _shares_in_state(sims, entry)[TEAM]
        assert (stored_v1["dirPermissions"], stored_v1["exportToRSync"]) == (755, True)

    edge.shares.delete(TEAM)
    assert TEAM not in _shares_in_state(sims, entry)
    with pytest.raises(HTTPError) as missing:
        edge.shares.get(TEAM)
    assert missing.value.code == 404


def test_share_validation_errors(sims, filer):
    edge, entry = filer(V7)
    before = _shares_in_state(sims, entry)

    with pytest.raises(CTERAException) as duplicate:
        edge.shares.add("CLOUD", "cloud/projects")
    assert duplicate.value.__cause__.code == 409
    assert duplicate.value.__cause__.reason == "Share already exists: cloud"

    with pytest.raises(InputError):  # the SDK validates the volume with listPhysicalFolders first
        edge.shares.add("x", "nosuchvolume/projects")

    with pytest.raises(CTERAException) as no_dir:
        edge.shares.add("x", "cloud/no/such/dir")
    assert no_dir.value.__cause__.code == 400
    assert no_dir.value.__cause__.reason == "Directory does not exist: cloud/no/such/dir"

    with pytest.raises(CTERAException) as bad_enum:
        edge.shares.add("x", "cloud/projects", csc="sometimes")
    assert "clientSideCaching" in bad_enum.value.__cause__.reason

    with pytest.raises(CTERAException) as bad_name:
        edge.shares.add("a:b", "cloud/projects")
    assert "Invalid share name" in bad_name.value.__cause__.reason

    with pytest.raises(CTERAException) as no_user:
        edge.shares.add("x", "cloud/projects", acl=[ShareAccessControlEntry("LocalUser", "nobody", "ReadOnly")])
    assert no_user.value.__cause__.reason == "Local user does not exist: nobody"

    with pytest.raises(CTERAException) as v1_attr:  # a V7 filer does not know the V1-only attributes
        edge.api.add("/config/fileservices/share", _share_param("x", dirPermissions=777))
    assert "dirPermissions" in v1_attr.value.reason

    assert _shares_in_state(sims, entry) == before

    edge.shares.add("auth only", "local/scratch", access="authenticated")
    with pytest.raises(CTERAException):  # refused by the SDK itself
        edge.shares.set_screened_file_types("auth only", ["exe"])
    with pytest.raises(HTTPError) as screened:  # and by the filer when sent anyway
        edge.api.put("/config/fileservices/share/auth only/screenedFileTypes", ["exe"])
    assert screened.value.code == 400
    assert _shares_in_state(sims, entry)["auth only"]["screenedFileTypes"] == []


def _share_param(name, **extra):
    from cterasdk.common import Object  # pylint: disable=import-outside-toplevel
    param = Object()
    param.name = name
    param.volume = "cloud"
    param.directory = "projects"
    for key, value in extra.items():
        setattr(param, key, value)
    return param


# -- cloud sync -----------------------------------------------------------------------------------------------

def test_sync_suspend_and_unsuspend(sims, filer):
    edge, entry = filer(1)
    edge.sync.suspend()  # waits until the filer reports Off
    assert edge.sync.get_status().id == "Off"
    assert edge.sync.is_disabled()
    assert sims.state(entry)["config"]["cloudsync"]["mode"] == "disabled"

    edge.sync.unsuspend()  # returns once the filer reports Syncing or Synced
    assert edge.sync.get_status().id in ("Syncing", "Synced")
    assert _wait_for(lambda: edge.sync.get_status().id == "Synced")
    assert edge.sync.is_enabled()
    assert sims.state(entry)["config"]["cloudsync"]["mode"] == "enabled"
    stats = sims.stats(entry)["requests"]
    assert stats["PUT /admingui/api/config/cloudsync/mode"] == 2
    assert stats["GET /admingui/api/proc/cloudsync/serviceStatus/id"] >= 2


def test_sync_without_portal_fails_with_disconnected_portal(sims, filer):
    edge, entry = filer(2)
    assert edge.services.get_status().connected is True
    edge.services.disconnect()
    assert edge.services.get_status().connected is False
    assert sims.state(entry)["portal"]["connected"] is False

    edge.sync.suspend()
    edge.api.put("/config/cloudsync/mode", "enabled")  # what unsuspend() sends; its tracker would retry 300 s
    seen = []
    assert _wait_for(lambda: seen.append(edge.sync.get_status().id) or seen[-1] == "DisconnectedPortal")
    assert "Synced" not in seen and "Syncing" not in seen
    assert edge.api.get("/proc/cloudsync/serviceStatus/id") == "DisconnectedPortal"

    edge.services.connect("portal.filefleet.test", "edge-admin", "portal-password")
    assert edge.services.get_status().connected is True
    state = sims.state(entry)
    assert state["portal"]["connected"] is True
    assert state["config"]["services"]["server"] == "portal.filefleet.test"
    assert state["config"]["device"]["activeLicenseType"] == "vGateway"
    assert "portal-password" not in json.dumps(state)
    assert _wait_for(lambda: edge.sync.get_status().id == "Synced")


def test_sim_control_of_portal_connection(sims, filer):
    edge, entry = filer(3)
    assert edge.sync.get_status().id == "Synced"
    sims.sim_call(entry, "/_sim/edge", "POST", {"portal_connected": False, "sync_phase_seconds": [0.2, 0.2, 0.2]})
    assert edge.services.connected() is False
    assert edge.sync.get_status().id == "InitializingConnection"  # the filer retries before giving up
    assert _wait_for(lambda: edge.sync.get_status().id == "DisconnectedPortal")
    sims.sim_call(entry, "/_sim/edge", "POST", {"portal_connected": True})
    assert edge.services.connected() is True
    assert _wait_for(lambda: edge.sync.get_status().id == "Synced")
    assert sims.state(entry)["sim"]["sync_phase_seconds"] == [0.2, 0.2, 0.2]


# -- backup ---------------------------------------------------------------------------------------------------

def test_backup_configure_and_control(sims, filer):
    edge, entry = filer(V1)
    passphrase = "correct horse battery staple"
    assert edge.backup.is_configured() is False
    assert sims.state(entry)["backup"]["attached"] is False

    edge.backup.configure(passphrase)
    assert edge.backup.is_configured() is True
    state = sims.state(entry)
    folder = state["backup"]["folder"]
    assert folder["encryptionMode"] == "SecretKeyEncryption"
    assert folder["passphraseCheck"] == hashlib.sha256(("%s:%s" % (folder["salt"], passphrase)).encode()).hexdigest()
    assert state["config"]["backup"]["encryptionMode"] == "SecretKeyEncryption"
    settings = edge.api.get("/config/backup")
    assert settings.sharedSecret is None
    assert passphrase not in json.dumps(state)
    assert passphrase not in str(settings)
    assert [task["result"]["sharedSecret"] for task in state["tasks"] if "sharedSecret" in task["result"]] == [None]

    edge.backup.start()
    status = edge.api.get("/proc/backup/backupStatus")
    assert (status.status, status.running) == ("Running", True)
    edge.backup.suspend()
    status = edge.api.get("/proc/backup/backupStatus")
    assert (status.status, status.suspended) == ("Suspended", True)
    edge.backup.unsuspend()
    assert edge.api.get("/proc/backup/backupStatus").status == "Running"
    assert _wait_for(lambda: edge.api.get("/proc/backup/backupStatus").lastSuccessfulBackupTime is not None)
    assert edge.api.get("/proc/backup/backupStatus").status == "Idle"

    # Configuring again attaches to the existing encrypted folder, which needs the same passphrase.
    with pytest.raises(IncorrectPassphrase):
        edge.backup.configure("wrong passphrase")
    edge.backup.configure(passphrase)
    assert edge.backup.is_configured() is True
    assert sims.state(entry)["backup"]["folder"]["id"] == folder["id"]


def test_backup_needs_a_portal_connection(sims, filer):
    edge, entry = filer(1)
    edge.services.disconnect()
    with pytest.raises(HTTPError) as refused:
        edge.backup.configure()
    assert refused.value.code == 500
    assert sims.state(entry)["backup"]["folder"] is None
    with pytest.raises(HTTPError):
        edge.backup.start()


# -- device ---------------------------------------------------------------------------------------------------

def test_config_export_reflects_shares_and_settings(sims, filer, tmp_path):
    edge, entry = filer(V7)
    edge.shares.add(TEAM, "cloud/projects", comment="exported")
    edge.sync.suspend(wait=False)
    path = edge.config.export(str(tmp_path))
    text = open(path, encoding="utf-8").read()
    assert text.lstrip().startswith("<?xml")
    database = Config.load_config(path)
    assert database.firmware == "7.12.5600.3"
    config = database.config
    assert config.device.hostname == entry["name"]
    assert config.cloudsync.mode == "disabled"
    shares = {share.name: share for share in config.fileservices.share}
    assert set(shares) == set(_shares_in_state(sims, entry)) == {"cloud", TEAM}
    assert shares[TEAM].comment == "exported"
    assert entry["password"] not in text


def test_power_and_tasks(sims, filer):
    edge, entry = filer(2)
    edge.power.reboot()
    assert edge.test().hostname == entry["name"]
    edge.backup.configure()  # runs two background tasks (attachFolder, createFolder)
    tasks = sims.state(entry)["tasks"]
    assert [task["name"] for task in tasks] == ["attachFolder", "createFolder"]
    done = edge.tasks.wait("/proc/bgtasks/%d" % tasks[-1]["id"])
    assert done.completed and done.result.createFolderRC == "OK"
    assert list(edge.tasks.running()) == []
    assert sims.stats(entry)["requests"]["POST /admingui/api/status/device"] == 1


# -- answers no vendor source pins down: each mode of the simulator, as the SDK reads it ---------------------------

def _sim(sims, entry, **plan):
    return sims.sim_call(entry, "/_sim/edge", "POST", plan)


@pytest.mark.parametrize("end,outcome", [
    ("completed", "completed"), ("completed with warnings", "completed_with_warnings"), ("failed", "failed"),
    ("stopped", None), ("disabled", None),
])
def test_tasks_end_in_each_state_the_sdk_knows(sims, filer, end, outcome):
    edge, entry = filer(1)
    _sim(sims, entry, task_end=end)
    ref = edge.api.execute("/status/services", "attachFolder")
    task = edge.tasks.wait(ref, timeout=5)  # returns at once: every one of these ends the SDK's wait
    assert task.status == end
    if outcome:
        assert getattr(task, outcome) is True
    if end in ("completed", "completed with warnings"):
        assert task.result.attachFolderRC == "NotFound"
    else:
        assert task.result is None
    assert [t["end"] for t in sims.state(entry)["tasks"]] == [end]


def test_backup_configures_through_tasks_that_complete_with_warnings(sims, filer):
    edge, entry = filer(1)
    _sim(sims, entry, task_end="completed with warnings")
    edge.backup.configure("a passphrase for warnings")  # the SDK uses the result of a task with warnings
    assert edge.backup.is_configured() is True
    state = sims.state(entry)
    assert [t["name"] for t in state["tasks"]] == ["attachFolder", "createFolder"]
    assert state["backup"]["attached"] is True


def test_a_failed_create_folder_task_creates_no_folder(sims, filer):
    edge, entry = filer(1)
    _sim(sims, entry, task_end="failed")
    ref = edge.api.execute("/status/services", "createFolder", _param(encryptionMode="SecretKeyEncryption",
                                                                      sharedSecret="a passphrase"))
    assert edge.tasks.wait(ref).failed
    assert sims.state(entry)["backup"]["folder"] is None


def _param(**fields):
    from cterasdk.common import Object  # pylint: disable=import-outside-toplevel
    param = Object()
    for key, value in fields.items():
        setattr(param, key, value)
    return param


@pytest.mark.parametrize("mode,kinds", [("path", [str, str]), ("integer", [int, int]), ("mixed", [int, str])])
def test_task_references_the_sdk_accepts(sims, filer, mode, kinds):
    edge, entry = filer(2)
    _sim(sims, entry, task_refs=mode)
    refs = [edge.api.execute("/status/services", "attachFolder"), edge.api.execute("/status/services", "attachFolder")]
    assert [type(ref) for ref in refs] == kinds
    for number, ref in enumerate(refs, start=1):
        assert edge.tasks.wait(ref).id == number  # polled at /proc/bgtasks/N whatever the form
    assert sims.stats(entry)["requests"]["GET /admingui/api/proc/bgtasks/1"] == 1
    assert sims.stats(entry)["requests"]["GET /admingui/api/proc/bgtasks/2"] == 1
    edge.backup.configure("a passphrase for %s references" % mode)
    assert edge.backup.is_configured() is True


def test_volumes_as_the_sdk_lists_them(sims, filer):
    edge, entry = filer(0)
    assert [volume.name for volume in edge.volumes.get()] == ["cloud", "local"]
    assert edge.volumes.get("local").fileSystemType == "xfs"
    _sim(sims, entry, volumes=["cloud", "local", "archive-2024"])
    names = [volume.name for volume in edge.volumes.get()]
    assert names == ["cloud", "local", "archive-2024"]
    # the SDK validates a share's volume against listPhysicalFolders and offers the same names
    with pytest.raises(InputError) as wrong:
        edge.shares.add("x", "nosuch/dir")
    assert sorted(wrong.value.options) == sorted(names)
    edge.shares.add("archive", "archive-2024")
    assert _shares_in_state(sims, entry)["archive"]["volume"] == "archive-2024"
    with pytest.raises(urllib.error.HTTPError) as refused:  # a volume that holds a share cannot go
        _sim(sims, entry, volumes=["cloud", "local"])
    assert refused.value.code == 400


@pytest.mark.parametrize("mode,fields", [
    ("extended", {"status", "suspended", "running", "progress", "lastSuccessfulBackupTime"}),
    ("status", {"status"}),
    ("vendor", set()),
])
def test_backup_status_in_each_mode(sims, filer, mode, fields):
    edge, entry = filer(1)
    _sim(sims, entry, backup_status=mode)
    edge.backup.configure("a passphrase for the status")
    edge.backup.suspend()
    status = edge.api.get("/proc/backup/backupStatus")
    assert status.serviceStatus.id == "Attached" and edge.backup.is_configured()
    assert status.backupHistory.lastSuccessfulSync is None and status.serviceStatus.desc
    invented = {"status", "suspended", "running", "progress", "lastSuccessfulBackupTime"}
    assert {key for key in invented if hasattr(status, key)} == fields
    if "status" in fields:
        assert status.status == "Suspended"
    edge.backup.unsuspend()
    assert sims.state(entry)["backup"]["controls"] == {"start": 0, "pause": 1, "resume": 1}
