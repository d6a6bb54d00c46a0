# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two offices in one tenant see only their own cloud folders on their filers.

Filers connected to the Portal simulator show on their ``cloud`` volume, under ``users/{owner's display
name}/{folder}``, the cloud folders their zones give them (or, with no zone, those of the user they connected as);
a share on a folder that is not there is refused. One ansible-playbook run (playbooks/office_cloud_folders.yml)
creates the folders, connects the filers, makes the zones and the shares; the filers' volumes are read from the
Edge simulators' own state (/_sim/state) after each step, and the Portal's zones through cterasdk.
"""

import uuid

import aiohttp.connector
import pytest

import cterasdk

from integration_support import playbook_path, portal_env, run_playbook
from simulators.harness import Simulators

PW = "Office-Passw0rd-1"


@pytest.fixture
def offices_sims(tmp_path):
    """A portal and two filers of their own (the filers connect to the portal as the offices' users)."""
    with Simulators(str(tmp_path / "sims"), portal=True, edges=2) as running:
        yield running


def cloud(state):
    return state["volume_tree"]["cloud"]


def shares(state):
    """(name, volume, directory) of a filer's shares other than the whole cloud volume, sorted."""
    return sorted((s["name"], s["volume"], s["directory"]) for s in state["config"]["fileservices"]["share"]
                  if s["name"] != "cloud")


@pytest.mark.one_mode("about what the simulators show; the modules it runs are tested in both modes elsewhere")
def test_two_offices_see_only_their_folders(offices_sims):
    sims = offices_sims
    t = uuid.uuid4().hex[:6]
    edges = sims.info["edges"]
    filers = [{"name": e["name"], "url": e["url"], "username": e["username"], "password": e["password"]} for e in edges]
    offices = [{"key": "sto", "first": "Sto", "folders": ["Projects", "Public"], "zone_folder": "Projects",
                "filer": filers[0]},
               {"key": "oslo", "first": "Oslo", "folders": ["Finance"], "zone_folder": "Finance", "filer": filers[1]}]
    server = sims.info["portal"]["url"].split("://", 1)[1]
    run = run_playbook(playbook_path("office_cloud_folders.yml"), env=portal_env(sims),
                       extra_vars={"t": t, "server": server, "ca": sims.info["portal"]["ca_path"], "pw": PW,
                                   "offices": offices})
    assert run.rc == 0, run.stdout + run.stderr

    def facts(task):
        """The facts a set_fact task set (its last loop item's, for a loop)."""
        result = run.result(task)
        return result["results"][-1]["ansible_facts"] if "results" in result else result["ansible_facts"]

    # No zone yet: each filer shows the folders of the user it connected as.
    sto, oslo = facts("Filers without zones")["without_zones"]
    assert cloud(sto) == ["users", "users/Sto Svc", "users/Sto Svc/Projects", "users/Sto Svc/Public"]
    assert cloud(oslo) == ["users", "users/Oslo Svc", "users/Oslo Svc/Finance"]
    assert sto["portal"]["tenant"] == oslo["portal"]["tenant"] == "acme"

    # Zones: each filer shows exactly its zone's folders.
    sto, oslo = facts("Filers with zones")["with_zones"]
    assert cloud(sto) == ["users", "users/Sto Svc", "users/Sto Svc/Projects"]
    assert cloud(oslo) == ["users", "users/Oslo Svc", "users/Oslo Svc/Finance"]

    # A share on the other office's folder is refused by the filer, as for any folder that is not there.
    refused = [r for r in run.tasks if r["task"] == "Share on the other office's folder"]
    assert [r["status"] for r in refused] == ["failed"]
    assert "Directory does not exist: cloud/users/Oslo Svc/Finance" in refused[0]["result"]["msg"]

    # A new folder shows only once it is in the filer's zone, and then takes a share.
    assert cloud(facts("New folder not in the zone yet")["before_zone"]) == cloud(sto)
    sto, oslo = facts("Filers at the end")["at_end"]
    assert cloud(sto) == ["users", "users/Sto Svc", "users/Sto Svc/Projects", "users/Sto Svc/Scans"]
    assert cloud(oslo) == ["users", "users/Oslo Svc", "users/Oslo Svc/Finance"]
    assert shares(sto) == [("Projects", "cloud", "users/Sto Svc/Projects"), ("Scans", "cloud", "users/Sto Svc/Scans")]
    assert shares(oslo) == [("Finance", "cloud", "users/Oslo Svc/Finance")]

    # The portal's zones as cterasdk reads them (an independent client).
    portal = sims.info["portal"]
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=portal["ca_path"])  # pylint: disable=protected-access
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    admin = cterasdk.GlobalAdmin(host, int(port))
    admin.login(portal["username"], portal["password"])
    try:
        admin.portals.browse("acme")
        for name, folders in (("zone-sto-" + t, 2), ("zone-oslo-" + t, 1)):
            zone = admin.cloudfs.zones.get(name)
            assert (zone.totalFolders, zone.totalDevices) == (folders, 1), name
    finally:
        admin.logout()
