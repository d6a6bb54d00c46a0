# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the cloud sync, cloud backup and portal connection status of a CTERA Edge Filer.

Shared by edge_sync, edge_backup (which change these services) and edge_info (which only reads them), so the
three return the same shapes. Resources: ctera-protocol.md section 5 (as cterasdk's ``sync``, ``backup`` and
``services`` modules read them).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text

SYNC_MODE_PATH = "config/cloudsync/mode"
SYNC_STATUS_PATH = "proc/cloudsync/serviceStatus"
PORTAL_STATE_PATH = "status/services/CTERAPortal/connectionState"
BACKUP_STATUS_PATH = "proc/backup/backupStatus"


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


def backup_view(status):
    """Cloud backup as the modules return it. The status never holds the passphrase or the key."""
    status = status if isinstance(status, dict) else {}
    service = status.get("serviceStatus") or {}
    configured = service.get("id") == "Attached"
    suspended = bool(status.get("suspended")) or as_text(status.get("status")) == "Suspended"
    return {"configured": configured,
            "state": ("suspended" if suspended else "enabled") if configured else "not_configured",
            "status": as_text(service.get("id")), "run": as_text(status.get("status")),
            "progress": status.get("progress"), "encryption_mode": as_text(status.get("encryptionMode")) or None,
            "last_successful_backup": as_text(status.get("lastSuccessfulBackupTime")) or None}


def read_portal_status(session):
    """The filer's connection to its CTERA Portal (``GET status/services``, as cterasdk's services.get_status)."""
    status = session.get(session.path("status/services"), what="read the portal connection status") or {}
    portal = status.get("CTERAPortal") or {}
    servers = [as_text(s.get("name")) for s in portal.get("serverList") or [] if isinstance(s, dict) and s.get("name")]
    state = as_text(portal.get("connectionState")) or None
    return {"connection": state, "connected": state == "Connected",
            "server": servers[0] if servers else (as_text(status.get("serverName")) or None),
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
