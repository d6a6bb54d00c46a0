# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_plan, ctera_tenant, ctera_folder_group, ctera_cloud_folder, ctera_zone, ctera_activation_code and the
_info modules through real ansible-playbook runs against the Portal simulator.

Every check of the portal reads the simulator's own state (GET /_sim/state) or cterasdk, never the modules.
One playbook (playbooks/portal_tenancy.yml) holds every module; each run changes some of its variables.
"""

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


def run(sims, t, check=False, **overrides):
    extra = {"t": t, "device": DEVICE}
    extra.update(overrides)
    return run_playbook(playbook_path("portal_tenancy.yml"), extra_vars=extra, env=portal_env(sims), check=check,
                        diff=True)


def drive(sims, owner, name):
    tenant = acme(sims)
    uid = tenant["users"][owner]["uid"]
    found = [d for d in tenant.get("cloud_drives", {}).values() if d["owner"] == uid and d["name"] == name]
    return found[0] if found else None


def sdk_admin(sims):
    portal = sims.info["portal"]
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=portal["ca_path"])  # pylint: disable=protected-access
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    client = cterasdk.GlobalAdmin(host, int(port))
    client.login(portal["username"], portal["password"])
    return client


def test_tenancy_lifecycle(portal_sims):
    sims = portal_sims
    t = uuid.uuid4().hex[:6]
    svc = "svc-" + t

    check = run(sims, t, check=True)
    assert check.rc == 0, check.stdout + check.stderr
    assert check.changed() == 7  # plan, tenant, user, folder group, two folders, zone
    before = state(sims)
    assert "gold-" + t not in before["plans"] and "co-" + t not in before["tenants"]
    assert svc not in before["tenants"]["acme"]["users"] and not before["tenants"]["acme"].get("zones")
    assert "censored" in check.result("Activation code") and "code" not in check.result("Activation code")
    assert any("are not cloud folders of tenant 'acme' yet" in w for w in check.result("Zone")["warnings"])

    real = run(sims, t)
    assert real.rc == 0, real.stdout + real.stderr
    assert real.changed() == 7
    for task in ("Plan", "Tenant", "Folder group", "Projects folder", "Zone"):
        key = {"Plan": "plan", "Tenant": "tenant", "Folder group": "folder_group", "Projects folder": "cloud_folder",
               "Zone": "zone"}[task]
        assert check.result(task)[key] == real.result(task)[key], task
    now = state(sims)
    plan = now["plans"]["gold-" + t]
    assert plan["services"]["Cloud Backup"] == "Disabled" and plan["retention"]["daily"] == 14
    assert plan["items"]["appliances"] == 2 and plan["items"]["storage"] == 2048 * 1024 ** 3
    tenant = now["tenants"]["co-" + t]
    assert (tenant["displayName"], tenant["externalPortalId"], tenant["companyName"], tenant["plan"]) == \
        ("Co " + t, "B-" + t, "Co AB", "gold-" + t)
    users = now["tenants"]["acme"]["users"]
    assert now["tenants"]["acme"]["folder_groups"]["fg-" + t]["owner"] == users[svc]["uid"]
    projects, scans = drive(sims, svc, "Projects"), drive(sims, svc, "Scans")
    assert (projects["description"], projects["quota"], projects["winacls"]) == ("Projects of " + t, 10, True)
    assert (scans["quota"], scans["winacls"], scans["deleted"]) == (None, False, False)
    zone = [z for z in now["tenants"]["acme"]["zones"].values() if z["name"] == "zone-" + t][0]
    device_uid = now["tenants"]["acme"]["devices"][DEVICE]["uid"]
    assert (zone["folders"], zone["devices"], zone["description"]) == ([projects["uid"]], [device_uid], "Office zone")
    assert "censored" in real.result("Activation code") and "code" not in real.result("Activation code")
    issued = [c for c, v in now["activation_codes"].items() if v["user"] == svc]
    assert issued and not any(c in real.stdout for c in issued)
    assert [f["name"] for f in real.result("Information")["cloud_folders"]] == ["Projects", "Scans"]
    assert real.result("Zone information")["zones"][0]["folders"] == [{"name": "Projects", "owner": svc}]
    assert real.result("Tenant information")["tenants"][0]["plan"] == "gold-" + t

    admin = sdk_admin(sims)  # an independent reader: cterasdk
    try:
        admin.portals.browse("acme")
        found = admin.cloudfs.drives.find("Projects", core_types.UserAccount(svc), include=["description", "folderQuota"])
        assert (found.description, found.folderQuota) == ("Projects of " + t, 10)
        assert admin.cloudfs.zones.get("zone-" + t).description == "Office zone"
        admin.portals.browse_global_admin()
        assert admin.plans.get("gold-" + t, include=["retentionPolicy"]).retentionPolicy.daily == 14
    finally:
        admin.logout()

    again = run(sims, t)
    assert again.rc == 0 and again.changed() == 0, again.stdout

    changes = {"tenant_display": "Renamed " + t, "tenant_plan": "Default", "plan_daily": 21, "group_owner": "",
               "folder_quota": 0, "folder_description": "", "zone_folders": [{"name": "Scans", "owner": svc}],
               "zone_folders_mode": "append"}
    changed = run(sims, t, **changes)
    assert changed.rc == 0, changed.stdout + changed.stderr
    assert changed.changed() == 5
    assert changed.result("Tenant")["diff"] == {"before": {"display_name": "Co " + t, "plan": "gold-" + t},
                                                "after": {"display_name": "Renamed " + t, "plan": "Default"}}
    assert changed.result("Projects folder")["diff"]["after"] == {"description": None, "quota_gb": 0}
    now = state(sims)
    assert now["plans"]["gold-" + t]["retention"]["daily"] == 21
    tenant = now["tenants"]["co-" + t]
    assert (tenant["displayName"], tenant["plan"], tenant["companyName"]) == ("Renamed " + t, "Default", "Co AB")
    assert now["tenants"]["acme"]["folder_groups"]["fg-" + t]["owner"] is None
    assert (drive(sims, svc, "Projects")["quota"], drive(sims, svc, "Projects")["description"]) == (None, None)
    zone = [z for z in now["tenants"]["acme"]["zones"].values() if z["name"] == "zone-" + t][0]
    assert sorted(zone["folders"]) == sorted([projects["uid"], scans["uid"]])
    assert run(sims, t, **changes).changed() == 0

    gone = run(sims, t, tenant_state="absent", scans_state="absent", zone_folders=[{"name": "Scans", "owner": svc}],
               zone_folders_mode="remove", **dict((k, v) for k, v in changes.items() if not k.startswith("zone")))
    assert gone.rc == 0, gone.stdout + gone.stderr
    assert gone.changed() == 3
    now = state(sims)
    assert now["tenants"]["co-" + t]["deleted"] is True
    assert drive(sims, svc, "Scans")["deleted"] is True
    assert gone.result("Information")["cloud_folders"][1]["deleted"] is True
    assert gone.result("Tenant information")["tenants"][0]["deleted"] is True

    back = run(sims, t, **dict((k, v) for k, v in changes.items() if not k.startswith("zone")))
    assert back.rc == 0, back.stdout + back.stderr
    assert back.result("Tenant")["changed"] and back.result("Scans folder")["changed"]
    assert state(sims)["tenants"]["co-" + t]["deleted"] is False
    assert drive(sims, svc, "Scans")["deleted"] is False and drive(sims, svc, "Scans")["uid"] == scans["uid"]

    purge = run(sims, t, scans_state="absent", scans_permanently=True,
                **dict((k, v) for k, v in changes.items() if not k.startswith("zone")))
    assert purge.rc == 0 and purge.result("Scans folder")["changed"], purge.stdout
    assert drive(sims, svc, "Scans") is None


def test_bad_input_refused_before_any_write(portal_sims):
    sims = portal_sims
    t = uuid.uuid4().hex[:6]
    setup = run(sims, t, zone_devices=[])
    assert setup.rc == 0, setup.stdout
    before = state(sims)
    result = run_playbook(playbook_path("portal_tenancy_bad_input.yml"), env=portal_env(sims),
                          extra_vars={"t": t, "bad_tenant": "Bad_Tenant", "bad_retention": -1, "bad_quota": -5})
    assert result.rc == 0, result.stdout
    messages = [result.result("Bad %d" % i).get("msg", "") for i in range(9)]
    assert result.stdout.count("...ignoring") == 9, result.stdout
    assert "name 'Bad_Tenant' is not a valid tenant name" in messages[0]
    assert "retention.daily must be 0 or more" in messages[1]
    assert "quota_gb must be 0 (no quota) or more" in messages[2]
    assert "group is required to create cloud folder" in messages[3]
    assert "folders[0].owner must not be empty" in messages[4]
    assert "owner 'nobody-%s' is not a user of tenant 'acme'" % t in messages[5]
    assert "plan 'no-such-plan-%s' does not exist" % t in messages[6]
    assert "devices 'no-such-filer-%s' are not devices of tenant 'acme'" % t in messages[7]
    assert "permanently is only for state=absent" in messages[8]
    after = state(sims)
    for key in ("plans", "activation_codes"):
        after.pop(key, None)
        before.pop(key, None)
    assert after["tenants"] == before["tenants"]
