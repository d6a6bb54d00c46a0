# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's health rules over every status edge_info and backup_node_info can return."""

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.filefleet.office.plugins.filter.fleet_report import (
    backup_assessment, backup_health, fleet_report, node_health, parse_time, sync_health,
)

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
    ({"run": "Running", "running": True, "last_successful_backup": None}, "pending"),   # first backup still running
    ({"running": None, "run": "Running"}, "busy"),
    ({"last_successful_backup": None}, "pending"),         # on, idle, never completed: not protected yet
    ({"last_successful_backup": ""}, "pending"),
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
    ({"state": "unknown", "run": None, "running": None, "suspended": None, "last_successful_backup": None}, "pending"),
    ({"run": "Failed", "last_successful_backup": None}, "error"),  # a failed first run is failing, not pending
])
def test_backup_health(fields, health):
    assert backup_health(backup(**fields)) == health


def test_backup_unreadable():
    assert backup_health(None) == backup_health({}) == "error"


NOW = "2026-12-03T12:00:00Z"


@pytest.mark.parametrize("fields,max_age,health", [
    ({"last_successful_backup": "2026-12-03T00:00:00Z"}, 36, "ok"),                   # 12 h old
    ({"last_successful_backup": "2026-12-01T23:59:59Z"}, 36, "warning"),              # 36 h and a second
    ({"last_successful_backup": "2026-12-02T00:00:00Z"}, 36, "ok"),                   # exactly at the limit
    ({"last_successful_backup": "2026-12-02T00:00:00+01:00"}, 36, "warning"),         # 37 h in UTC
    ({"last_successful_backup": "2026-12-03 11:00:00.123456Z"}, 0.5, "warning"),      # space, fraction
    ({"last_successful_backup": "2026-11-01T00:00:00Z"}, None, "ok"),                 # no limit: age not checked
    ({"last_successful_backup": "2026-11-01T00:00:00Z", "run": "Running", "running": True}, 36, "warning"),
    ({"last_successful_backup": "2026-12-03T11:00:00Z", "run": "Running", "running": True}, 36, "busy"),
    ({"last_successful_backup": "yesterday"}, 36, "warning"),                         # not understood
    ({"last_successful_backup": "yesterday"}, None, "ok"),
    ({"last_successful_backup": None}, 36, "pending"),
    ({"state": "suspended", "last_successful_backup": "2026-11-01T00:00:00Z"}, 36, "off"),
    ({"run": "Failed", "last_successful_backup": "2026-12-03T11:00:00Z"}, 36, "error"),
])
def test_backup_age(fields, max_age, health):
    assert backup_health(backup(**fields), max_age, parse_time(NOW)) == health


def test_backup_notes_say_why():
    assert backup_assessment(backup(last_successful_backup=None), 36, parse_time(NOW)) == \
        ("pending", "no backup has completed yet")
    assert backup_assessment(backup(last_successful_backup=None, run="Running", running=True))[1] == \
        "first backup in progress, none completed yet"
    assert backup_assessment(backup(last_successful_backup="2026-11-01T00:00:00Z"), 36, parse_time(NOW)) == \
        ("warning", "last backup 2026-11-01T00:00:00Z, older than 36 hours")
    assert backup_assessment(backup(configured=False, state="not_configured", status="NoFolder")) == \
        ("error", "configuration failed (NoFolder)")


