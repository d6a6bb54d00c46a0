# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The office_onboarding role on the oldest and the newest ansible-core the collection supports.

meta/runtime.yml says ``requires_ansible: ">=2.16.0"``; the development venv runs 2.19. ``make core-venvs``
makes .venv-core216 (ansible-core 2.16, Python 3.11) and .venv-core221 (ansible-core 2.21, Python 3.12) from
tests/core-versions/requirements-core2*.txt, and these tests run each venv's own ``ansible-playbook`` (with that
venv's Python as the modules' interpreter) against one set of simulators:

* in-process (the default): ``--check`` on a fresh office predicts the changes and writes nothing (read through
  the simulators' own state), the real run makes exactly those changes, a rerun reports changed=0;
* as real modules (FILEFLEET_OFFICE_IN_PROCESS=0), on another fresh office: the first run changes, a rerun does not.

Every run also plays tests/integration/playbooks/core_versions_onboarding.yml's second play: the connection set
once in ``module_defaults`` of group/filefleet.office.ctera_portal, ctera_edge and cloutility, with
``validate_certs`` and ``timeout`` given as ``"{{ undefined | default(omit) }}"``.

A missing venv skips its tests, unless FILEFLEET_REQUIRE_CORE_VERSIONS is set (``make test`` sets it), where it
fails them.
"""

import os
import re

import pytest

from integration_support import REPO, run_playbook
from office_helpers import cloutility_units, credentials_env, filer_state, portal_groups, portal_users, start_fleet

# Both modes are in each test (FILEFLEET_OFFICE_IN_PROCESS is set per run), so the test runs once, not once per
# execution mode of conftest.py.
pytestmark = pytest.mark.one_mode("sets FILEFLEET_OFFICE_IN_PROCESS itself for each playbook run")

PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "core_versions_onboarding.yml")
VENVS = {"core216": ("2.16", ".venv-core216"), "core221": ("2.21", ".venv-core221")}
# One office per (venv, mode), each on its own filer of the fleet (edge-001/002: tenant acme, edge-003/004: globex).
OFFICES = {
    ("core216", "in_process"): ("edge-001", "acme", "Company AB/Stockholm Office"),
    ("core216", "module"): ("edge-002", "acme", "Company AB/Stockholm Office"),
    ("core221", "in_process"): ("edge-003", "globex", "Company AB/Oslo Office"),
    ("core221", "module"): ("edge-004", "globex", "Company AB/Oslo Office"),
}
IN_PROCESS = {"in_process": "1", "module": "0"}


def _venv_bin(key):
    """The venv's bin directory, after checking it runs the expected ansible-core; skips when it is missing."""
    series, name = VENVS[key]
    venv = os.path.join(REPO, name)
    if not os.path.isdir(venv):
        reason = "%s is missing (make core-venvs creates it from tests/core-versions/requirements-%s.txt)" % (name, key)
        if os.environ.get("FILEFLEET_REQUIRE_CORE_VERSIONS"):
            pytest.fail(reason + "; FILEFLEET_REQUIRE_CORE_VERSIONS is set")
        pytest.skip(reason)
    bin_dir = os.path.join(venv, "bin")
    assert os.access(os.path.join(bin_dir, "ansible-playbook"), os.X_OK), "%s has no ansible-playbook" % name
    return bin_dir


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """One set of simulators for this file: a portal, four filers (two per tenant) and Cloutility."""
    sims = start_fleet(str(tmp_path_factory.mktemp("core-versions-sims")))
    yield sims
    sims.stop()


class Office:
    """A fresh office of one filer, named after its venv and mode, and its playbook runs."""

    def __init__(self, sims, key, mode, bin_dir, workdir):
        self.sims, self.key, self.mode, self.bin_dir = sims, key, mode, bin_dir
        self.filer, self.tenant, self.business_unit = OFFICES[(key, mode)]
        self.edge = [e for e in sims.info["edges"] if e["name"] == self.filer][0]
        tag = "%s-%s" % (key, mode.replace("_", ""))           # e.g. core216-inprocess
        self.name = "Office " + tag
        self.users = ["%s.%s" % (first, tag) for first in ("anna", "erik")]
        self.group = tag + "-staff"
        self.share = tag
        self.unit = tag.upper()
        self.inventory = os.path.join(workdir, "office-%s.yml" % tag)
        self._write_inventory()

    def _write_inventory(self):
        import yaml  # pylint: disable=import-outside-toplevel
        host = {
            "ansible_connection": "local",
            "ansible_python_interpreter": os.path.join(self.bin_dir, "python"),
            "edge_url": self.edge["url"], "edge_username": self.edge["username"],
            "edge_password": self.edge["password"],
            "office_name": self.name, "office_tenant": self.tenant, "office_business_unit": self.business_unit,
            "office_users": [{"name": user, "email": user + "@example.com", "first_name": user.split(".")[0].title(),
                              "last_name": "Core", "password": "Core-Versions-Passw0rd"} for user in self.users],
            "office_groups": [{"name": self.group, "description": self.name + " staff", "members": self.users}],
            "office_shares": [{"name": self.share, "directory": "cloud/shared", "comment": self.name,
                               "acl": [{"type": "local_group", "name": "Everyone", "permission": "ReadOnly"}]}],
            "office_sync": {"state": "enabled"},
            "office_backup": {"state": "enabled", "passphrase": "Core-Versions-Backup-Passphrase"},
            "office_backup_consumers": [{"name": self.unit, "note": self.name, "node": {
                "operating_system": "Linux", "node_type": "File Server", "domain": "STANDARD",
                "client_option_set": "DEDUP_AND_COMPRESS", "node_name": self.unit}}],
        }
        with open(self.inventory, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"all": {"children": {"offices": {"hosts": {self.filer: host}}}}}, handle)

    def run(self, check=False):
        env = credentials_env(self.sims)
        env["FILEFLEET_OFFICE_IN_PROCESS"] = IN_PROCESS[self.mode]
        extra_vars = {"core_versions": {"portal": self.sims.info["portal"], "edge": self.edge,
                                        "cloutility": self.sims.info["cloutility"], "tenant": self.tenant,
                                        "business_unit": self.business_unit}}
        run = run_playbook(PLAYBOOK, inventory=self.inventory, extra_vars=extra_vars, check=check, env=env,
                           bin_dir=self.bin_dir)
        failures = [(r["host"], r["task"], r["result"].get("msg")) for r in run.tasks if r["status"] == "failed"]
        assert run.rc == 0 and not failures, "%s %s%s: rc=%s, failed tasks: %s\n%s" % (
            self.key, self.mode, " --check" if check else "", run.rc, failures, (run.stdout + run.stderr)[-3000:])
        return run

    def state(self):
        """What the role manages for this office, read from the simulators."""
        groups = portal_groups(self.sims, self.tenant)
        filer = filer_state(self.sims, self.filer)
        return {
            "users": sorted(set(self.users) & set(portal_users(self.sims, self.tenant))),
            "group": groups.get(self.group),
            "shares": filer["shares"], "sync": filer["sync"], "backup_attached": filer["backup_attached"],
            "units": cloutility_units(self.sims, self.business_unit.split("/")[-1]).get(self.unit),
        }

    def expected_state(self):
        return {
            "users": sorted(self.users),
            "group": {"description": self.name + " staff", "members": sorted(self.users)},
            "shares": sorted(["cloud", self.share]), "sync": "enabled", "backup_attached": True,
            "units": {"node": True, "activated": True, "node_name": self.unit},
        }

    def check_module_defaults_play(self, run, onboarded):
        """The read-back play (module_defaults with omitted options) ran and saw the office as it is."""
        users = [u["name"] for u in run.result("Portal users of the office's tenant")["users"]]
        filer = run.result("The office's filer")["edge"]
        units = [c["name"] for c in run.result("Consumption units of the office's business unit")["consumers"]]
        assert (set(self.users) <= set(users)) is onboarded, users
        assert (self.share in filer["shares"]) is onboarded, filer
        assert (self.unit in units) is onboarded, units
        for task in ("Portal users of the office's tenant", "The office's filer",
                     "Consumption units of the office's business unit"):
            assert run.result(task).get("changed") is False, run.result(task)


