# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloud sync, cloud backup and portal status of an Edge Filer (module_utils/_edge_status.py) against a scripted
filer: the views edge_sync, edge_backup and edge_info return, the wait for a sync status, and configuring backup
(attach, encrypted attach, create, the race with another run) with the requests on the wire and the passphrase
taught to the redactor."""

import pytest

from edge_scripted_filer import Answers, ScriptedFiler
from ansible_collections.filefleet.office.plugins.module_utils import _edge_status as status
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, WaitTimeout


# -- readers --------------------------------------------------------------------------------------------------------

def test_readers_read_their_paths():
    filer = ScriptedFiler({"config/cloudsync/mode": "enabled", "proc/cloudsync/serviceStatus": {"id": "Synced"},
                           "status/services/CTERAPortal/connectionState": "Connected",
                           "proc/backup/backupStatus": {"status": "Idle"}})
    assert status.read_sync_mode(filer) == "enabled"
    assert status.read_sync_status(filer) == {"id": "Synced"}
    assert status.read_portal_connection(filer) == "Connected"
    assert status.read_backup_status(filer) == {"status": "Idle"}
    filer = ScriptedFiler({"config/cloudsync/mode": True, "proc/cloudsync/serviceStatus": None,
                           "status/services/CTERAPortal/connectionState": None, "proc/backup/backupStatus": ""})
    assert status.read_sync_mode(filer) == "true"
    assert status.read_sync_status(filer) == {}
    assert status.read_portal_connection(filer) is None
    assert status.read_backup_status(filer) == {}


@pytest.mark.parametrize("reader,path,what", [
    (status.read_sync_mode, "config/cloudsync/mode", "read the cloud sync mode"),
    (status.read_sync_status, "proc/cloudsync/serviceStatus", "read the cloud sync status"),
    (status.read_portal_connection, "status/services/CTERAPortal/connectionState", "read the portal connection state"),
    (status.read_backup_status, "proc/backup/backupStatus", "read the backup status"),
    (status.read_portal_status, "status/services", "read the portal connection status"),
    (status.read_device, "status/device", "read the device status"),
])
def test_read_errors_name_what_was_read(reader, path, what):
    filer = ScriptedFiler({path: {}})
    filer.failing.add(path)
    with pytest.raises(ApiError) as caught:
        reader(filer)
    assert caught.value.message == what + " failed: HTTP 500"


def test_the_sync_view():
    full = {"id": "Syncing", "message": "3 files left", "uploadingFiles": 2, "downloadingFiles": 1,
            "filesInUploadQueue": 5, "filesInDownloadQueue": 4, "lastSuccessfulScan": "2026-01-02T03:04:05"}
    assert status.sync_view("enabled", full, "Connected") == {
        "state": "enabled", "status": "Syncing", "message": "3 files left", "uploading_files": 2, "downloading_files": 1,
        "files_in_upload_queue": 5, "files_in_download_queue": 4, "last_successful_scan": "2026-01-02T03:04:05",
        "portal_connection": "Connected"}
    assert status.sync_view("disabled", {"id": "Off", "message": "", "lastSuccessfulScan": ""}) == {
        "state": "disabled", "status": "Off", "message": None, "uploading_files": None, "downloading_files": None,
        "files_in_upload_queue": None, "files_in_download_queue": None, "last_successful_scan": None}
    assert status.sync_view(None, "garbage")["status"] is None
    assert status.sync_view("enabled", {}, "")["portal_connection"] == ""


# -- backup ---------------------------------------------------------------------------------------------------------

ATTACHED = {"serviceStatus": {"id": "Attached"}}


def test_the_backup_view():
    filer_status = dict(ATTACHED, status="Running", progress=42, encryptionMode="SecretKeyEncryption",
                        lastSuccessfulBackupTime="2026-02-02T00:00:00",
                        backupHistory={"lastSuccessfulSync": "2026-01-01T00:00:00"})
    assert status.backup_view(filer_status) == {
        "configured": True, "state": "enabled", "status": "Attached", "run": "Running", "progress": 42,
        "encryption_mode": "SecretKeyEncryption", "last_successful_backup": "2026-02-02T00:00:00"}
    info = status.backup_info(filer_status)
    assert info["running"] is True and info["suspended"] is False
    assert status.backup_view({"serviceStatus": "Attached", "status": "", "encryptionMode": "",
                               "backupHistory": "x"}) == {
        "configured": False, "state": "not_configured", "status": None, "run": None, "progress": None,
        "encryption_mode": None, "last_successful_backup": None}


def test_a_backup_not_configured_is_not_running():
    info = status.backup_info({"serviceStatus": {"id": "NotInitialized"}, "running": True, "status": "Running"})
    assert info["running"] is False and info["state"] == "not_configured"


@pytest.mark.parametrize("extra,running,suspended", [
    ({"running": False, "status": "Running"}, False, None),
    ({"running": True, "status": "Idle"}, True, None),
    ({"running": "true", "status": "Running"}, True, None),
    ({"suspended": False, "status": "Suspended"}, False, False),
    ({"suspended": "yes", "status": "Suspended"}, False, True),
    ({"status": "Idle"}, False, False),
])
def test_bools_win_over_the_run_text(extra, running, suspended):
    info = status.backup_info(dict(ATTACHED, **extra))
    assert info["running"] is running
    if suspended is not None:
        assert info["suspended"] is suspended


# -- the portal status ----------------------------------------------------------------------------------------------

def test_the_portal_status_of_a_connected_filer():
    answer = {"CTERAPortal": {"connectionState": "Connected", "establishedTime": "2026-01-01T00:00:00",
                              "lastDisconnectReason": "timeout",
                              "serverList": ["junk", {"name": ""}, {"name": "p1.example.com"}, {"name": "p2"}]},
              "serverName": "fallback.example.com", "userDisplayName": "svc-filer"}
    filer = ScriptedFiler({"status/services": answer})
    assert status.read_portal_status(filer) == {
        "connection": "Connected", "connected": True, "server": "p1.example.com", "user": "svc-filer",
        "connected_since": "2026-01-01T00:00:00", "last_disconnect_reason": "timeout"}


def test_the_portal_status_of_a_disconnected_filer():
    answer = {"CTERAPortal": {"connectionState": "Disconnected", "serverList": None, "establishedTime": "",
                              "lastDisconnectReason": ""},
              "serverName": "fallback.example.com", "userDisplayName": "svc-filer"}
    assert status.portal_status_view(answer) == {
        "connection": "Disconnected", "connected": False, "server": "fallback.example.com", "user": None,
        "connected_since": None, "last_disconnect_reason": None}
    assert status.portal_status_view(None) == {
        "connection": None, "connected": False, "server": None, "user": None, "connected_since": None,
        "last_disconnect_reason": None}
    assert status.portal_status_view({"CTERAPortal": {"connectionState": "Connected"}, "userDisplayName": ""})["user"] \
        is None


# -- the device -----------------------------------------------------------------------------------------------------

def test_the_device():
    filer = ScriptedFiler({"status/device": {"hostname": "filer-1", "model": "vGateway", "runningFirmware": "7.13.2"}})
    assert status.read_device(filer) == {"hostname": "filer-1", "model": "vGateway", "firmware": "7.13.2"}
    assert filer.sent() == [("GET", "status/device", None)]


def test_a_device_without_a_name_model_or_firmware():
    filer = ScriptedFiler({"status/device": {"hostname": "", "model": ""}, "config/device/hostname": "filer-2"},
                          firmware="7.9.1")
    assert status.read_device(filer) == {"hostname": "filer-2", "model": None, "firmware": "7.9.1"}
    assert filer.sent() == [("GET", "status/device", None), ("GET", "config/device/hostname", None)]
    filer = ScriptedFiler({"status/device": "junk"}, firmware=None)
    assert status.read_device(filer) == {"hostname": None, "model": None, "firmware": None}
    assert status.read_device(ScriptedFiler({}, firmware="")) == {"hostname": None, "model": None, "firmware": None}


def test_the_device_host_name_read_names_itself():
    filer = ScriptedFiler({"status/device": {}, "config/device/hostname": "x"})
    filer.failing.add("config/device/hostname")
    with pytest.raises(ApiError, match="^read the host name failed"):
        status.read_device(filer)


# -- waiting for sync -----------------------------------------------------------------------------------------------

def test_sync_not_connected_says_what_to_do():
    error = status.sync_not_connected(ScriptedFiler(), "Disconnected")
    assert error.message == ("cloud sync cannot run on https://filer.test: the filer is not connected to a CTERA "
                             "Portal (connection state Disconnected); connect it to a portal first")
    assert "(connection state unknown)" in status.sync_not_connected(ScriptedFiler(), None).message


def test_wait_for_sync_reads_until_a_target():
    filer = ScriptedFiler({"proc/cloudsync/serviceStatus": Answers({"id": "InitializingConnection"}, {"id": "Synced"})})
    assert status.wait_for_sync(filer, {"id": "NotInitialized"}, status.SYNC_RUNNING, 5, 0.001) == {"id": "Synced"}
    assert filer.sent() == [("GET", "proc/cloudsync/serviceStatus", None)] * 2


def test_wait_for_sync_returns_a_status_already_there():
    filer = ScriptedFiler()
    assert status.wait_for_sync(filer, {"id": "Off"}, ["Off"], 0, 0) == {"id": "Off"}
    assert filer.sent() == []


def test_wait_for_sync_on_a_disconnected_filer_says_so():
    with pytest.raises(ApiError, match=r"connection state Disconnected\); connect it to a portal first"):
        status.wait_for_sync(ScriptedFiler(), {"id": "DisconnectedPortal"}, ["Synced"], 5, 0.001,
                             connection="Disconnected")


@pytest.mark.parametrize("stuck", ["Unlicensed", "ServiceUnavailable", "VolumeUnavailable", "ShouldSupportWinNtAcl",
                                   "InternalError", "ClocksOutOfSync", "NoFolder"])
def test_wait_for_sync_fails_at_once_on_a_stuck_status(stuck):
    with pytest.raises(ApiError) as caught:
        status.wait_for_sync(ScriptedFiler(), {"id": stuck, "message": "help"}, ["Synced", "Syncing"], 5, 5)
    assert caught.value.message == "cloud sync on https://filer.test is %s (help) while waiting for Synced or Syncing" \
        % stuck
    with pytest.raises(ApiError, match=r"is %s \(no message\)" % stuck):
        status.wait_for_sync(ScriptedFiler(), {"id": stuck}, ["Synced"], 5, 5)


def test_wait_for_sync_gives_up_at_the_deadline():
    filer = ScriptedFiler({"proc/cloudsync/serviceStatus": {"id": "Scanning"}})
    with pytest.raises(WaitTimeout) as caught:
        status.wait_for_sync(filer, {"id": "ConnectingFolders"}, ["Synced", "Off"], 0.05, 0.01)
    assert caught.value.message == ("cloud sync on https://filer.test did not reach Synced or Off within 0.05 s; last "
                                    "status Scanning")
    assert 2 <= len(filer.sent()) <= 10


def test_wait_for_sync_sleeps_no_longer_than_the_deadline(monkeypatch):
    slept = []
    monkeypatch.setattr(status.time, "sleep", slept.append)
    filer = ScriptedFiler({"proc/cloudsync/serviceStatus": {"id": "Synced"}})
    status.wait_for_sync(filer, {"id": "Scanning"}, ["Synced"], 30, 2)
    assert slept == [2]
    slept.clear()
    status.wait_for_sync(ScriptedFiler({"proc/cloudsync/serviceStatus": {"id": "Synced"}}), {"id": "Scanning"},
                         ["Synced"], 0.5, 2)
    assert 0 < slept[0] <= 0.5


# -- configuring backup ---------------------------------------------------------------------------------------------

def done(**result):
    return {"id": 3, "status": "completed", "result": result}


def backup_filer(*results, settings=None, defaults=None, statuses=None):
    """A filer whose backup tasks (attachFolder, attachEncryptedFolder, createFolder) end with ``results`` in turn."""
    tree = {"proc/bgtasks/3": statuses or Answers(*[done(**r) for r in results])}
    if settings is not None:
        tree["config/backup"] = settings
    if defaults is not None:
        tree["defaults/BackupSettings"] = defaults
    names = ("attachFolder", "attachEncryptedFolder", "createFolder", "resume", "pause")
    return ScriptedFiler(tree, {name: "/proc/bgtasks/3" for name in names})


def methods(filer):
    return [(path, call) for _m, path, call in filer.sent("POST")]


def test_attaching_an_existing_plain_folder():
    filer = backup_filer({"attachFolderRC": "OK", "encryptionMode": "SecretKeyEncryption", "sharedSecret": "Folder-Key-Secret-1",
                          "passPhraseSalt": "salt"}, settings={"backupSet": "all", "encryptionMode": "None"})
    status.configure_backup(filer, "pass-Phrase-1")
    assert methods(filer) == [("status/services", ("attachFolder", None))]
    assert filer.tree["config/backup"] == {"backupSet": "all", "encryptionMode": "SecretKeyEncryption",
                                           "sharedSecret": "Folder-Key-Secret-1", "passPhraseSalt": "salt"}
    assert filer.sent("PUT") == [("PUT", "config/backup", filer.tree["config/backup"])]
    assert filer.http.redact("key Folder-Key-Secret-1") == "key ********"


def test_attaching_an_encrypted_folder_sends_the_passphrase_with_the_folder_key():
    filer = backup_filer({"attachFolderRC": "IsEncrypted", "encryptionMode": "SecretKeyEncryption",
                          "encryptedFolderKey": "EK", "passPhraseSalt": "S"},
                         {"attachFolderRC": "OK", "sharedSecret": "K2", "passPhraseSalt": "S"},
                         settings={"encryptionMode": "None"})
    status.configure_backup(filer, "pass-Phrase-1")
    assert methods(filer) == [
        ("status/services", ("attachFolder", None)),
        ("status/services", ("attachEncryptedFolder",
                             {"encryptedFolderKey": "EK", "passPhraseSalt": "S", "sharedSecret": "pass-Phrase-1"}))]
    assert filer.tree["config/backup"] == {"encryptionMode": "SecretKeyEncryption", "sharedSecret": "K2",
                                           "passPhraseSalt": "S"}


def test_no_folder_is_created_encrypted_with_the_passphrase():
    filer = backup_filer({"attachFolderRC": "NotFound"}, {"createFolderRC": "OK", "sharedSecret": "K3"},
                         settings={}, defaults={"backupSet": "default", "encryptionMode": "None"})
    status.configure_backup(filer, "pass-Phrase-1")
    assert methods(filer) == [
        ("status/services", ("attachFolder", None)),
        ("status/services", ("createFolder", {"encryptionMode": "SecretKeyEncryption", "sharedSecret": "pass-Phrase-1"}))]
    # no stored settings yet: the filer's defaults are the base
    assert filer.tree["config/backup"] == {"backupSet": "default", "encryptionMode": "SecretKeyEncryption",
                                           "sharedSecret": "K3", "passPhraseSalt": None}


def test_the_default_settings_are_read_when_none_are_stored():
    filer = backup_filer({"attachFolderRC": "OK", "sharedSecret": "K4"}, defaults={"encryptionMode": "Plain"})
    status.configure_backup(filer, "pass-Phrase-1")
    assert [p for m, p, _b in filer.sent("GET") if not p.startswith("proc/")] == ["config/backup",
                                                                                  "defaults/BackupSettings"]
    assert filer.tree["config/backup"]["encryptionMode"] == "Plain"
    filer = backup_filer({"attachFolderRC": "OK", "encryptionMode": "", "sharedSecret": "K4"},
                         settings={"encryptionMode": "Stored"})
    status.configure_backup(filer, "pass-Phrase-1")
    assert filer.tree["config/backup"]["encryptionMode"] == "Stored"


def test_configuring_backup_names_its_reads_and_write():
    filer = backup_filer({"attachFolderRC": "OK"}, settings={}, defaults={})
    filer.failing.add("defaults/BackupSettings")
    with pytest.raises(ApiError, match="^read the default backup settings failed"):
        status.configure_backup(filer, "p")
    filer = backup_filer({"attachFolderRC": "OK"}, settings={"a": 1})
    filer.failing.add("config/backup")
    with pytest.raises(ApiError, match="^read the backup settings failed"):
        status.configure_backup(filer, "p")
    filer = backup_filer({"attachFolderRC": "OK"}, settings={"a": 1})
    filer.put = lambda path, value, what=None: pytest.fail(what) if what != "store the backup settings" else None
    status.configure_backup(filer, "p")


def test_a_folder_created_by_another_run_meanwhile_is_attached_once():
    filer = backup_filer({"attachFolderRC": "NotFound"}, {"createFolderRC": "FolderAlreadyExists"},
                         {"attachFolderRC": "OK", "sharedSecret": "K5"}, settings={})
    filer.tree["defaults/BackupSettings"] = {}
    status.configure_backup(filer, "pass-Phrase-1")
    assert [call[0] for _p, call in methods(filer)] == ["attachFolder", "createFolder", "attachFolder"]
    filer = backup_filer({"attachFolderRC": "NotFound"}, {"createFolderRC": "FolderAlreadyExists"},
                         {"attachFolderRC": "NotFound"}, {"createFolderRC": "FolderAlreadyExists"}, settings={})
    with pytest.raises(ApiError, match=r"could not be configured \(result FolderAlreadyExists\)"):
        status.configure_backup(filer, "pass-Phrase-1")
    assert [call[0] for _p, call in methods(filer)] == ["attachFolder", "createFolder", "attachFolder", "createFolder"]


def test_a_wrong_passphrase_says_so():
    filer = backup_filer({"attachFolderRC": "IsEncrypted"}, {"attachFolderRC": "CheckCodeInCorrect"})
    with pytest.raises(ApiError) as caught:
        status.configure_backup(filer, "pass-Phrase-1")
    assert caught.value.message == ("cloud backup on https://filer.test: the passphrase does not open the existing "
                                    "encrypted backup folder")
    assert filer.sent("PUT") == []
    filer = backup_filer({"attachFolderRC": "NotFound"}, {"createFolderRC": "CheckCodeInCorrect"})
    with pytest.raises(ApiError, match="the passphrase does not open"):
        status.configure_backup(filer, "pass-Phrase-1")


@pytest.mark.parametrize("results,rc", [([{"attachFolderRC": "Refused"}], "Refused"),
                                        ([{"attachFolderRC": "NotFound"}, {"createFolderRC": "NoSpace"}], "NoSpace"),
                                        ([{}], "None")])
def test_other_results_are_errors_naming_the_result(results, rc):
    filer = backup_filer(*results)
    with pytest.raises(ApiError) as caught:
        status.configure_backup(filer, "pass-Phrase-1")
    assert caught.value.message == "cloud backup on https://filer.test could not be configured (result %s)" % rc
    assert filer.sent("PUT") == []


def test_backup_tasks_are_named_and_their_warnings_reported():
    warnings = []
    filer = backup_filer(statuses=Answers(
        {"status": "completed with warnings", "message": "slow", "result": {"attachFolderRC": "OK"}}), settings={})
    filer.tree["defaults/BackupSettings"] = {}
    status.configure_backup(filer, "p", warn=warnings.append)
    assert warnings == ["cloud backup: attachFolder on https://filer.test completed with warnings: slow"]
    filer = backup_filer(statuses=Answers({"status": "failed", "result": None}))
    with pytest.raises(ApiError) as caught:
        status.configure_backup(filer, "p")
    assert caught.value.message == "cloud backup: attachFolder ended with status 'failed' on https://filer.test"
    filer = backup_filer(statuses=Answers({"status": "completed", "result": None}))
    with pytest.raises(ApiError, match=r"\(result None\)"):
        status.configure_backup(filer, "p")
    filer = backup_filer({"attachFolderRC": "OK"})
    filer.failing.add("status/services")
    with pytest.raises(ApiError, match="^cloud backup: attachFolder failed"):
        status.configure_backup(filer, "p")
    filer = backup_filer({"attachFolderRC": "OK"})
    filer.failing.add("proc/bgtasks/3")
    with pytest.raises(ApiError, match=r"^cloud backup: attachFolder \(read task /proc/bgtasks/3\) failed"):
        status.configure_backup(filer, "p")


def test_a_task_message_prefers_the_progress_text():
    assert status.task_message({"progstring": "p", "message": "m"}) == ": p"
    assert status.task_message({"progstring": "", "message": "m"}) == ": m"
    assert status.task_message({}) == ""


@pytest.mark.parametrize("running,action", [(True, "resume"), (False, "pause")])
def test_pausing_and_resuming(running, action):
    filer = backup_filer()
    status.set_backup_running(filer, running)
    assert filer.sent() == [("POST", "status/sync", (action, None))]
    filer.failing.add("status/sync")
    with pytest.raises(ApiError, match="^%s cloud backup failed" % action):
        status.set_backup_running(filer, running)


def warned(*tasks):
    """configure_backup over tasks ending as given (status, result) in turn; returns (filer, warnings)."""
    warnings = []
    filer = backup_filer(statuses=Answers(*[{"status": s, "progstring": "slow", "result": r} for s, r in tasks]),
                         settings={"encryptionMode": "None"})
    status.configure_backup(filer, "pass-Phrase-1", warn=warnings.append)
    return filer, warnings


def test_every_backup_task_reports_its_warnings():
    warnings = warned(("completed", {"attachFolderRC": "IsEncrypted"}),
                      ("completed with warnings", {"attachFolderRC": "OK"}))[1]
    assert warnings == ["cloud backup: attachEncryptedFolder on https://filer.test completed with warnings: slow"]
    warnings = warned(("completed", {"attachFolderRC": "NotFound"}),
                      ("completed with warnings", {"createFolderRC": "OK"}))[1]
    assert warnings == ["cloud backup: createFolder on https://filer.test completed with warnings: slow"]
    warnings = warned(("completed", {"attachFolderRC": "NotFound"}), ("completed", {"createFolderRC": "FolderAlreadyExists"}),
                      ("completed with warnings", {"attachFolderRC": "OK"}))[1]
    assert warnings == ["cloud backup: attachFolder on https://filer.test completed with warnings: slow"]


def test_a_task_that_completed_cleanly_warns_nothing():
    assert warned(("completed", {"attachFolderRC": "OK"}))[1] == []


def test_the_second_attach_after_the_race_uses_the_passphrase():
    filer = warned(("completed", {"attachFolderRC": "NotFound"}), ("completed", {"createFolderRC": "FolderAlreadyExists"}),
                   ("completed", {"attachFolderRC": "IsEncrypted", "encryptedFolderKey": "EK", "passPhraseSalt": "S"}),
                   ("completed", {"attachFolderRC": "OK"}))[0]
    assert methods(filer)[-1] == ("status/services", ("attachEncryptedFolder", {
        "encryptedFolderKey": "EK", "passPhraseSalt": "S", "sharedSecret": "pass-Phrase-1"}))


def test_an_encrypted_attach_that_finds_no_folder_creates_one():
    filer = warned(("completed", {"attachFolderRC": "IsEncrypted"}), ("completed", {"attachFolderRC": "NotFound"}),
                   ("completed", {"createFolderRC": "OK"}))[0]
    assert [call[0] for _p, call in methods(filer)] == ["attachFolder", "attachEncryptedFolder", "createFolder"]


def test_the_encryption_mode_of_an_encrypted_attach_is_stored():
    filer = warned(("completed", {"attachFolderRC": "IsEncrypted"}),
                   ("completed", {"attachFolderRC": "OK", "encryptionMode": "SecretKeyEncryption"}))[0]
    assert filer.tree["config/backup"]["encryptionMode"] == "SecretKeyEncryption"


class Clock:
    """Stands in for the module's ``time``: ``sleep`` moves the clock on."""

    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_wait_that_reaches_its_deadline_reads_no_more(monkeypatch):
    monkeypatch.setattr(status, "time", Clock())
    filer = ScriptedFiler({"proc/cloudsync/serviceStatus": {"id": "Synced"}})
    with pytest.raises(WaitTimeout, match="within 0 s; last status Scanning"):
        status.wait_for_sync(filer, {"id": "Scanning"}, ["Synced"], 0, 1)
    assert filer.sent() == []
