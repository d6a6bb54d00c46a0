# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""office_onboarding's device stage: a factory-fresh office onboarded in one run.

Two factory-fresh filers (no administrator, not joined, not connected) and a portal. Check mode first: it
predicts every change the real run then makes (the same tasks report changed on the same filers), warns that the
predictions depend on the setup by earlier tasks, and writes nothing (the simulators' state is unchanged). Then the
real run, read back through the simulators' own state (filers: administrator, settings, domain, local users and
groups, portal connection, the office's cloud folder on the cloud volume, the share on it, sync; portal: the
account, the tenant's devices, the zone) and the portal's device list read with cterasdk. Then a rerun that changes
nothing.
"""

import json

import yaml

from integration_support import run_playbook
from office_helpers import PLAYBOOKS
from simulators.harness import Simulators

import pytest

ONBOARD = PLAYBOOKS + "/onboard_office.yml"
CONNECT_PASSWORD = "Connect-Passw0rd-9"
LOCAL_PASSWORD = "Scanner-Passw0rd-7"
ZONE = "(GMT+01:00) Amsterdam, Berlin, Stockholm"


@pytest.fixture()
def factory_office(tmp_path):
    sims = Simulators(str(tmp_path / "sims"), portal=True, edges=2, edge_factory=True)
    sims.start()
    yield sims
    sims.stop()


def _inventory(sims, path):
    directory = sims.info["directory"]
    hosts = {}
    for edge in sims.info["edges"]:
        assert edge["factory"] is True
        hosts[edge["name"]] = {"edge_url": edge["url"], "edge_username": edge["username"],
                               "edge_password": edge["password"]}
    office = {
        "office_name": "Uppsala", "office_tenant": "acme", "office_leader": "edge-001",
        "office_users": [{"name": "upp.filers", "email": "filers@acme.example", "first_name": "Uppsala",
                          "last_name": "Filers", "password": CONNECT_PASSWORD, "role": "ReadWriteAdmin",
                          "groups": ["uppsala-staff"]}],
        "office_groups": [{"name": "uppsala-staff", "description": "Uppsala"}],
        "office_device": {
            "setup": True, "admin_email": "it@acme.example",
            "hostname": "{{ inventory_hostname }}", "location": "Uppsala, floor 2", "timezone": ZONE,
            "ntp_servers": ["0.pool.ntp.org", "1.pool.ntp.org"],
            "domain": {"name": directory["domain"], "username": directory["username"],
                       "password": "{{ vault_domain_join_password }}"},
            "local_users": [{"name": "scanner", "full_name": "Office scanner", "password": LOCAL_PASSWORD}],
            "local_groups": [{"name": "scanners", "description": "Scanners",
                              "members": [{"type": "local_user", "name": "scanner"},
                                          {"type": "domain_group", "name": "CORP\\Engineering"}]}],
            "portal": {"user": "upp.filers", "password": "{{ vault_portal_connect_password }}",
                       "ca_path": sims.info["portal"]["ca_path"], "license": "EV32"},
        },
        # The office's own cloud folder, owned by the account the filers connect as, and a zone giving it to them:
        # once connected, the filers show it as cloud/users/Uppsala Filers/Scans, where the share goes.
        "office_cloud": {"owner": "upp.filers", "folder_group": "uppsala", "zone": "uppsala",
                         "folders": [{"name": "Scans", "description": "Scans of Uppsala"}]},
        "office_shares": [{"name": "scans", "directory": "cloud/users/Uppsala Filers/Scans", "comment": "Scans",
                           "acl": [{"type": "local_group", "name": "scanners", "permission": "ReadWrite"},
                                   {"type": "domain_group", "name": "CORP\\Domain Users", "permission": "ReadOnly"}]}],
        "office_sync": {"state": "enabled"},
        # As a vault-encrypted group_vars file would hold them.
        "vault_domain_join_password": directory["password"],
        "vault_portal_connect_password": CONNECT_PASSWORD,
    }
    inventory = {"all": {"vars": {"ansible_connection": "local",
                                  "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                         "children": {"offices": {"children": {"uppsala": {"hosts": hosts, "vars": office}}}}}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle)
    return path


def _env(sims):
    portal = sims.info["portal"]
    return {"CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
            "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"]}


def _world(sims):
    """The simulators' state, without the empty collections the Portal simulator makes in a tenant on the first
    read of them (zones, folder groups, cloud drives): a read, not a write."""
    worlds = []
    for entry in [sims.info["portal"]] + sims.info["edges"]:
        state = sims.state(entry)
        for tenant in (state.get("tenants") or {}).values():
            for key in [k for k, v in tenant.items() if v == {}]:
                del tenant[key]
        worlds.append(json.dumps(state, sort_keys=True))
    return worlds


def _action(run, module, host):
    found = [r["result"] for r in run.tasks if r["action"] == "filefleet.office." + module and r["host"] == host]
    assert len(found) == 1, (module, host, len(found))
    return found[0]


def _changed(run):
    return sorted(set((r["host"], r["task"]) for r in run.tasks if r["result"].get("changed")))


def _portal_devices_sdk(sims):
    """The tenant's devices as cterasdk lists them (an independent client of the portal)."""
    import aiohttp  # pylint: disable=import-outside-toplevel
    import cterasdk  # pylint: disable=import-outside-toplevel
    portal = sims.info["portal"]
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=portal["ca_path"])  # pylint: disable=protected-access
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    admin = cterasdk.GlobalAdmin(host, int(port))
    admin.login(portal["username"], portal["password"])
    try:
        admin.portals.browse("acme")
        return sorted(device.name for device in admin.devices.filers(include=["name"]))
    finally:
        admin.logout()


