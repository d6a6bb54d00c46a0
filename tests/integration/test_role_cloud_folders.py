# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""office_onboarding with office_cloud: two offices in one tenant, each with its folder group, cloud folders and
zone, its filer connected to the portal as the office's service user, and shares on the office's folders.

Read back from the simulators' own state: the portal's folders and zones, and each filer's cloud volume (only its
own office's folders) and shares. A second run changes nothing. office_offboarding then deletes the zones and moves
the folders to the recycle bin only for the office whose inventory asks for it.
"""

import json

import yaml

import pytest

from integration_support import run_playbook
from office_helpers import PLAYBOOKS
from simulators.harness import Simulators

ONBOARD = PLAYBOOKS + "/onboard_office.yml"
OFFBOARD = PLAYBOOKS + "/offboard_office.yml"
PASSWORD = "Svc-Passw0rd-1"
CLOUD_ACTIONS = ("ctera_cloud_folder", "ctera_folder_group", "ctera_share", "ctera_zone")
OFFICES = (("stockholm", "Stockholm", ["Projects", "Scans"]), ("oslo", "Oslo", ["Finance"]))


@pytest.fixture
def two_offices(tmp_path):
    with Simulators(str(tmp_path / "sims"), portal=True, edges=2) as sims:
        yield sims


def _inventory(sims, path):
    offices = {}
    for (key, city, folders), edge in zip(OFFICES, sims.info["edges"]):
        svc = "svc." + key
        offices[key] = {
            "hosts": {edge["name"]: {"edge_url": edge["url"], "edge_username": edge["username"],
                                     "edge_password": edge["password"]}},
            "vars": {
                "office_name": city, "office_tenant": "acme", "office_leader": edge["name"],
                "office_users": [{"name": svc, "email": svc + "@acme.example", "first_name": "Svc", "last_name": city,
                                  "password": PASSWORD, "role": "EndUser"}],
                "office_device": {"portal": {"user": svc, "password": PASSWORD, "force": True,
                                             "ca_path": sims.info["portal"]["ca_path"]}},
                "office_cloud": {"owner": svc, "folder_group": "fg-" + key, "zone": "zone-" + key,
                                 "zone_description": city + " office",
                                 "folders": [{"name": name, "description": "%s of %s" % (name, city)}
                                             for name in folders]},
                "office_shares": [{"name": name.lower(), "directory": "cloud/users/Svc %s/%s" % (city, name)}
                                  for name in folders],
            }}
    inventory = {"all": {"vars": {"ansible_connection": "local",
                                  "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                         "children": {"offices": {"children": offices}}}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle)
    return path


def _world(sims):
    """The simulators' state, without the empty collections a read makes in a tenant (zones, folder groups, cloud
    drives) and the filers' background task records (the connection check edge_portal_connection runs in check
    mode, as the SDK does before connecting, is one: a test, not a change)."""
    worlds = []
    for entry in [sims.info["portal"]] + sims.info["edges"]:
        state = sims.state(entry)
        state.pop("tasks", None)
        state.pop("next_task", None)
        for tenant in (state.get("tenants") or {}).values():
            for key in [k for k, v in tenant.items() if v == {}]:
                del tenant[key]
        worlds.append(json.dumps(state, sort_keys=True))
    return worlds


def _changed(run):
    """(host, module) of the folder, zone and share tasks that changed something."""
    return sorted(set((r["host"], r["action"].rsplit(".", 1)[-1]) for r in run.tasks
                      if r["result"].get("changed") and r["action"].rsplit(".", 1)[-1] in CLOUD_ACTIONS))


@pytest.mark.one_mode("a role run over two offices; the modules it uses run in both modes in their own tests")
def test_two_offices_get_their_own_folders_and_zone(two_offices, tmp_path):
    sims = two_offices
    portal = sims.info["portal"]
    env = {"CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
           "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"]}
    inventory = _inventory(sims, str(tmp_path / "offices.yml"))

    before = _world(sims)
    predicted = run_playbook(ONBOARD, inventory=inventory, env=env, check=True, diff=True)
    assert predicted.rc == 0, predicted.stdout[-6000:]
    assert _world(sims) == before  # check mode wrote nothing

    first = run_playbook(ONBOARD, inventory=inventory, env=env)
    assert first.rc == 0, first.stdout[-6000:]
    # Check mode predicted the folder group, folders, zone and shares of each office (on its own filer).
    expected = sorted((edge["name"], action) for edge in sims.info["edges"] for action in CLOUD_ACTIONS)
    assert _changed(first) == expected
    assert _changed(predicted) == expected

    acme = sims.state(portal)["tenants"]["acme"]
    drives = acme["cloud_drives"].values()
    for (key, city, folders), edge in zip(OFFICES, sims.info["edges"]):
        owner = acme["users"]["svc." + key]["uid"]
        mine = dict((d["name"], d) for d in drives if d["owner"] == owner)
        assert sorted(mine) == sorted(folders)
        assert all(d["description"] == "%s of %s" % (d["name"], city) and not d["deleted"] for d in mine.values())
        assert acme["folder_groups"]["fg-" + key]["owner"] == owner
        zone = [z for z in acme["zones"].values() if z["name"] == "zone-" + key][0]
        assert sorted(zone["folders"]) == sorted(d["uid"] for d in mine.values())
        assert zone["devices"] == [acme["devices"][edge["name"]]["uid"]]
        assert zone["description"] == city + " office"

        filer = sims.state(edge)
        assert filer["config"]["services"]["user"] == "svc." + key
        assert filer["volume_tree"]["cloud"] == ["users", "users/Svc " + city] + \
            ["users/Svc %s/%s" % (city, name) for name in sorted(folders)]
        shares = sorted((s["name"], s["directory"]) for s in filer["config"]["fileservices"]["share"]
                        if s["name"] != "cloud")
        assert shares == sorted((name.lower(), "users/Svc %s/%s" % (city, name)) for name in folders)

    again = run_playbook(ONBOARD, inventory=inventory, env=env)
    assert again.rc == 0 and again.changed() == 0, again.stdout[-6000:]

    # Offboarding both offices (each confirmed): the zones go; Oslo's folders go to the recycle bin because its
    # inventory says so, Stockholm's stay; nothing is deleted permanently.
    with open(inventory, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    offices = data["all"]["children"]["offices"]["children"]
    offices["stockholm"]["vars"]["offboarding_confirm"] = "Stockholm"
    offices["oslo"]["vars"].update(offboarding_confirm="Oslo", offboarding_trash_cloud_folders=True)
    with open(inventory, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle)
    gone = run_playbook(OFFBOARD, inventory=inventory, env=env)
    assert gone.rc == 0, gone.stdout[-6000:]
    acme = sims.state(portal)["tenants"]["acme"]
    assert not [z for z in acme["zones"].values() if z["name"] in ("zone-stockholm", "zone-oslo")]
    by_name = dict((d["name"], d) for d in acme["cloud_drives"].values())
    assert sorted(by_name) == ["Finance", "Projects", "Scans"]  # none deleted permanently
    assert (by_name["Finance"]["deleted"], by_name["Projects"]["deleted"], by_name["Scans"]["deleted"]) == \
        (True, False, False)
