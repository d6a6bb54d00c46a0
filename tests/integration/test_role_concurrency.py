# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sliced jobs and concurrent runs of office_onboarding, on the demo inventory, against simulators slowed down
(latency on every request) so that two ansible-playbook processes started together overlap.

* Two slices of the inventory (``--limit`` with the hosts AWX job slicing gives each of two slices: the sorted host
  list taken ``[0::2]`` and ``[1::2]``) run at the same time. With ``office_leader`` (the demo group variables set
  it), only the slice holding an office's leader does its office-wide work; the other says so and does its filers.
* The same two slices without ``office_leader`` (both pick a leader) and two whole runs at the same time: the
  office-wide work meets, and still no object is created twice (consumption units keep the oldest, a create that
  finds the object made meanwhile adopts it).

Checked through the simulators' own state: every user, group, share, consumption unit and node exists exactly
once (names compared as each service compares them), nothing is missing.
"""

import os
import threading

import pytest

from integration_support import run_playbook
from office_helpers import (
    DEMO_INVENTORY, OFFICES, PLAYBOOKS, credentials_env, filer_inventory, office_vars, start_fleet,
)
from reliability_log import record

ONBOARD = os.path.join(PLAYBOOKS, "onboard_office.yml")
SLICES = ("edge-001,edge-003", "edge-002,edge-004")  # AWX: sorted(hosts)[slice - 1::2] for slices 1 and 2
LATENCY_MS = 40


@pytest.fixture()
def fleet(tmp_path):
    sims = start_fleet(str(tmp_path / "sims"))
    inventory = filer_inventory(sims, str(tmp_path / "filers.json"))
    yield sims, [DEMO_INVENTORY, inventory], credentials_env(sims)
    sims.stop()


def _slow(sims, latency_ms):
    for entry in [sims.info["portal"], sims.info["cloutility"]] + sims.info["edges"]:
        sims.faults(entry, {"latency_ms": latency_ms})


def _together(inventories, env, runs):
    """Start one ansible-playbook per entry of ``runs`` (extra arguments) at the same time; their PlaybookRuns."""
    results = [None] * len(runs)
    start = threading.Barrier(len(runs))

    def one(index, extra):
        args = list(extra)
        for inventory in inventories[1:]:
            args += ["-i", inventory]
        start.wait()
        results[index] = run_playbook(ONBOARD, inventory=inventories[0], env=env, extra_args=args)
    threads = [threading.Thread(target=one, args=(i, extra)) for i, extra in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _census(sims):
    """(duplicates, missing) over everything the demo inventory describes, read from the simulators' state."""
    portal = sims.state(sims.info["portal"])
    clou = sims.state(sims.info["cloutility"])
    duplicates, missing = [], []

    def count(kind, wanted, present):
        for name in wanted:
            found = [p for p in present if p == name]
            if not found:
                missing.append((kind, name))
            elif len(found) > 1:
                duplicates.append((kind, name, len(found)))
    for office, spec in OFFICES.items():
        group_vars = office_vars(office)
        tenant = portal["tenants"][spec["tenant"]]
        count("user", [u["name"].lower() for u in group_vars["office_users"]], [n.lower() for n in tenant["users"]])
        count("group", [g["name"].lower() for g in group_vars["office_groups"]], [n.lower() for n in tenant["groups"]])
        for filer in spec["filers"]:
            edge = [e for e in sims.info["edges"] if e["name"] == filer][0]
            shares = [s["name"].lower() for s in sims.state(edge)["config"]["fileservices"]["share"]]
            count("share on " + filer, [s["name"].lower() for s in group_vars["office_shares"]], shares)
        unit_ids = [int(b) for b, unit in clou["bunits"].items() if unit["name"] == spec["unit"]]
        consumers = [c for c in clou["consumers"].values() if c["bunitId"] in unit_ids
                     and not c.get("scheduledDeletionDate") and not c.get("archivedDate")]
        count("consumption unit", [c["name"] for c in group_vars["office_backup_consumers"]], [c["name"] for c in consumers])
        nodes = [(c.get("node") or {}).get("tsmName") for c in consumers if c.get("node")]
        count("node", [c["node"]["node_name"].upper() for c in group_vars["office_backup_consumers"]],
              [str(n).upper() for n in nodes if n])
    return duplicates, missing


