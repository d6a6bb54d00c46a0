# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_plan, ctera_tenant, ctera_folder_group, ctera_cloud_folder, ctera_zone, ctera_activation_code and the
_info modules through real ansible-playbook runs against the Portal simulator.

Every check of the portal reads the simulator's own state (GET /_sim/state) or cterasdk, never the modules.
The lifecycle is one ansible-playbook run (playbooks/portal_tenancy.yml), one play per phase over the same tasks
(playbooks/tasks/portal_tenancy_phase.yml), each phase ending with a snapshot of the simulator's state; it runs
in-process only, and a representative part (playbooks/portal_tenancy_modes.yml) runs in both execution modes.
"""

import json
import os
import uuid

import aiohttp.connector
import pytest

import cterasdk
from cterasdk import core_types

from integration_support import playbook_path, portal_env, run_playbook
from simulators.harness import Simulators
from simulators.portal import PortalService

DEVICE = "office-filer-1"


@pytest.fixture(scope="module")
def portal_sims(tmp_path_factory, execution_mode):
    """A Portal simulator with a device (an Edge Filer) registered in tenant acme, per execution mode."""
    state_dir = str(tmp_path_factory.mktemp("tenancy-" + execution_mode))
    seed = PortalService(os.path.join(state_dir, "portal.json"))
    seed.register_device(DEVICE, "acme", "https://127.0.0.1:9")
    with Simulators(state_dir, portal=True) as running:
        yield running


def state(sims):
    return sims.state(sims.info["portal"])


def acme(sims):
    return state(sims)["tenants"]["acme"]


def sim_vars(sims):
    return {"sim_url": sims.info["portal"]["url"], "sim_ca": sims.info["portal"]["ca_path"]}


def phases(run):
    """The task results of each phase of playbooks/portal_tenancy.yml: {phase: {task name: result}}, split at the
    "Phase" task that opens each phase (one host, so the records are in the order the tasks ran)."""
    found, current = {}, None
    for record in run.tasks:
        if record["task"] == "Phase":
            current = found.setdefault(record["result"]["msg"], {})
        elif current is not None:
            current[record["task"]] = record["result"]
    return found


def populated(tenants):
    """Tenants without their empty collections (the simulator makes a tenant's empty zones, folder_groups and
    cloud_drives on the first read of them)."""
    return dict((name, dict((k, v) for k, v in tenant.items() if v != {})) for name, tenant in tenants.items())


def changed_tasks(phase):
    return sorted(name for name, result in phase.items() if result.get("changed"))


def drive(snapshot, owner, name):
    """Cloud folder name of user owner in tenant acme in a snapshot of the Portal simulator's state, or None."""
    tenant = snapshot["tenants"]["acme"]
    uid = tenant["users"][owner]["uid"]
    found = [d for d in tenant.get("cloud_drives", {}).values() if d["owner"] == uid and d["name"] == name]
    return found[0] if found else None


def zone_named(snapshot, name):
    return [z for z in snapshot["tenants"]["acme"]["zones"].values() if z["name"] == name][0]


def sdk_admin(sims):
    portal = sims.info["portal"]
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=portal["ca_path"])  # pylint: disable=protected-access
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    client = cterasdk.GlobalAdmin(host, int(port))
    client.login(portal["username"], portal["password"])
    return client


CREATED = ["Folder group", "Plan", "Projects folder", "Scans folder", "Service user", "Tenant", "Zone"]
BAD_INPUT = [
    "name 'Bad_Tenant' is not a valid tenant name",
    "retention.daily must be 0 or more",
    "quota_gb must be 0 (no quota) or more",
    "group is required to create cloud folder",
    "folders[0].owner must not be empty",
    "owner 'nobody-{t}' is not a user of tenant 'acme'",
    "plan 'no-such-plan-{t}' does not exist",
    "devices 'no-such-filer-{t}' are not devices of tenant 'acme'",
    "permanently is only for state=absent",
]


