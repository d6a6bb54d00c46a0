# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cterasdk 2.20.50, unchanged, performs the tenancy and cloud folder operations against the Portal simulator:
plans (add, modify, delete), tenants (add with a plan, subscribe, delete to the trash can, undelete), folder
groups, cloud drive folders (add, modify, delete, recover, permanent delete), zones (add, folders, devices,
delete) and activation codes. Outcomes are checked through the SDK and through ``GET /_sim/state``.
"""

from __future__ import annotations

import os

import aiohttp.connector
import pytest

import cterasdk
from cterasdk import core_types
from cterasdk.core.enum import PlanItem, PlanRetention, PlanService, PlanServiceState, Role
from cterasdk.exceptions import CTERAException
from cterasdk.exceptions.transport import BadRequest

from simulators.harness import Simulators
from simulators.portal import PortalService


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("portal-tenancy-sim"))
    seed = PortalService(os.path.join(state_dir, "portal.json"))
    seed.register_device("acme-filer-1", "acme", "https://127.0.0.1:9001")
    seed.register_device("acme-filer-2", "acme", "https://127.0.0.1:9002")
    with Simulators(state_dir, portal=True) as running:
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
            cafile=running.info["portal"]["ca_path"])
        yield running


@pytest.fixture()
def admin(sims):
    portal = sims.info["portal"]
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    client = cterasdk.GlobalAdmin(host, int(port))
    client.login(portal["username"], portal["password"])
    yield client
    client.logout()


def _state(sims):
    return sims.state(sims.info["portal"])


def test_plans_add_modify_delete(sims, admin):
    admin.plans.add("Gold", services={PlanService.CloudBackup: PlanServiceState.Disabled},
                    retention={PlanRetention.Daily: 14}, quotas={PlanItem.EV8: 3, PlanItem.Storage: "2TB"})
    plan = _state(sims)["plans"]["Gold"]
    assert plan["services"]["Cloud Backup"] == "Disabled" and plan["services"]["Cloud folders"] == "OK"
    assert plan["retention"]["daily"] == 14 and plan["retention"]["hourly"] == 24
    assert plan["items"]["vGateways8"] == 3 and plan["items"]["storage"] == 2 * 1024 ** 4
    with pytest.raises(CTERAException):
        admin.plans.add("Gold")
    admin.plans.modify("Gold", retention={PlanRetention.Deleted: 60}, quotas={PlanItem.Share: 25})
    read = admin.plans.get("Gold", include=["retentionPolicy", "cloudDrives", "vGateways8"])
    assert read.retentionPolicy.retainDeleted == 60 and read.retentionPolicy.daily == 14
    assert read.cloudDrives.amount == 25 and read.vGateways8.amount == 3
    admin.plans.add("Scratch")
    admin.plans.delete("Scratch")
    assert "Scratch" not in _state(sims)["plans"]


def test_tenant_with_plan_subscribe_trash_and_back(sims, admin):
    admin.plans.add("Silver")
    assert admin.portals.add("hooli", display_name="Hooli", billing_id="B-7", company="Hooli Inc.",
                             plan="Silver", comment="MSP customer") == "/portals/hooli"
    tenant = _state(sims)["tenants"]["hooli"]
    assert (tenant["plan"], tenant["externalPortalId"], tenant["comment"]) == ("Silver", "B-7", "MSP customer")
    admin.portals.subscribe("hooli", "Default")
    assert _state(sims)["tenants"]["hooli"]["plan"] == "Default"
    with pytest.raises(CTERAException):
        admin.plans.delete("Default")  # tenants subscribe to it
    admin.portals.delete("hooli")
    assert _state(sims)["tenants"]["hooli"]["deleted"] is True
    assert "hooli" in [t.name for t in admin.portals.tenants(include_deleted=True)]
    admin.portals.undelete("hooli")
    assert _state(sims)["tenants"]["hooli"]["deleted"] is False


def test_folder_groups_cloud_folders_and_recovery(sims, admin):
    admin.portals.browse("acme")
    admin.users.add("svc-sthlm", "svc@acme.example", "Stockholm", "Service", "Passw0rd!", Role.EndUser)
    owner = core_types.UserAccount("svc-sthlm")
    admin.cloudfs.groups.add("sthlm-fg", owner)
    assert admin.cloudfs.groups.get("sthlm-fg").owner.endswith("/PortalUser/svc-sthlm")
    path = admin.cloudfs.drives.add("Projects", group="sthlm-fg", owner=owner, winacls=True,
                                    description="Shared projects", quota=50)
    assert path == "/Users/Stockholm Service/Projects"
    drive = next(iter(_state(sims)["tenants"]["acme"]["cloud_drives"].values()))
    assert (drive["name"], drive["description"], drive["quota"], drive["winacls"]) == \
        ("Projects", "Shared projects", 50, True)
    admin.cloudfs.drives.modify("Projects", owner, description="Projects of Stockholm", quota=80)
    found = admin.cloudfs.drives.find("Projects", owner, include=["description", "folderQuota", "uid"])
    assert (found.description, found.folderQuota) == ("Projects of Stockholm", 80)
    assert [d.name for d in admin.cloudfs.drives.all(user=owner)] == ["Projects"]
    admin.cloudfs.drives.delete("Projects", owner)
    assert list(admin.cloudfs.drives.all(user=owner)) == []
    assert _state(sims)["tenants"]["acme"]["cloud_drives"][str(found.uid)]["deleted"] is True
    # drives.recover is files.undelete of Users/{display name}/{folder}; the SDK only lets a role with "access end
    # user folders" send it, which the simulator's ReadWriteAdmin role settings do not grant (as a portal's
    # defaults), so the permission is granted on the client side here.
    admin.session().account.role.access_end_user_folders = True
    admin.cloudfs.drives.recover("Projects", owner)
    assert _state(sims)["tenants"]["acme"]["cloud_drives"][str(found.uid)]["deleted"] is False
    with pytest.raises(BadRequest):
        admin.cloudfs.groups.delete("sthlm-fg")  # still holds a folder
    admin.cloudfs.drives.delete("Projects", owner, permanently=True)
    assert _state(sims)["tenants"]["acme"]["cloud_drives"] == {}
    admin.cloudfs.groups.delete("sthlm-fg")
    assert _state(sims)["tenants"]["acme"]["folder_groups"] == {}


def test_zones_folders_devices(sims, admin):
    admin.portals.browse("acme")
    admin.users.add("svc-oslo", "oslo@acme.example", "Oslo", "Service", "Passw0rd!", Role.EndUser)
    owner = core_types.UserAccount("svc-oslo")
    admin.cloudfs.groups.add("oslo-fg", owner)
    admin.cloudfs.drives.add("Oslo-Docs", group="oslo-fg", owner=owner)
    admin.cloudfs.drives.add("Oslo-Media", group="oslo-fg", owner=owner)
    admin.cloudfs.zones.add("oslo-zone", description="Oslo office")
    with pytest.raises(CTERAException):
        admin.cloudfs.zones.add("oslo-zone")
    admin.cloudfs.zones.add_folders("oslo-zone", [core_types.CloudFSFolderFindingHelper("Oslo-Docs", owner)])
    admin.cloudfs.zones.add_devices("oslo-zone", ["acme-filer-2"])
    zone = admin.cloudfs.zones.get("oslo-zone")
    assert (zone.name, zone.description) == ("oslo-zone", "Oslo office")
    expanded = next(admin.cloudfs.zones.list_zones(expand_zone=True))
    assert [f.name for f in expanded.cloudfolders] == ["Oslo-Docs"]
    assert [d.name for d in expanded.devices] == ["acme-filer-2"]
    stored = _state(sims)["tenants"]["acme"]["zones"][str(zone.zoneId)]
    assert len(stored["folders"]) == 1 and len(stored["devices"]) == 1
    assert [z.name for z in admin.cloudfs.zones.search("oslo")] == ["oslo-zone"]
    admin.cloudfs.zones.delete("oslo-zone")
    assert _state(sims)["tenants"]["acme"]["zones"] == {}


def test_activation_code(admin):
    admin.portals.browse("acme")
    admin.users.add("filer-link", "link@acme.example", "Filer", "Link", "Passw0rd!", Role.EndUser)
    admin.portals.browse_global_admin()
    code = admin.activation.generate_code("filer-link", "acme")
    assert isinstance(code, str) and len(code) >= 8
