# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter of playbooks/fleet_report.yml: turn what was read from filers and Cloutility into the report.

The file is named after its one filter so that ansible-doc (and galaxy-importer, antsibull-docs) find the
documentation in it.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_report
short_description: Build the fleet report of playbooks/fleet_report.yml
version_added: 0.1.0
author: filefleet.office developers
description:
  - Groups filers and backup nodes by office and classifies the health of cloud sync and cloud backup of each filer
    and the activation of each backup node.
  - Cloud sync is C(ok), C(busy) (syncing, scanning...), C(off) or C(error) (any other status, or on while the filer
    is not connected to its portal).
  - Cloud backup is C(ok) (the last backup completed within O(backup_max_age_hours)), C(busy) (a backup runs and
    the last one is recent), C(pending) (on, but no backup has completed yet, so the filer is not protected yet),
    C(warning) (the last completed backup is older than O(backup_max_age_hours), or its time is not understood),
    C(off) (suspended or not configured) or C(error) (not readable, configuration failed or the last run failed).
  - A backup node is C(ok) (activated and in contact), C(off) (not activated) or C(error) (activated but never in
    contact, or not readable).
  - Each filer gets C(sync_health), C(backup_health) and C(backup_note) (why, in words).
positional: nodes_by_office, generated_at
options:
  _input:
    description:
      - One dict per filer with C(name), C(office), C(url), C(shares), C(sync), C(backup) and, when it could not be
        read, C(error).
      - C(sync) and C(backup) as M(filefleet.office.edge_info) returns them; C(hostname), C(model), C(firmware),
        C(portal) and C(cloud_folders) (as M(filefleet.office.edge_info) returns them with V(cloud_folders) in its
        C(gather)) are optional and passed through.
    type: list
    elements: dict
    required: true
  nodes_by_office:
    description:
      - Office name to the list of its backup nodes (as M(filefleet.office.backup_node_info) returns them), or to a
        dict with C(error).
    type: dict
  generated_at:
    description: Time stamp written into the report.
    type: str
  backup_max_age_hours:
    description:
      - A last completed backup older than this many hours makes the filer's backup a C(warning).
      - Omitted or V(null), the age is not checked.
      - A time stamp without a time zone is taken as the controller's local time.
    type: float
  now:
    description:
      - The time the ages are measured from, as C(YYYY-MM-DDTHH:MM:SS) with an optional time zone. Defaults to the
        current time.
    type: str
"""

EXAMPLES = r"""
- name: Build the report
  ansible.builtin.set_fact:
    report: >-
      {{ filers | filefleet.office.fleet_report(nodes_by_office, now(utc=true).isoformat(),
                                                  backup_max_age_hours=36) }}
"""

RETURN = r"""
_value:
  description:
    - C(generated_at), C(totals) and C(offices) (each with its filers, nodes, errors and health counts).
    - C(totals.unreadable) and each office's C(unreadable) count the filers that could not be read.
  type: dict