def test_factory_office_onboarded_in_one_run(factory_office, tmp_path):
    sims = factory_office
    inventory = _inventory(sims, str(tmp_path / "office.yml"))
    env = _env(sims)
    before = _world(sims)

    predicted = run_playbook(ONBOARD, inventory=inventory, env=env, check=True, diff=True)
    assert predicted.rc == 0, predicted.stdout[-6000:]
    assert _world(sims) == before, "check mode wrote to a simulator"
    warnings = " ".join(w for r in predicted.tasks for w in r["result"].get("warnings") or [])
    assert "has no administrator yet (factory-fresh)" in warnings and "edge_portal_connection" in warnings
    connection = _action(predicted, "edge_portal_connection", "edge-002")
    assert connection["portal_connection"]["state"] == "connected"
    assert connection["portal_connection"]["portal_user"] == "upp.filers"
    sync = _action(predicted, "edge_sync", "edge-002")
    assert sync["sync"]["state"] == "enabled" and sync["sync"]["portal_connection"] == "Connected"

    first = run_playbook(ONBOARD, inventory=inventory, env=env)
    assert first.rc == 0, first.stdout[-6000:]
    # Check mode predicted the whole run: the same tasks change the same filers.
    assert _changed(predicted) == _changed(first), (set(_changed(predicted)) ^ set(_changed(first)))
    # per filer: setup, settings, domain, local user, local group, connection, share; leader: account, group, users,
    # folder group, cloud folder, zone
    assert len(_changed(first)) == 20

    server = sims.info["portal"]["url"].split("://", 1)[1]
    for edge in sims.info["edges"]:
        state = sims.state(edge)
        config = state["config"]
        assert state["initialized"] is True
        assert config["device"]["hostname"] == edge["name"]
        assert config["device"]["location"] == "Uppsala, floor 2"
        assert config["time"]["TimeZone"] == ZONE
        assert config["time"]["NTPMode"] == "enabled"
        assert config["time"]["NTPServer"] == ["0.pool.ntp.org", "1.pool.ntp.org"]
        assert state["domain_join"]["joined"] is True
        assert config["fileservices"]["cifs"]["domain"] == sims.info["directory"]["domain"]
        users = dict((u["username"], u) for u in config["auth"]["users"])
        assert users["scanner"]["fullName"] == "Office scanner" and LOCAL_PASSWORD not in json.dumps(state)
        assert edge["username"] in users
        groups = dict((g["name"], g) for g in config["auth"]["groups"])
        assert sorted(m.get("ref") or m.get("name") for m in groups["scanners"]["members"]) == \
            ["#config#auth#users#scanner", "CORP\\Engineering"]
        assert config["services"]["server"] == server and config["services"]["user"] == "upp.filers"
        assert state["portal"]["connected"] is True and state["portal"]["tenant"] == "acme"
        assert config["device"]["activeLicenseType"] == "vGateway32"
        # The office's folder, as the portal's zone gives it to the filer, and the share on it.
        assert state["volume_tree"]["cloud"] == ["users", "users/Uppsala Filers", "users/Uppsala Filers/Scans"]
        assert [(s["name"], s["volume"], s["directory"]) for s in config["fileservices"]["share"]
                if s["name"] == "scans"] == [("scans", "cloud", "users/Uppsala Filers/Scans")]
        assert config["cloudsync"]["mode"] == "enabled"
    tenant = sims.state(sims.info["portal"])["tenants"]["acme"]
    assert "upp.filers" in tenant["users"]
    zone = [z for z in tenant["zones"].values() if z["name"] == "uppsala"]
    assert [sorted(z["devices"]) for z in zone] == [sorted(tenant["devices"][e["name"]]["uid"] for e in sims.info["edges"])]
    assert {"edge-001", "edge-002"} <= set(tenant["devices"])
    assert {"edge-001", "edge-002"} <= set(_portal_devices_sdk(sims))
    for secret in (CONNECT_PASSWORD, LOCAL_PASSWORD, sims.info["directory"]["password"]):
        assert secret not in first.output() and secret not in predicted.output()

    again = run_playbook(ONBOARD, inventory=inventory, env=env)
    assert again.rc == 0, again.stdout[-6000:]
    assert again.changed() == 0, _changed(again)
