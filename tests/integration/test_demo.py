# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make demo`` (playbooks/demo.py) as a user runs it: it exits 0 (its second run changed nothing), and what it
did is read back from the simulators' own state (GET /_sim/state, written by ``--state-file`` before they stop):
each office's filers are connected to the portal as the office's user, show exactly their office's cloud folders
(cloud/users/{owner}/{folder}) and have their shares on them; each office's zone gives its folders to its filers
only; the fleet report lists for each filer the folders its cloud volume holds.
"""

import json
import os
import subprocess
import sys

import pytest

import integration_support
from integration_support import COLLECTIONS, REPO

# office -> tenant, folder owner (user name, display name), folders, filers, shares (name -> folder)
OFFICES = {
    "Stockholm": {"tenant": "acme", "owner": ("anna.berg", "Anna Berg"), "zone": "stockholm",
                  "folders": ["Projects", "Public"], "filers": ["edge-001", "edge-002"],
                  "shares": {"projects": "Projects", "public": "Public"}},
    "Oslo": {"tenant": "globex", "owner": ("ola.hansen", "Ola Hansen"), "zone": "oslo",
             "folders": ["Finance", "Team"], "filers": ["edge-003", "edge-004"],
             "shares": {"team": "Team", "finance": "Finance"}},
}


@pytest.mark.one_mode("the whole demo (two onboarding runs and the report, about a minute); its modules run in both "
                      "modes in test_roles, test_role_cloud_folders and test_role_device")
def test_demo_gives_each_office_its_own_folders(tmp_path):
    state_file = tmp_path / "state.json"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               **integration_support.EXECUTION_MODE_ENV)
    proc = subprocess.run([sys.executable, os.path.join(REPO, "playbooks", "demo.py"), "--output", str(tmp_path),
                           "--state-file", str(state_file)], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=900, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "Second run: changed=0 " in out, out[-3000:]
    first = int(out.split("First run: ", 1)[1].split(" ", 1)[0])
    assert first > 0

    world = json.loads(state_file.read_text())
    portal = world["portal"]
    report = json.loads((tmp_path / "fleet-report.json").read_text())
    reported = dict((f["name"], f) for office in report["offices"] for f in office["filers"])
    for office, spec in OFFICES.items():
        tenant = portal["tenants"][spec["tenant"]]
        user, display = spec["owner"]
        owner_uid = tenant["users"][user]["uid"]
        drives = dict((d["uid"], d) for d in tenant["cloud_drives"].values() if not d["deleted"])
        assert sorted(d["name"] for d in drives.values() if d["owner"] == owner_uid) == spec["folders"], office
        zones = [z for z in tenant["zones"].values() if z["name"] == spec["zone"]]
        assert len(zones) == 1, office
        assert sorted(drives[uid]["name"] for uid in zones[0]["folders"]) == spec["folders"], office
        assert sorted(zones[0]["devices"]) == sorted(tenant["devices"][name]["uid"] for name in spec["filers"]), office
        expected_tree = ["users", "users/" + display] + ["users/%s/%s" % (display, f) for f in spec["folders"]]
        for name in spec["filers"]:
            filer = world["edges"][name]
            # Connected to the demo's portal (not the stand-in portal.filefleet.test) as the office's user.
            assert filer["config"]["services"]["server"] == world["portal_url"].split("://", 1)[1], name
            assert (filer["config"]["services"]["user"], filer["portal"]["tenant"]) == (user, spec["tenant"]), name
            # Exactly the office's folders: the other office's are not on its cloud volume.
            assert sorted(filer["volume_tree"]["cloud"]) == sorted(expected_tree), name
            shares = dict((s["name"], (s["volume"], s["directory"])) for s in filer["config"]["fileservices"]["share"]
                          if s["name"] != "cloud")
            assert shares == dict((share, ("cloud", "users/%s/%s" % (display, folder)))
                                  for share, folder in spec["shares"].items()), name
            assert filer["config"]["cloudsync"]["mode"] == "enabled", name
            # The fleet report shows the folders the filer's cloud volume holds.
            assert [[f["owner"], f["name"]] for f in reported[name]["cloud_folders"]] == \
                [[display, folder] for folder in spec["folders"]], name
    assert "Oslo       edge-003  Ola Hansen/Finance, Ola Hansen/Team" in out
