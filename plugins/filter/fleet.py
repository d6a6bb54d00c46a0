# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of playbooks/fleet_report.yml: turn what was read from filers and Cloutility into the report."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

SYNC_OK = ("Synced",)
SYNC_BUSY = ("Syncing", "Scanning", "InitializingConnection", "ConnectingFolders", "UpgradingDataBase", "TakingSnapshot")
SYNC_OFF = ("Off",)
# Backup configuration states (cterasdk's BackupConfStatusID) that mean it is being set up, not that it failed.
BACKUP_SETTING_UP = ("NotInitialized", "Configuring", "Attaching", "GetFoldersList")
HEALTH = ("ok", "busy", "off", "error")


def sync_health(sync, portal=None):
    """ok / busy / off / error for a filer's cloud sync (as read by filefleet.office.edge_info).

    Any status not known to be healthy, busy or off is an error (DisconnectedPortal, ConnectionFailed, OutOfQuota,
    Unlicensed, ...), and so is sync that is on while the filer is not connected to its portal.
    """
    if not sync or sync.get("error"):
        return "error"
    status = sync.get("status")
    if sync.get("state") == "disabled" or status in SYNC_OFF:
        return "off"
    if isinstance(portal, dict) and portal.get("connected") is False:
        return "error"
    if status in SYNC_OK:
        return "ok"
    if status in SYNC_BUSY:
        return "busy"
    return "error"


def backup_health(backup):
    """ok / busy / off / error for a filer's cloud backup (as read by filefleet.office.edge_info).

    busy while a backup runs; off when suspended or never set up; error when it could not be read, its
    configuration failed (NoFolder, WrongPassword, Failed, Unsubscribed, Unlicensed, ClocksOutOfSync...), the last
    run failed, or it is on and has never completed a backup.
    """
    if not backup or backup.get("error"):
        return "error"
    run = str(backup.get("run") or "").lower()
    if backup.get("state") == "not_configured" or not backup.get("configured", True):
        status = backup.get("status")
        return "off" if status in (None, "") or status in BACKUP_SETTING_UP else "error"
    if backup.get("state") == "suspended":
        return "off"
    if "fail" in run or "error" in run:
        return "error"
    if backup.get("running") or run == "running":
        return "busy"
    return "ok" if backup.get("last_successful_backup") else "error"


def node_health(node):
    """ok / off / error for a backup node: off until activated, error when activated but never in contact."""
    if node.get("error"):
        return "error"
    if not node.get("activated"):
        return "off"
    return "ok" if node.get("last_access_time") else "error"


def _counts(values):
    counts = dict((h, 0) for h in HEALTH)
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def fleet_report(filers, nodes_by_office=None, generated_at=None):
    """Build the fleet report.

    ``filers``: one dict per filer (name, office, url, shares, sync, backup[, error]);
    ``nodes_by_office``: office name -> list of backup nodes (as filefleet.office.backup_node_info returns them)
    or a dict with ``error``.
    """
    nodes_by_office = nodes_by_office or {}
    offices = {}
    for filer in sorted(filers or [], key=lambda f: (str(f.get("office")), str(f.get("name")))):
        filer = dict(filer)
        filer["sync_health"] = sync_health(filer.get("sync"), filer.get("portal"))
        filer["backup_health"] = backup_health(filer.get("backup"))
        office = offices.setdefault(filer.get("office") or "(no office)", {"filers": [], "nodes": [], "errors": []})
        office["filers"].append(filer)
    for name, nodes in nodes_by_office.items():
        office = offices.setdefault(name, {"filers": [], "nodes": [], "errors": []})
        if isinstance(nodes, dict) and nodes.get("error"):
            office["errors"].append(nodes["error"])
            continue
        for node in nodes or []:
            node = dict((k, v) for k, v in node.items() if k != "tsm_password")
            node["health"] = node_health(node)
            office["nodes"].append(node)
    result = []
    for name in sorted(offices):
        office = offices[name]
        office["nodes"].sort(key=lambda n: str(n.get("consumer_name")))
        result.append({
            "name": name,
            "filers": office["filers"],
            "nodes": office["nodes"],
            "errors": office["errors"],
            "sync": _counts(f["sync_health"] for f in office["filers"]),
            "backup": _counts(f["backup_health"] for f in office["filers"]),
            "node_activation": _counts(n["health"] for n in office["nodes"]),
            "shares": sum(len(f.get("shares") or []) for f in office["filers"]),
        })
    totals = {
        "offices": len(result),
        "filers": sum(len(o["filers"]) for o in result),
        "shares": sum(o["shares"] for o in result),
        "nodes": sum(len(o["nodes"]) for o in result),
        "sync": _counts(f["sync_health"] for o in result for f in o["filers"]),
        "backup": _counts(f["backup_health"] for o in result for f in o["filers"]),
        "node_activation": _counts(n["health"] for o in result for n in o["nodes"]),
    }
    return {"generated_at": generated_at, "totals": totals, "offices": result}


class FilterModule(object):
    def filters(self):
        return {"fleet_report": fleet_report}
