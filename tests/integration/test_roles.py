# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""office_onboarding and office_offboarding through their playbooks, on the demo inventory, checked through the
simulators' own state."""

import os

import pytest

from integration_support import run_playbook
from office_helpers import (
    DEMO_INVENTORY, OFFICES, PLAYBOOKS, cloutility_units, credentials_env, filer_inventory, filer_state,
    fleet_snapshot, office_vars, portal_groups, portal_users, start_fleet,
)

ONBOARD = os.path.join(PLAYBOOKS, "onboard_office.yml")
OFFBOARD = os.path.join(PLAYBOOKS, "offboard_office.yml")


@pytest.fixture()
def fleet(tmp_path):
    sims = start_fleet(str(tmp_path / "sims"))
    inventory = filer_inventory(sims, str(tmp_path / "filers.json"))
    yield sims, [DEMO_INVENTORY, inventory], credentials_env(sims)
    sims.stop()


def _run(playbook, inventories, env, **kwargs):
    extra = list(kwargs.pop("extra_args", ()))
    for inventory in inventories[1:]:
        extra += ["-i", inventory]
    return run_playbook(playbook, inventory=inventories[0], env=env, extra_args=extra, **kwargs)


def _failures(run):
    return [(r["host"], r["task"], r["result"].get("msg")) for r in run.tasks if r["status"] == "failed"]


def _changed_items(run):
    """(host, task, item label) of every change a run reported or predicted."""
    changed = set()
    for record in run.tasks:
        result = record["result"]
        if "results" in result:
            for item in result["results"]:
                if item.get("changed"):
                    changed.add((record["host"], record["task"], str(item.get("_ansible_item_label", item.get("item")))))
        elif "changed_users" in result:  # ctera_user with users: one task, one entry per changed user
            changed.update((record["host"], record["task"], name) for name in result["changed_users"])
        elif result.get("changed"):
            changed.add((record["host"], record["task"], ""))
    return changed


def _expected_office_state(office):
    group_vars = office_vars(office)
    return {
        "users": sorted(u["name"] for u in group_vars["office_users"]),
        "groups": {g["name"]: {"description": g["description"], "members": sorted(g["members"])}
                   for g in group_vars["office_groups"]},
        "shares": sorted(["cloud"] + [s["name"] for s in group_vars["office_shares"]]),
        "units": {c["name"]: {"node": True, "activated": True, "node_name": c["node"]["node_name"].upper()}
                  for c in group_vars["office_backup_consumers"]},
    }


def test_check_predicts_the_run_which_converges(fleet):
    sims, inventories, env = fleet
    before = fleet_snapshot(sims)

    check = _run(ONBOARD, inventories, env, check=True)
    assert check.rc == 0, check.output()[-3000:]
    assert fleet_snapshot(sims) == before, "check mode changed something"

    real = _run(ONBOARD, inventories, env)
    assert real.rc == 0, _failures(real)
    predicted, made = _changed_items(check), _changed_items(real)
    assert made, "the first run changed nothing"
    assert predicted == made
    assert {h: real.stats[h]["changed"] for h in real.stats} == {h: check.stats[h]["changed"] for h in check.stats}

    for office, spec in OFFICES.items():
        expected = _expected_office_state(office)
        assert set(expected["users"]) <= set(portal_users(sims, spec["tenant"]))
        groups = portal_groups(sims, spec["tenant"])
        assert {name: groups.get(name) for name in expected["groups"]} == expected["groups"]
        for filer in spec["filers"]:
            state = filer_state(sims, filer)
            assert state["shares"] == expected["shares"]
            assert state["sync"] == "enabled"
            assert state["backup_attached"] is True
        assert cloutility_units(sims, spec["unit"]) == expected["units"]

    again = _run(ONBOARD, inventories, env)
    assert again.rc == 0, again.output()[-3000:]
    assert again.changed() == 0, _changed_items(again)

    # Secrets of the inventory never show up in the output.
    for secret in ("Demo-Passw0rd-1", "Demo-Backup-Passphrase-Stockholm", env["CTERA_PORTAL_PASSWORD"]):
        assert secret not in real.stdout + real.stderr


