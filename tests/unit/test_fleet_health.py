# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's health rules over every status edge_info and backup_node_info can return."""

import pytest

from ansible_collections.filefleet.office.plugins.filter.fleet import backup_health, fleet_report, node_health, sync_health

SYNC_STATUSES = {
    "Synced": "ok", "Syncing": "busy", "Scanning": "busy", "InitializingConnection": "busy", "ConnectingFolders": "busy",
    "UpgradingDataBase": "busy", "TakingSnapshot": "busy", "Off": "off",
    "NotInitialized": "error", "Connected": "error", "ClocksOutOfSync": "error", "ConnectionFailed": "error",
    "InternalError": "error", "InvalidConfiguration": "error", "VolumeUnavailable": "error", "NoFolder": "error",
    "DisconnectedPortal": "error", "ServiceUnavailable": "error", "Unlicensed": "error", "OutOfQuota": "error",
    "RejectedByPolicy": "error", "FailedFilesInReadOnlyFolder": "error", "ShouldSupportWinNtAcl": "error",
    "CatalogReadOnlyMode": "error", "InvalidAverageBlockSize": "error", "SomethingNew": "error", None: "error",
}


@pytest.mark.parametrize("status,health", sorted(SYNC_STATUSES.items(), key=lambda i: str(i[0])))
def test_sync_health_of_every_status(status, health):
    assert sync_health({"state": "enabled", "status": status}) == health


def test_sync_off_unreadable_or_disconnected():
    assert sync_health({"state": "disabled", "status": "DisconnectedPortal"}) == "off"
    assert sync_health(None) == sync_health({}) == sync_health({"error": True}) == "error"
    assert sync_health({"state": "enabled", "status": "Synced"}, {"connected": False}) == "error"
    assert sync_health({"state": "enabled", "status": "Synced"}, {"connected": True}) == "ok"
    assert sync_health({"state": "disabled", "status": "Off"}, {"connected": False}) == "off"


def backup(**fields):
    view = {"configured": True, "state": "enabled", "status": "Attached", "run": "Idle", "running": False,
            "last_successful_backup": "2026-12-01T02:00:00"}
    view.update(fields)
    return view


@pytest.mark.parametrize("fields,health", [
    ({}, "ok"),
    ({"run": "Running", "running": True}, "busy"),
    ({"run": "Running", "running": True, "last_successful_backup": None}, "busy"),
    ({"running": None, "run": "Running"}, "busy"),
    ({"last_successful_backup": None}, "error"),           # on, idle, never completed
    ({"run": "Failed"}, "error"),
    ({"run": "CompletedWithErrors"}, "error"),
    ({"state": "suspended", "run": "Suspended"}, "off"),
    ({"configured": False, "state": "not_configured", "status": None, "run": "NotConfigured"}, "off"),
    ({"configured": False, "state": "not_configured", "status": "NotInitialized"}, "off"),
    ({"configured": False, "state": "not_configured", "status": "Attaching"}, "off"),
    ({"configured": False, "state": "not_configured", "status": "WrongPassword"}, "error"),
    ({"configured": False, "state": "not_configured", "status": "NoFolder"}, "error"),
    ({"configured": False, "state": "not_configured", "status": "Failed"}, "error"),
    ({"configured": False, "state": "not_configured", "status": "Unlicensed"}, "error"),
    ({"configured": False, "state": "not_configured", "status": "ClocksOutOfSync"}, "error"),
    ({"error": True}, "error"),
    # a filer that reports only what vendor sources name (no run state, no suspension): judged by its last success
    ({"state": "unknown", "run": None, "running": None, "suspended": None}, "ok"),
    ({"state": "unknown", "run": None, "running": None, "suspended": None, "last_successful_backup": None}, "error"),
])
def test_backup_health(fields, health):
    assert backup_health(backup(**fields)) == health


def test_backup_unreadable():
    assert backup_health(None) == backup_health({}) == "error"


@pytest.mark.parametrize("node,health", [
    ({"activated": True, "last_access_time": "2026-12-01T02:00:00"}, "ok"),
    ({"activated": True, "last_access_time": None}, "error"),
    ({"activated": False, "last_access_time": None}, "off"),
    ({"error": "read failed"}, "error"),
])
def test_node_health(node, health):
    assert node_health(node) == health


def test_report_counts_failing_filers_and_nodes_and_drops_passwords():
    filers = [
        {"name": "a", "office": "x", "sync": {"state": "enabled", "status": "Synced"}, "backup": backup(),
         "portal": {"connected": True}, "shares": [{"name": "s"}]},
        {"name": "b", "office": "x", "sync": {"state": "enabled", "status": "DisconnectedPortal"},
         "backup": backup(run="Failed"), "portal": {"connected": False}, "shares": []},
        {"name": "c", "office": "y", "error": "unreachable", "sync": {"error": True}, "backup": {"error": True}},
    ]
    nodes = {"x": [{"consumer_name": "n1", "activated": True, "last_access_time": None, "tsm_password": "pw"},
                   {"consumer_name": "n2", "activated": True, "last_access_time": "2026-12-01"}],
             "y": {"error": "Cloutility refused"}}
    report = fleet_report(filers, nodes, generated_at="now")
    totals = report["totals"]
    assert totals["filers"] == 3 and totals["offices"] == 2 and totals["shares"] == 1 and totals["nodes"] == 2
    assert totals["sync"] == {"ok": 1, "busy": 0, "off": 0, "error": 2}
    assert totals["backup"] == {"ok": 1, "busy": 0, "off": 0, "error": 2}
    assert totals["node_activation"] == {"ok": 1, "busy": 0, "off": 0, "error": 1}
    office_x, office_y = report["offices"]
    assert [f["sync_health"] for f in office_x["filers"]] == ["ok", "error"]
    assert office_y["errors"] == ["Cloutility refused"]
    assert all("tsm_password" not in n for n in office_x["nodes"])