@pytest.mark.one_mode("one playbook run of 97 module tasks; test_tenancy_both_modes runs a representative part as "
                      "real modules too")
def test_tenancy_lifecycle(portal_sims):
    """Every tenancy module through check, create, converged rerun, change, converged rerun, trash, recovery and
    permanent deletion, then bad input, in one ansible-playbook run; each phase ends with a snapshot of the
    Portal simulator's state (the independent reader), and cterasdk reads the end result."""
    sims = portal_sims
    t = uuid.uuid4().hex[:6]
    svc = "svc-" + t
    before = state(sims)
    extra = dict(sim_vars(sims), t=t, device=DEVICE, bad_tenant="Bad_Tenant", bad_retention=-1, bad_quota=-5)
    run = run_playbook(playbook_path("portal_tenancy.yml"), extra_vars=extra, env=portal_env(sims))
    assert run.rc == 0, run.stdout + run.stderr
    phase = phases(run)
    assert list(phase) == ["check", "create", "again", "change", "change_again", "gone", "back", "purge"]

    # Check mode: predicts every creation and writes nothing.
    check = phase["check"]
    assert changed_tasks(check) == CREATED
    snapshot = check["Portal state"]["ansible_facts"]["portal_state"]
    assert populated(snapshot["tenants"]) == populated(before["tenants"]) and snapshot["plans"] == before["plans"]
    assert "censored" in check["Activation code"] and "code" not in check["Activation code"]
    assert any("are not cloud folders of tenant 'acme' yet" in w for w in check["Zone"]["warnings"])

    # Create: the same results as predicted, read back from the simulator.
    real = phase["create"]
    assert changed_tasks(real) == CREATED
    for task, key in (("Plan", "plan"), ("Tenant", "tenant"), ("Folder group", "folder_group"),
                      ("Projects folder", "cloud_folder"), ("Zone", "zone")):
        assert check[task][key] == real[task][key], task
    now = real["Portal state"]["ansible_facts"]["portal_state"]
    plan = now["plans"]["gold-" + t]
    assert plan["services"]["Cloud Backup"] == "Disabled" and plan["retention"]["daily"] == 14
    assert plan["items"]["appliances"] == 2 and plan["items"]["storage"] == 2048 * 1024 ** 3
    tenant = now["tenants"]["co-" + t]
    assert (tenant["displayName"], tenant["externalPortalId"], tenant["companyName"], tenant["plan"]) == \
        ("Co " + t, "B-" + t, "Co AB", "gold-" + t)
    users = now["tenants"]["acme"]["users"]
    assert now["tenants"]["acme"]["folder_groups"]["fg-" + t]["owner"] == users[svc]["uid"]
    projects, scans = drive(now, svc, "Projects"), drive(now, svc, "Scans")
    assert (projects["description"], projects["quota"], projects["winacls"]) == ("Projects of " + t, 10, True)
    assert (scans["quota"], scans["winacls"], scans["deleted"]) == (None, False, False)
    zone = zone_named(now, "zone-" + t)
    device_uid = now["tenants"]["acme"]["devices"][DEVICE]["uid"]
    assert (zone["folders"], zone["devices"], zone["description"]) == ([projects["uid"]], [device_uid], "Office zone")
    assert "censored" in real["Activation code"] and "code" not in real["Activation code"]
    issued = [c for c, v in now["activation_codes"].items() if v["user"] == svc]
    shown = run.stdout + run.stderr + json.dumps([r for r in run.tasks if r["task"] != "Portal state"])
    assert issued and not any(c in shown for c in issued)
    assert [f["name"] for f in real["Information"]["cloud_folders"]] == ["Projects", "Scans"]
    assert real["Zone information"]["zones"][0]["folders"] == [{"name": "Projects", "owner": svc}]
    assert real["Tenant information"]["tenants"][0]["plan"] == "gold-" + t

    assert changed_tasks(phase["again"]) == []

    # Changes to every kind of object are applied, with diffs over the changed keys.
    changed = phase["change"]
    assert changed_tasks(changed) == ["Folder group", "Plan", "Projects folder", "Tenant", "Zone"]
    assert changed["Tenant"]["diff"] == {"before": {"display_name": "Co " + t, "plan": "gold-" + t},
                                         "after": {"display_name": "Renamed " + t, "plan": "Default"}}
    assert changed["Projects folder"]["diff"]["after"] == {"description": None, "quota_gb": 0}
    now = changed["Portal state"]["ansible_facts"]["portal_state"]
    assert now["plans"]["gold-" + t]["retention"]["daily"] == 21
    tenant = now["tenants"]["co-" + t]
    assert (tenant["displayName"], tenant["plan"], tenant["companyName"]) == ("Renamed " + t, "Default", "Co AB")
    assert now["tenants"]["acme"]["folder_groups"]["fg-" + t]["owner"] is None
    assert (drive(now, svc, "Projects")["quota"], drive(now, svc, "Projects")["description"]) == (None, None)
    assert sorted(zone_named(now, "zone-" + t)["folders"]) == sorted([projects["uid"], scans["uid"]])
    assert changed_tasks(phase["change_again"]) == []

    # Absent: the tenant and a folder go to the trash can, a folder leaves the zone.
    gone = phase["gone"]
    assert changed_tasks(gone) == ["Scans folder", "Tenant", "Zone"]
    now = gone["Portal state"]["ansible_facts"]["portal_state"]
    assert now["tenants"]["co-" + t]["deleted"] is True
    assert drive(now, svc, "Scans")["deleted"] is True
    assert zone_named(now, "zone-" + t)["folders"] == [projects["uid"]]
    assert gone["Information"]["cloud_folders"][1]["deleted"] is True
    assert gone["Tenant information"]["tenants"][0]["deleted"] is True

    # Present again: both come back from the trash can, the folder as the same folder.
    back = phase["back"]
    assert changed_tasks(back) == ["Scans folder", "Tenant"]
    now = back["Portal state"]["ansible_facts"]["portal_state"]
    assert now["tenants"]["co-" + t]["deleted"] is False
    assert drive(now, svc, "Scans")["deleted"] is False and drive(now, svc, "Scans")["uid"] == scans["uid"]

    purge = phase["purge"]
    assert changed_tasks(purge) == ["Scans folder"]
    assert drive(purge["Portal state"]["ansible_facts"]["portal_state"], svc, "Scans") is None

    # Bad input: each case refused with a message naming the option, nothing written.
    messages = [run.result("Bad %d" % i).get("msg", "") for i in range(len(BAD_INPUT))]
    # (and the two refused tenant changes below)
    assert run.stdout.count("...ignoring") == len(BAD_INPUT) + 2, run.stdout
    for expected, message in zip(BAD_INPUT, messages):
        assert expected.format(t=t) in message, (expected, message)
    after = run.result("Portal state")["ansible_facts"]["portal_state"]
    assert after["tenants"] == purge["Portal state"]["ansible_facts"]["portal_state"]["tenants"]
    assert after["plans"] == purge["Portal state"]["ansible_facts"]["portal_state"]["plans"]

    check_tenant_put_answers(run, t)

    admin = sdk_admin(sims)  # an independent reader of the end result: cterasdk
    try:
        admin.portals.browse("acme")
        found = admin.cloudfs.drives.find("Projects", core_types.UserAccount(svc), include=["description", "folderQuota"])
        assert (found.description, found.folderQuota) == (None, None)
        assert admin.cloudfs.zones.get("zone-" + t).description == "Office zone"
        admin.portals.browse_global_admin()
        assert admin.plans.get("gold-" + t, include=["retentionPolicy"]).retentionPolicy.daily == 21
        assert admin.portals.get("co-" + t, include=["displayName"]).displayName == "Put whole_object " + t
    finally:
        admin.logout()


