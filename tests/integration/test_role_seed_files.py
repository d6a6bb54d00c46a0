# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""office_onboarding with office_seed_files: the office's cloud folders filled from a local template tree once, on
the leader, read back from the Portal simulator's state (every file with the template's SHA-256); a rerun moves
nothing; a seed entry naming a folder the office does not have is refused before any write."""

import hashlib
import os

import yaml

import pytest

from integration_support import run_playbook
from office_helpers import PLAYBOOKS
from simulators.harness import Simulators

ONBOARD = PLAYBOOKS + "/onboard_office.yml"
TAGS = "users,cloud,seed"


def _inventory(path, edges, seeds, folders=("Projects",)):
    hosts = dict((name, {}) for name in edges)
    office = {"office_name": "Stockholm", "office_tenant": "acme", "office_leader": edges[0],
              "office_users": [{"name": "svc.sto", "email": "svc.sto@acme.example", "first_name": "Svc",
                                "last_name": "Stockholm", "password": "Svc-Passw0rd-1", "role": "EndUser"}],
              "office_cloud": {"owner": "svc.sto", "folder_group": "fg-sto",
                               "folders": [{"name": name} for name in folders]},
              "office_seed_files": seeds}
    inventory = {"all": {"vars": {"ansible_connection": "local",
                                  "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                         "children": {"offices": {"children": {"stockholm": {"hosts": hosts, "vars": office}}}}}}
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle)
    return path


@pytest.mark.one_mode("a role run; ctera_file runs in both modes in test_ctera_file")
def test_seed_files_once_per_office(tmp_path):
    template = tmp_path / "template"
    (template / "Admin" / "Forms").mkdir(parents=True)
    (template / "Admin" / "Forms" / "travel form.txt").write_text("Resa: Stockholm\n")
    (template / "README.txt").write_bytes(os.urandom(70000))
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.4 policy" * 100)
    expected = {"Admin/Forms/travel form.txt", "README.txt", "policies/it-policy.pdf"}
    with Simulators(str(tmp_path / "sims"), portal=True) as sims:
        portal = sims.info["portal"]
        env = {"CTERA_PORTAL_URL": portal["url"], "CTERA_PORTAL_USERNAME": portal["username"],
               "CTERA_PORTAL_PASSWORD": portal["password"], "CTERA_CA_PATH": portal["ca_path"]}
        seeds = [{"src": str(template), "folder": "Projects"},
                 {"src": str(policy), "folder": "Projects", "path": "policies/it-policy.pdf"}]

        refused = run_playbook(ONBOARD, inventory=_inventory(str(tmp_path / "bad.yml"), ["sto-1"], seeds + [
            {"src": str(template), "folder": "Finance"}]), env=env, tags=TAGS)
        assert refused.rc != 0
        assert "office_seed_files[2].folder \"Finance\" is not one of the folders of office_cloud.folders" \
            in refused.stdout, refused.stdout[-3000:]
        assert "svc.sto" not in sims.state(portal)["tenants"].get("acme", {}).get("users", {})  # nothing written

        inventory = _inventory(str(tmp_path / "office.yml"), ["sto-1", "sto-2"], seeds)
        first = run_playbook(ONBOARD, inventory=inventory, env=env, tags=TAGS)
        assert first.rc == 0, first.stdout[-6000:]
        seeded = [r for r in first.tasks if r["action"].endswith("ctera_file") and r["status"] != "skipped"]
        assert sorted(set(r["host"] for r in seeded)) == ["sto-1"]  # the leader only
        acme = sims.state(portal)["tenants"]["acme"]
        uid = next(u for u, d in acme["cloud_drives"].items() if d["name"] == "Projects")
        files = acme["cloud_files"][uid]
        assert set(k for k, v in files.items() if not v["dir"]) == expected
        for rel in ("Admin/Forms/travel form.txt", "README.txt"):
            assert files[rel]["sha256"] == hashlib.sha256((template / rel).read_bytes()).hexdigest(), rel
        assert files["policies/it-policy.pdf"]["sha256"] == hashlib.sha256(policy.read_bytes()).hexdigest()

        again = run_playbook(ONBOARD, inventory=inventory, env=env, tags=TAGS)
        assert again.rc == 0 and again.changed() == 0, again.stdout[-6000:]