def _failures(run):
    return [(r["host"], r["task"], r["result"].get("msg")) for r in run.tasks if r["status"] == "failed"]


def _office_wide_hosts(run):
    return sorted(set(r["host"] for r in run.tasks if "Portal users exist" in r["task"] and r["status"] != "skipped"))


@pytest.mark.one_mode("slow (two concurrent runs and a rerun over four filers, 300 s as modules under load); checks "
                      "the role's choice of leader and no module result: test_runs_that_meet_never_create_an_object_twice "
                      "runs the modules that meet in both modes")
def test_two_slices_with_office_leader_do_the_office_wide_work_once(fleet):
    sims, inventories, env = fleet
    _slow(sims, LATENCY_MS)
    first, second = _together(inventories, env, [["--limit", SLICES[0]], ["--limit", SLICES[1]]])
    assert first.rc == 0, _failures(first)
    assert second.rc == 0, _failures(second)
    # The leaders (edge-001 for Stockholm, edge-003 for Oslo) are both in the first slice.
    assert _office_wide_hosts(first) == ["edge-001", "edge-003"]
    assert _office_wide_hosts(second) == []
    for office, leader in (("Stockholm", "edge-001"), ("Oslo", "edge-003")):
        assert "Office-wide work of %s" % office in second.stdout
        assert "leader filer %s" % leader in second.stdout
    duplicates, missing = _census(sims)
    record("concurrency", "two AWX job slices at once, office_leader set: office-wide work once per office",
           "role:office_onboarding", "ok" if not duplicates and not missing else "FAILED",
           duplicates=len(duplicates), lost=len(missing))
    assert (duplicates, missing) == ([], [])
    _slow(sims, 0)
    again = _together(inventories, env, [["--limit", SLICES[0]], ["--limit", SLICES[1]]])
    assert [r.changed() for r in again] == [0, 0]


@pytest.mark.parametrize("how", ["slices without office_leader", "two whole runs"])
def test_runs_that_meet_never_create_an_object_twice(fleet, how):
    sims, inventories, env = fleet
    _slow(sims, LATENCY_MS)
    if how == "two whole runs":
        runs = _together(inventories, env, [[], []])
    else:  # both slices pick their own leader, so both do the office-wide work at the same time
        runs = _together(inventories, env, [["--limit", SLICES[0], "-e", "office_leader="],
                                            ["--limit", SLICES[1], "-e", "office_leader="]])
        assert _office_wide_hosts(runs[0]) == ["edge-001", "edge-003"]
        assert _office_wide_hosts(runs[1]) == ["edge-002", "edge-004"]
    failures = [_failures(r) for r in runs]
    duplicates, missing = _census(sims)
    # How often the runs met: consumption units one run created and deleted again (the other's was older), and
    # creates refused because the other run had just made the object (then adopted).
    requests = sims.stats(sims.info["cloutility"])["requests"]
    removed = sum(n for key, n in requests.items() if key.startswith("DELETE ") and "/consumers/" in key)
    met = "duplicate consumption units removed: %d; runs: %s" % (removed, [r.rc for r in runs])
    print(how, met, failures)
    _slow(sims, 0)
    outcome = "ok"
    if any(failures):
        # A run may fail clearly (a later task that saw the other run's duplicate before it was deleted); a rerun
        # then converges.
        outcome = "converged"
        rerun = run_playbook(ONBOARD, inventory=inventories[0], env=env, extra_args=["-i", inventories[1]])
        assert rerun.rc == 0, (failures, _failures(rerun))
        duplicates_after, missing = _census(sims)
        duplicates = duplicates or duplicates_after
    record("concurrency", "%s at once: no object created twice" % how, "role:office_onboarding",
           outcome if not duplicates and not missing else "FAILED", duplicates=len(duplicates), lost=len(missing),
           detail=(met + "; " + "; ".join(str(f) for f in failures if f))[:300])
    assert duplicates == [], duplicates
    assert missing == [], missing