def check_tenant_put_answers(run, t):
    """The tenant change (an inferred request: cterasdk has none) under each answer the simulator can give (mode
    tenant_put): applied and reported changed when the portal applies it, whatever it answers; a failed task naming
    the request or the settings not applied when the portal refuses it or answers without applying it, never a
    change reported that did not happen. Read back from the simulator's state after each."""
    modes = ["empty", "object", "whole_object", "ignored", "not_allowed"]
    records = [r for r in run.tasks if r["task"] == "Tenant change under the mode"]
    results = [r["result"] for r in records]
    tenants = [r["ansible_facts"]["tenant_after"] for r in run.results("Tenant after the change")]
    assert len(results) == len(tenants) == len(modes)
    applied = {}
    for mode, record, tenant in zip(modes, records, tenants):
        result = record["result"]
        if mode in ("empty", "object", "whole_object"):
            assert record["status"] == "ok" and result["changed"], (mode, record)
            assert result["tenant"]["display_name"] == "Put %s %s" % (mode, t), mode
            assert (tenant["displayName"], tenant["comment"]) == ("Put %s %s" % (mode, t), "Comment " + mode), mode
            applied = tenant
        else:
            assert record["status"] == "failed" and not result.get("changed"), (mode, record)
            # Nothing changed on the portal: the tenant is as the last applied change left it.
            assert tenant == applied, mode
    ignored, refused = results[3]["msg"], results[4]["msg"]
    assert "did not apply it" in ignored and "display_name is 'Put whole_object %s', not 'Put ignored %s'" % (t, t) \
        in ignored and "comment is 'Comment whole_object', not 'Comment ignored'" in ignored, ignored
    assert "the portal refused the request" in refused and "HTTP 405" in refused, refused
    assert "global administration" in ignored and "global administration" in refused