def test_tags_run_one_area(fleet):
    sims, inventories, env = fleet
    run = _run(ONBOARD, inventories, env, tags="users")
    assert run.rc == 0, run.output()[-3000:]
    for office, spec in OFFICES.items():
        assert set(_expected_office_state(office)["users"]) <= set(portal_users(sims, spec["tenant"]))
        groups = portal_groups(sims, spec["tenant"])
        assert {name: groups.get(name) for name in _expected_office_state(office)["groups"]} == \
            _expected_office_state(office)["groups"]
        for filer in spec["filers"]:
            assert filer_state(sims, filer)["shares"] == ["cloud"]
            assert filer_state(sims, filer)["backup_attached"] is False
        assert cloutility_units(sims, spec["unit"]) == {}

    run = _run(ONBOARD, inventories, env, tags="shares")
    assert run.rc == 0, run.output()[-3000:]
    assert filer_state(sims, "edge-003")["shares"] == _expected_office_state("Oslo")["shares"]
    assert cloutility_units(sims, "Oslo Office") == {}


def test_portal_and_cloutility_work_runs_once_per_office(fleet):
    sims, inventories, env = fleet
    run = _run(ONBOARD, inventories, env)
    assert run.rc == 0, run.output()[-3000:]
    user_task = [r for r in run.tasks if "Portal users" in r["task"]]
    ran_on = sorted(r["host"] for r in user_task if r["status"] != "skipped")
    assert ran_on == ["edge-001", "edge-003"]
    share_task = [r for r in run.tasks if "Shares exist as described" in r["task"]]
    assert sorted(r["host"] for r in share_task if r["status"] != "skipped") == ["edge-001", "edge-002", "edge-003", "edge-004"]


def test_failure_halfway_is_converged_by_a_rerun(fleet):
    sims, inventories, env = fleet
    # The second filer of Stockholm refuses every share write; its other work and every other filer go on.
    share_writes = {"status": 500, "count": 50, "path": "/admingui/api/config/fileservices/share", "method": "POST"}
    sims.faults(sims.info["edges"][1], {"errors": [share_writes]})
    broken = _run(ONBOARD, inventories, env)
    assert broken.rc != 0
    assert broken.failed("edge-002") == 1
    assert filer_state(sims, "edge-002")["shares"] == ["cloud"]
    sims.faults(sims.info["edges"][1], {})

    rerun = _run(ONBOARD, inventories, env)
    assert rerun.rc == 0, rerun.output()[-3000:]
    assert filer_state(sims, "edge-002")["shares"] == _expected_office_state("Stockholm")["shares"]
    assert _run(ONBOARD, inventories, env).changed() == 0


def test_offboarding_needs_confirmation_and_check_lists_what_goes(fleet):
    sims, inventories, env = fleet
    assert _run(ONBOARD, inventories, env).rc == 0
    onboarded = fleet_snapshot(sims)

    refused = _run(OFFBOARD, inventories, env, extra_args=["--limit", "oslo"])
    assert refused.rc != 0
    assert "offboarding_confirm" in refused.stdout
    assert fleet_snapshot(sims) == onboarded

    check = _run(OFFBOARD, inventories, env, check=True, extra_args=["--limit", "oslo"])
    assert check.rc == 0, check.output()[-3000:]
    assert fleet_snapshot(sims) == onboarded
    summary = [r["result"]["msg"] for r in check.tasks
               if "List what is removed (in check mode, what would be) for Oslo" in r["task"] and r["host"] == "edge-003"][0]
    oslo = _expected_office_state("Oslo")
    assert sorted(summary["users"]) == oslo["users"]
    assert sorted(summary["groups"]) == sorted(oslo["groups"])
    assert sorted(summary["shares"]) == sorted(s for s in oslo["shares"] if s != "cloud")
    assert sorted(summary["consumption_units"]) == sorted(oslo["units"])

    done = _run(OFFBOARD, inventories, env, extra_args=["--limit", "oslo", "-e", "offboarding_confirm=Oslo"])
    assert done.rc == 0, done.output()[-3000:]
    assert _changed_items(done) == _changed_items(check)
    assert not set(oslo["users"]) & set(portal_users(sims, "globex"))
    assert not set(oslo["groups"]) & set(portal_groups(sims, "globex"))
    for filer in OFFICES["Oslo"]["filers"]:
        state = filer_state(sims, filer)
        assert state["shares"] == ["cloud"]
        assert state["sync"] == "disabled"
    assert cloutility_units(sims, "Oslo Office") == {}
    # Stockholm is untouched.
    assert fleet_snapshot(sims)["Stockholm"] == onboarded["Stockholm"]

    again = _run(OFFBOARD, inventories, env, extra_args=["--limit", "oslo", "-e", "offboarding_confirm=Oslo"])
    assert again.rc == 0 and again.changed() == 0, _changed_items(again)