"""

import datetime
import math
import re

from ansible.errors import AnsibleFilterError

SYNC_OK = ("Synced",)
SYNC_BUSY = ("Syncing", "Scanning", "InitializingConnection", "ConnectingFolders", "UpgradingDataBase", "TakingSnapshot")
SYNC_OFF = ("Off",)
# Backup configuration states (cterasdk's BackupConfStatusID) that mean it is being set up, not that it failed.
BACKUP_SETTING_UP = ("NotInitialized", "Configuring", "Attaching", "GetFoldersList")
HEALTH = ("ok", "busy", "pending", "warning", "off", "error")
# 2026-12-01T02:00:00, with a space instead of the T, fractions of a second, and Z or an offset all accepted.
TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$")


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


def parse_time(value):
    """A datetime for a filer's time stamp (naive when it names no time zone), or None when not understood."""
    if isinstance(value, datetime.datetime):
        return value
    match = TIMESTAMP.match(str(value or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tzinfo = None
    if zone == "Z":
        tzinfo = datetime.timezone.utc
    elif zone:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tzinfo = datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                 int((fraction or "0")[:6].ljust(6, "0")), tzinfo=tzinfo)
    except ValueError:
        return None


def _hours_between(earlier, later):
    if (earlier.tzinfo is None) != (later.tzinfo is None):
        # astimezone() takes a naive time as the controller's local time.
        earlier, later = earlier.astimezone(), later.astimezone()
    return (later - earlier).total_seconds() / 3600.0


def max_age_hours(value):
    """The backup age limit as a positive float, or None (no limit); anything else is refused."""
    if value is None:
        return None
    number = None
    if not isinstance(value, bool):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
    if number is None or math.isnan(number) or math.isinf(number) or number <= 0:
        raise AnsibleFilterError("fleet_report: backup_max_age_hours (fleet_report_backup_max_age_hours in "
                                 "playbooks/fleet_report.yml) must be a positive number of hours or null, got %r" % (value,))
    return number


def backup_assessment(backup, max_age=None, now=None):
    """(health, note) for a filer's cloud backup (as read by filefleet.office.edge_info).

    error when it could not be read, its configuration failed (NoFolder, WrongPassword, Failed, Unsubscribed,
    Unlicensed, ClocksOutOfSync...) or the last run failed; off when suspended or never set up; pending while it is
    on but no backup has completed yet (running or not: nothing is protected until one completes); warning when the
    last completed backup is older than ``max_age`` hours (or its time is not understood); busy while a backup runs
    after a recent one; ok otherwise.
    """
    if not backup or backup.get("error"):
        return "error", "could not be read"
    run = str(backup.get("run") or "").lower()
    status = backup.get("status")
    if backup.get("state") == "not_configured" or not backup.get("configured", True):
        if status in (None, ""):
            return "off", "not configured"
        if status in BACKUP_SETTING_UP:
            return "off", "being set up (%s)" % status
        return "error", "configuration failed (%s)" % status
    if backup.get("state") == "suspended":
        return "off", "suspended"
    if "fail" in run or "error" in run:
        return "error", "last run failed (%s)" % backup.get("run")
    running = bool(backup.get("running")) or run == "running"
    last = backup.get("last_successful_backup")
    if not last:
        return "pending", "first backup in progress, none completed yet" if running else "no backup has completed yet"
    if max_age is not None:
        when = parse_time(last)
        if when is None:
            return "warning", "time of the last backup not understood: %s" % last
        if now is None:
            now = datetime.datetime.now(datetime.timezone.utc)
        age = _hours_between(when, now)
        if age > max_age:
            # The note names the time, not the age, so that an unchanged fleet gives an unchanged report.
            return "warning", "last backup %s, older than %g hours" % (last, max_age)
    return ("busy", "backup running") if running else ("ok", "last backup completed")


def backup_health(backup, max_age=None, now=None):
    """ok / busy / pending / warning / off / error for a filer's cloud backup (see backup_assessment)."""
    return backup_assessment(backup, max_age, now)[0]


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


def fleet_report(filers, nodes_by_office=None, generated_at=None, backup_max_age_hours=None, now=None):
    """Build the fleet report.

    ``filers``: one dict per filer (name, office, url, shares, sync, backup[, error]);
    ``nodes_by_office``: office name -> list of backup nodes (as filefleet.office.backup_node_info returns them)
    or a dict with ``error``; ``backup_max_age_hours``: a last backup older than this is a warning (None: no limit);
    ``now``: the time ages are measured from (default: the current time).
    """
    max_age = max_age_hours(backup_max_age_hours)
    moment = None
    if now is not None:
        moment = parse_time(now)
        if moment is None:
            raise AnsibleFilterError("fleet_report: now must be a time like 2026-12-01T02:00:00[Z], got %r" % (now,))
    nodes_by_office = nodes_by_office or {}
    offices = {}
    for filer in sorted(filers or [], key=lambda f: (str(f.get("office")), str(f.get("name")))):
        filer = dict(filer)
        filer["sync_health"] = sync_health(filer.get("sync"), filer.get("portal"))
        filer["backup_health"], filer["backup_note"] = backup_assessment(filer.get("backup"), max_age, moment)
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
            "unreadable": sum(1 for f in office["filers"] if f.get("error")),
            "sync": _counts(f["sync_health"] for f in office["filers"]),
            "backup": _counts(f["backup_health"] for f in office["filers"]),
            "node_activation": _counts(n["health"] for n in office["nodes"]),
            "shares": sum(len(f.get("shares") or []) for f in office["filers"]),
        })
    totals = {
        "offices": len(result),
        "filers": sum(len(o["filers"]) for o in result),
        "unreadable": sum(o["unreadable"] for o in result),
        "shares": sum(o["shares"] for o in result),
        "nodes": sum(len(o["nodes"]) for o in result),
        "sync": _counts(f["sync_health"] for o in result for f in o["filers"]),
        "backup": _counts(f["backup_health"] for o in result for f in o["filers"]),
        "node_activation": _counts(n["health"] for o in result for n in o["nodes"]),
    }
    return {"generated_at": generated_at, "backup_max_age_hours": max_age, "totals": totals, "offices": result}


class FilterModule(object):
    def filters(self):
        return {"fleet_report": fleet_report}