def test_tenancy_both_modes(portal_sims):
    """A representative part (user, folder group, cloud folder, zone, activation code, info, one refused input)
    as real modules and in-process: created, converged on the second item, read back from the simulator."""
    sims = portal_sims
    t = uuid.uuid4().hex[:6]
    svc = "svc-" + t
    extra = dict(sim_vars(sims), t=t, device=DEVICE, bad_quota=-5)
    run = run_playbook(playbook_path("portal_tenancy_modes.yml"), extra_vars=extra, env=portal_env(sims), diff=True)
    assert run.rc == 0, run.stdout + run.stderr
    for task in ("Service user", "Folder group", "Cloud folder", "Zone"):
        items = run.result(task)["results"]
        assert [item["changed"] for item in items] == [True, False], task
    assert run.result("Cloud folder")["results"][0]["diff"]["after"]["quota_gb"] == 10
    now = run.result("Portal state")["ansible_facts"]["portal_state"]
    users = now["tenants"]["acme"]["users"]
    assert now["tenants"]["acme"]["folder_groups"]["fg-" + t]["owner"] == users[svc]["uid"]
    projects = drive(now, svc, "Projects")
    assert (projects["description"], projects["quota"], projects["deleted"]) == ("Projects of " + t, 10, False)
    zone = zone_named(now, "zone-" + t)
    assert (zone["folders"], zone["devices"]) == ([projects["uid"]], [now["tenants"]["acme"]["devices"][DEVICE]["uid"]])
    issued = [c for c, v in now["activation_codes"].items() if v["user"] == svc]
    shown = run.stdout + run.stderr + json.dumps([r for r in run.tasks if r["task"] != "Portal state"])
    assert issued and not any(c in shown for c in issued)
    assert "censored" in run.result("Activation code")
    assert [f["name"] for f in run.result("Information")["cloud_folders"]] == ["Projects"]
    refused = [r for r in run.tasks if r["task"] == "Refused quota"]
    assert [r["status"] for r in refused] == ["failed"]
    assert "quota_gb must be 0 (no quota) or more" in refused[0]["result"]["msg"]
    assert drive(now, svc, "Refused") is None
