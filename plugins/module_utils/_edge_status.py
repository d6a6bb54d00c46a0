# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading (and waiting for) the cloud sync, cloud backup and portal connection status of a CTERA Edge Filer.

Shared by edge_sync, edge_backup (which change these services) and edge_info (which only reads them), so the
three return the same shapes. Resources: docs/protocol-ctera.md#edge-filer-cloud-sync, #edge-filer-cloud-backup and
#edge-filer-device-status (as cterasdk's ``sync``, ``backup`` and
``services`` modules read them). Also here: waiting for a sync status and configuring cloud backup (which waits for
the filer's background tasks).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

from ansible_collections.filefleet.office.plugins.module_utils._edge import TASK_FAILED, TASK_WARNINGS, task_status
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, WaitTimeout

SYNC_MODE_PATH = "config/cloudsync/mode"
SYNC_STATUS_PATH = "proc/cloudsync/serviceStatus"
PORTAL_STATE_PATH = "status/services/CTERAPortal/connectionState"
BACKUP_STATUS_PATH = "proc/backup/backupStatus"
SYNC_STATUSES = ["Off", "NotInitialized", "InitializingConnection", "ConnectingFolders", "Connected", "ClocksOutOfSync",
                 "ConnectionFailed", "InternalError", "InvalidConfiguration", "VolumeUnavailable", "NoFolder",
                 "DisconnectedPortal", "ServiceUnavailable", "Unlicensed", "Synced", "Syncing", "Scanning",
                 "UpgradingDataBase", "OutOfQuota", "RejectedByPolicy", "FailedFilesInReadOnlyFolder",
                 "ShouldSupportWinNtAcl", "TakingSnapshot", "CatalogReadOnlyMode", "InvalidAverageBlockSize"]
# The statuses of a running sync service (what the SDK waits for after enabling sync).
SYNC_RUNNING = ["Synced", "Syncing", "Scanning", "UpgradingDataBase"]
# Conditions the SDK's tracker treats as failures: sync does not leave them without someone acting.
SYNC_STUCK = ("DisconnectedPortal", "Unlicensed", "ServiceUnavailable", "VolumeUnavailable", "ShouldSupportWinNtAcl",
              "InternalError", "ClocksOutOfSync", "NoFolder")


def read_sync_mode(session):
    return as_text(session.get(session.path(SYNC_MODE_PATH), what="read the cloud sync mode"))


def read_sync_status(session):
    return session.get(session.path(SYNC_STATUS_PATH), what="read the cloud sync status") or {}


def read_portal_connection(session):
    return as_text(session.get(session.path(PORTAL_STATE_PATH), what="read the portal connection state"))


def read_backup_status(session):
    return session.get(session.path(BACKUP_STATUS_PATH), what="read the backup status") or {}


def sync_view(mode, status, portal_connection=None):
    """Cloud sync as the modules return it: the mode (``enabled``/``disabled``) and the service status."""
    status = status if isinstance(status, dict) else {}
    view = {"state": as_text(mode), "status": as_text(status.get("id")), "message": as_text(status.get("message")) or None,
            "uploading_files": status.get("uploadingFiles"), "downloading_files": status.get("downloadingFiles"),
            "files_in_upload_queue": status.get("filesInUploadQueue"),
            "files_in_download_queue": status.get("filesInDownloadQueue"),
            "last_successful_scan": as_text(status.get("lastSuccessfulScan")) or None}
    if portal_connection is not None:
        view["portal_connection"] = portal_connection
    return view


def backup_suspended(status):
    """Whether backup is suspended: True or False when the status says so, None when it does not.

    No vendor source shows how a filer reports a paused backup (the SDK only sends ``pause``/``resume``). Read, in
    this order: a bool ``suspended``, else a ``status`` text (``Suspended`` or another run state) [inferred]."""
    if isinstance(status.get("suspended"), bool):
        return status["suspended"]
    run = as_text(status.get("status"))
    return run == "Suspended" if run else None


def backup_running(status):
    """Whether a backup runs now: True or False when the status says so, None when it does not [inferred]."""
    if isinstance(status.get("running"), bool):
        return status["running"]
    run = as_text(status.get("status"))
    return run == "Running" if run else None


def last_successful_backup(status):
    """``lastSuccessfulBackupTime`` [inferred], else ``backupHistory.lastSuccessfulSync`` (the name cterasdk's
    cli/export.py reads from the backup status a filer reports to its portal)."""
    history = status.get("backupHistory") if isinstance(status.get("backupHistory"), dict) else {}
    return as_text(status.get("lastSuccessfulBackupTime") or history.get("lastSuccessfulSync")) or None


def backup_view(status):
    """Cloud backup as the modules return it. The status never holds the passphrase or the key.

    ``configured`` is what cterasdk's ``backup.is_configured`` reads (``serviceStatus.id == "Attached"``). ``state``
    is ``not_configured``, ``enabled``, ``suspended``, or ``unknown`` when the filer does not say whether backup is
    suspended (``backup_suspended``)."""
    status = status if isinstance(status, dict) else {}
    service = status.get("serviceStatus") if isinstance(status.get("serviceStatus"), dict) else {}
    configured = as_text(service.get("id")) == "Attached"
    suspended = backup_suspended(status)
    state = "not_configured"
    if configured:
        state = "unknown" if suspended is None else ("suspended" if suspended else "enabled")
    return {"configured": configured, "state": state,
            "status": as_text(service.get("id")), "run": as_text(status.get("status")) or None,
            "progress": status.get("progress"), "encryption_mode": as_text(status.get("encryptionMode")) or None,
            "last_successful_backup": last_successful_backup(status)}


def read_portal_status(session):
    """The filer's connection to its CTERA Portal (``GET status/services``, as cterasdk's services.get_status)."""
    return portal_status_view(session.get(session.path("status/services"), what="read the portal connection status"))


def portal_status_view(status):
    """``read_portal_status`` of an answer of ``GET status/services``."""
    status = status if isinstance(status, dict) else {}
    portal = status.get("CTERAPortal") or {}
    servers = [as_text(s.get("name")) for s in portal.get("serverList") or [] if isinstance(s, dict) and s.get("name")]
    state = as_text(portal.get("connectionState")) or None
    return {"connection": state, "connected": state == "Connected",
            "server": servers[0] if servers else (as_text(status.get("serverName")) or None),
            "user": (as_text(status.get("userDisplayName")) or None) if state == "Connected" else None,
            "connected_since": as_text(portal.get("establishedTime")) or None,
            "last_disconnect_reason": as_text(portal.get("lastDisconnectReason")) or None}


def read_device(session):
    """Host name, model and firmware: ``GET status/device``, with ``config/device/hostname`` when it has no name."""
    device = session.get(session.path("status/device"), what="read the device status", missing_ok=True) or {}
    device = device if isinstance(device, dict) else {}
    hostname = as_text(device.get("hostname")) or None
    if hostname is None:
        hostname = as_text(session.get(session.path("config/device/hostname"), what="read the host name",
                                       missing_ok=True)) or None
    return {"hostname": hostname, "model": as_text(device.get("model")) or None,
            "firmware": as_text(device.get("runningFirmware") or session.firmware) or None}


def backup_info(status):
    """``backup_view`` with ``running`` and ``suspended`` (what edge_info returns; None when the filer does not say)."""
    status = status if isinstance(status, dict) else {}
    backup = backup_view(status)
    backup["running"] = backup_running(status) if backup["configured"] else False
    backup["suspended"] = {"suspended": True, "enabled": False, "unknown": None}.get(backup["state"], False)
    return backup


# -- cloud sync -----------------------------------------------------------------------------------------------

def sync_not_connected(session, connection):
    return ApiError("cloud sync cannot run on %s: the filer is not connected to a CTERA Portal (connection state %s); "
                    "connect it to a portal first" % (session.hostname, connection or "unknown"))


def wait_for_sync(session, status, targets, timeout, interval, connection=None):
    """Read the sync status until it is one of ``targets``; fails at once on a status sync cannot leave by itself."""
    deadline = time.time() + timeout
    while True:
        current = as_text(status.get("id"))
        if current in targets:
            return status
        if current == "DisconnectedPortal":
            raise sync_not_connected(session, connection)
        if current in SYNC_STUCK:
            raise ApiError("cloud sync on %s is %s (%s) while waiting for %s" % (
                session.hostname, current, as_text(status.get("message")) or "no message", " or ".join(targets)))
        if time.time() >= deadline:
            raise WaitTimeout("cloud sync on %s did not reach %s within %s s; last status %s" % (
                session.hostname, " or ".join(targets), timeout, current))
        time.sleep(min(interval, max(0.0, deadline - time.time())) or interval)
        status = read_sync_status(session)


# -- cloud backup ---------------------------------------------------------------------------------------------

def _backup_task(session, name, param=None, warn=None):
    """Run a backup service method as a background task and wait for it; returns the task's result.

    Like cterasdk's ``Backup._wait`` the result of a task that completed, with or without warnings, is used (a
    task with warnings is reported through ``warn``); a task that failed, stopped or was disabled is an error."""
    ref = session.execute(session.path("status/services"), name, param, what="cloud backup: %s" % name)
    task = session.wait_task(ref, "cloud backup: %s" % name)
    status = task_status(task)
    if status in TASK_FAILED:
        raise ApiError("cloud backup: %s ended with status %r on %s%s" % (
            name, task.get("status"), session.hostname, task_message(task)))
    if status == TASK_WARNINGS and warn is not None:
        warn("cloud backup: %s on %s completed with warnings%s" % (name, session.hostname, task_message(task)))
    return task.get("result") or {}


def task_message(task):
    """``: <progress text>`` of a task, when it has one."""
    message = as_text(task.get("progstring") or task.get("message"))
    return ": %s" % message if message else ""


def _attach_backup_folder(session, passphrase, warn=None):
    """Attach to the backup folder (or create it, encrypted with ``passphrase``); returns (task result, mode).

    A folder that another run created between our attach (NotFound) and our create (FolderAlreadyExists) is
    attached to, once, instead of failing."""
    result, mode = _attach_or_create(session, passphrase, warn)
    if as_text(result.get("createFolderRC")) == "FolderAlreadyExists":
        result, mode = _attach_or_create(session, passphrase, warn)
    rc = as_text(result.get("createFolderRC") or result.get("attachFolderRC"))
    if rc == "CheckCodeInCorrect":
        raise ApiError("cloud backup on %s: the passphrase does not open the existing encrypted backup folder"
                       % session.hostname)
    if rc != "OK":
        raise ApiError("cloud backup on %s could not be configured (result %s)" % (session.hostname, rc))
    return result, mode


def _attach_or_create(session, passphrase, warn):
    result = _backup_task(session, "attachFolder", warn=warn)
    rc = as_text(result.get("attachFolderRC"))
    mode = as_text(result.get("encryptionMode"))
    if rc == "IsEncrypted":
        result = _backup_task(session, "attachEncryptedFolder", {"encryptedFolderKey": result.get("encryptedFolderKey"),
                                                                 "passPhraseSalt": result.get("passPhraseSalt"),
                                                                 "sharedSecret": passphrase}, warn)
        rc = as_text(result.get("attachFolderRC"))
    if rc == "NotFound":
        mode = "SecretKeyEncryption"
        result = _backup_task(session, "createFolder", {"encryptionMode": mode, "sharedSecret": passphrase}, warn)
    return result, mode


def configure_backup(session, passphrase, warn=None):
    """Attach to the backup folder (or create it) and store the settings, as cterasdk's backup.configure does.

    The settings are read and written back whole: every value goes back exactly as the filer sent it."""
    result, mode = _attach_backup_folder(session, passphrase, warn)
    secret = result.get("sharedSecret")
    session.http.redact.add(secret)
    settings = session.get(session.path("config/backup"), what="read the backup settings", missing_ok=True)
    if not settings:
        settings = session.get(session.path("defaults/BackupSettings"), what="read the default backup settings")
    settings = dict(settings, encryptionMode=mode or result.get("encryptionMode") or settings.get("encryptionMode"),
                    sharedSecret=secret, passPhraseSalt=result.get("passPhraseSalt"))
    session.put(session.path("config/backup"), settings, what="store the backup settings")


def set_backup_running(session, running):
    """Resume (``running``) or pause cloud backup."""
    action = "resume" if running else "pause"
    session.execute(session.path("status/sync"), action, what="%s cloud backup" % action)