def test_naive_times_are_the_controllers_local_time():
    local_now = datetime.datetime.now()
    recent = (local_now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    old = (local_now - datetime.timedelta(hours=40)).strftime("%Y-%m-%dT%H:%M:%S")
    assert backup_health(backup(last_successful_backup=recent), 36) == "ok"
    assert backup_health(backup(last_successful_backup=old), 36) == "warning"
    # against an aware "now", a naive time is still read as local time
    aware_now = datetime.datetime.now(datetime.timezone.utc)
    assert backup_health(backup(last_successful_backup=recent), 36, aware_now) == "ok"
    assert backup_health(backup(last_successful_backup=old), 36, aware_now) == "warning"


@pytest.mark.parametrize("value", [0, -1, "0", "abc", "", True, float("nan"), float("inf"), [36], {"h": 1}])
def test_bad_max_age_is_refused_naming_the_variable(value):
    with pytest.raises(AnsibleFilterError) as caught:
        fleet_report([], {}, "now", backup_max_age_hours=value)
    assert "fleet_report_backup_max_age_hours" in str(caught.value) and "positive number" in str(caught.value)


@pytest.mark.parametrize("value,expected", [(36, 36.0), ("0.5", 0.5), (None, None), (1e-3, 0.001)])
def test_max_age_accepted(value, expected):
    assert fleet_report([], {}, "now", backup_max_age_hours=value)["backup_max_age_hours"] == expected


def test_bad_now_is_refused():
    with pytest.raises(AnsibleFilterError, match="now must be a time"):
        fleet_report([], {}, "now", now="tomorrow")


@pytest.mark.parametrize("text,expected", [
    ("2026-12-01T02:00:00", datetime.datetime(2026, 12, 1, 2, 0, 0)),
    ("2026-12-01 02:00:00.5", datetime.datetime(2026, 12, 1, 2, 0, 0, 500000)),
    ("2026-12-01T02:00:00Z", datetime.datetime(2026, 12, 1, 2, 0, 0, tzinfo=datetime.timezone.utc)),
    ("2026-12-01T02:00:00-0130", datetime.datetime(2026, 12, 1, 3, 30, 0, tzinfo=datetime.timezone.utc)),
    ("2026-13-01T02:00:00", None), ("", None), (None, None), ("2026-12-01", None),
])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


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
        {"name": "a", "office": "x", "sync": {"state": "enabled", "status": "Synced"},
         "backup": backup(last_successful_backup="2026-12-03T02:00:00Z"),
         "portal": {"connected": True}, "shares": [{"name": "s"}]},
        {"name": "b", "office": "x", "sync": {"state": "enabled", "status": "DisconnectedPortal"},
         "backup": backup(run="Failed"), "portal": {"connected": False}, "shares": []},
        {"name": "c", "office": "y", "error": "unreachable", "sync": {"error": True}, "backup": {"error": True}},
    ]
    nodes = {"x": [{"consumer_name": "n1", "activated": True, "last_access_time": None, "tsm_password": "pw"},
                   {"consumer_name": "n2", "activated": True, "last_access_time": "2026-12-01"}],
             "y": {"error": "Cloutility refused"}}
    filers.append({"name": "d", "office": "y", "sync": {"state": "enabled", "status": "Synced"},
                   "backup": backup(last_successful_backup=None), "portal": {"connected": True}, "shares": []})
    filers.append({"name": "e", "office": "y", "sync": {"state": "enabled", "status": "Synced"},
                   "backup": backup(last_successful_backup="2026-11-01T00:00:00Z"), "portal": {"connected": True}, "shares": []})
    report = fleet_report(filers, nodes, generated_at="now", backup_max_age_hours=36, now=NOW)
    totals = report["totals"]
    assert totals["filers"] == 5 and totals["offices"] == 2 and totals["shares"] == 1 and totals["nodes"] == 2
    assert totals["unreadable"] == 1
    zero = {"ok": 0, "busy": 0, "pending": 0, "warning": 0, "off": 0, "error": 0}
    assert totals["sync"] == dict(zero, ok=3, error=2)
    assert totals["backup"] == dict(zero, ok=1, pending=1, warning=1, error=2)
    assert totals["node_activation"] == dict(zero, ok=1, error=1)
    office_x, office_y = report["offices"]
    assert (office_x["unreadable"], office_y["unreadable"]) == (0, 1)
    assert [(f["name"], f["backup_health"]) for f in office_y["filers"]] == [("c", "error"), ("d", "pending"), ("e", "warning")]
    assert [f["sync_health"] for f in office_x["filers"]] == ["ok", "error"]
    assert office_y["errors"] == ["Cloutility refused"]
    assert all("tsm_password" not in n for n in office_x["nodes"])