def _changed_items(run):
    """(task, item label) of every change a run reported or predicted."""
    changed = set()
    for record in run.tasks:
        result = record["result"]
        if "results" in result:
            changed.update((record["task"], str(item.get("_ansible_item_label", item.get("item"))))
                           for item in result["results"] if item.get("changed"))
        elif "changed_users" in result:
            changed.update((record["task"], name) for name in result["changed_users"])
        elif result.get("changed"):
            changed.add((record["task"], ""))
    return changed


def _deprecations(run):
    """Deprecation warnings that name this collection (ansible-core's own are not ours to fix)."""
    text = run.stdout + run.stderr
    return [line for line in re.findall(r"\[DEPRECATION WARNING\].*", text) if "filefleet" in line]


@pytest.mark.parametrize("key", sorted(VENVS))
def test_onboarding_in_process_check_run_rerun(fleet, tmp_path, key):
    office = Office(fleet, key, "in_process", _venv_bin(key), str(tmp_path))
    before = office.state()
    assert before["users"] == [] and before["group"] is None and before["units"] is None, before

    check = office.run(check=True)
    assert office.state() == before, "check mode wrote to the simulators"
    predicted = _changed_items(check)
    assert predicted, "check mode predicted no change on a fresh office"
    office.check_module_defaults_play(check, onboarded=False)

    first = office.run()
    assert office.state() == office.expected_state()
    assert _changed_items(first) == predicted
    assert first.changed(office.filer) == check.changed(office.filer) > 0
    office.check_module_defaults_play(first, onboarded=True)

    again = office.run()
    assert again.changed() == 0, _changed_items(again)
    assert office.state() == office.expected_state()
    office.check_module_defaults_play(again, onboarded=True)
    for run in (check, first, again):
        assert not _deprecations(run), _deprecations(run)


@pytest.mark.parametrize("key", sorted(VENVS))
def test_onboarding_as_modules_run_rerun(fleet, tmp_path, key):
    office = Office(fleet, key, "module", _venv_bin(key), str(tmp_path))

    first = office.run()
    assert first.changed(office.filer) > 0
    assert office.state() == office.expected_state()
    office.check_module_defaults_play(first, onboarded=True)

    again = office.run()
    assert again.changed() == 0, _changed_items(again)
    office.check_module_defaults_play(again, onboarded=True)
    for run in (first, again):
        assert not _deprecations(run), _deprecations(run)
