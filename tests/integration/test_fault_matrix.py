# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix of issue 10: every module and both roles under each kind of fault a flaky network or service
gives, injected through the simulators' fault plans (``POST /_sim/faults``) and by restarting the simulators in the
middle of a play.

One case is one fault kind: fresh simulators, the fault plan set on all of them, one run of
tests/integration/playbooks/fault_matrix.yml (a task per module, each carrying on after a failure); if a task
failed, the faults are cleared and the playbook runs again. For each module: it *survived* when its tasks
succeeded in the first run (and, when there was a rerun, the rerun changed nothing: no half-done write), or it
*converged* when a task failed with an error naming the operation and the cause, and the rerun succeeded. Either
way the simulators' own state must then hold every object exactly once, with every attribute the play asked for,
and nothing the play deleted. Cases run several at once, each on simulators of its own (most of a case's time is
the client's backoff). The roles run office_onboarding and then office_offboarding (Oslo) on the demo fleet under
503 bursts and session expiry, each followed by a rerun.

Numbers come from the simulators: the recording callback reads ``/_sim/stats`` at the start of every task, so each
module's ``requests`` is what the simulators answered during its tasks, and ``retries`` the injected errors, drops
and session expiries it met and got past (each one costs a repeated request or a new login); a failed task's last
hit is not a retry.

The matrix runs in-process (``one_mode``); test_representative_faults_in_both_modes runs two of its kinds (503
bursts, session and token expiry) on one writing module per API family as real modules, so those kinds are proven
in both execution modes. Every case is recorded for docs/reliability.md (tests/reliability_log.py)."""

import glob
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import reliability_log
from integration_support import cloutility_env, edge_env, playbook_path, portal_env, run_playbook
from office_helpers import (
    DEMO_INVENTORY, OFFICES, PLAYBOOKS, cloutility_units, credentials_env, edge_entry, filer_inventory, filer_state,
    office_vars, portal_groups, portal_users, start_fleet,
)
from simulators.harness import Simulators

PLAYBOOK = playbook_path("fault_matrix.yml")
SECRETS = {"user_password": "Fault-Matrix-Pass-271!", "passphrase": "Fault-Matrix-Phrase-314!"}
# Task of fault_matrix.yml -> the module it runs.
TASK_MODULE = dict(("Module " + task, task.split(" ", maxsplit=1)[0]) for task in (
    "ctera_user", "ctera_group", "ctera_user_info", "ctera_share", "ctera_share absent", "ctera_share_info",
    "edge_sync", "edge_backup", "edge_config_export", "edge_info", "cloutility_consumer",
    "cloutility_consumer absent", "cloutility_consumer_info", "backup_node", "backup_node_info"))
MODULES = sorted(set(TASK_MODULE.values()))
REPRESENTATIVE = ["cloutility_consumer", "ctera_share", "ctera_user"]
SERVICE_OF = {"ctera_user": "portal", "ctera_group": "portal", "ctera_user_info": "portal"}
SERVICE_OF.update((m, "cloutility") for m in ("cloutility_consumer", "cloutility_consumer_info", "backup_node",
                                              "backup_node_info"))
RETRIED_FAULTS = ("error", "drop", "expire")


def every_method(kind, status=None, get=(25, 2), post=(4, 1), put=(3, 1), delete=(2, 1), **extra):
    """Recurring rules of one fault on every method: (every, burst) per method, the first of each period hit. Two
    GETs in a row is a burst the client must get past (3 retries); every fourth POST is hit, logins (retried) and
    creations (not re-sent by the client: the engine reads the object back and sends the creation again only when
    it is not there) alike; other POSTs fail naming the operation and the rerun converges."""
    rules = []
    for method, (every, burst) in (("GET", get), ("POST", post), ("PUT", put), ("DELETE", delete)):
        rule = dict(extra, method=method, every=every, burst=burst)
        if status is not None:
            rule["status"] = status
        rules.append(rule)
    return {kind: rules}


# Fault kind -> (plan for every simulator, words of which one must be in the message of a task that failed).
CASES = {
    "502 bursts on every method": (every_method("errors", 502), ("502",)),
    "503 bursts on every method": (every_method("errors", 503), ("503",)),
    "504 bursts on every method": (every_method("errors", 504), ("504",)),
    "429 with Retry-After on every method": (
        every_method("errors", 429, get=(40, 1), post=(6, 1), put=(4, 1), delete=(2, 1), retry_after=1), ("429",)),
    "dropped connections on every method": (every_method("drop", get=(9, 1)), ("Connection",)),
    "latency spikes of 800 ms": ({"slow": [{"every": 12, "delay_ms": 800}]}, ()),
    "session and token expiry between two requests": (
        {"expire": [{"every": 6}]}, ("expired", "session", "401", "token")),
}
EXPIRY_CASE = {"portal": "Portal session expiry between two requests",
               "edge": "Edge session expiry between two requests",
               "cloutility": "Cloutility token expiry between two requests"}
BOTH_MODES = ("503 bursts on every method", "session and token expiry between two requests")


class World:
    """Fresh simulators (a portal, a filer, Cloutility) for one case, and readers of their state."""

    def __init__(self, tmp_path):
        self.export_dir = tmp_path / "export"
        self.export_dir.mkdir(parents=True)
        self.sims = Simulators(str(tmp_path / "sims"), portal=True, edges=1, cloutility=True).start()

    @property
    def entries(self):
        info = self.sims.info
        return {"portal": info["portal"], "edge": info["edges"][0], "cloutility": info["cloutility"]}

    @property
    def env(self):
        env = dict(portal_env(self.sims))
        env.update(edge_env(self.sims, 0))
        env.update(cloutility_env(self.sims))
        env["FILEFLEET_SIM_STATS"] = json.dumps(list(self.entries.values()))
        return env

    def extra_vars(self, tag):
        return dict(SECRETS, tag=tag, export_dest=str(self.export_dir / "config.xml"))

    def set_faults(self, plan):
        for entry in self.entries.values():
            self.sims.faults(entry, plan)

    def problems(self, tag):
        """Objects the play should have left that are missing, twice, or without what it asked for, per module:
        {module: {"lost": [...], "duplicates": [...], "half": [...]}}."""
        found = dict((m, {"lost": [], "duplicates": [], "half": []}) for m in MODULES)

        tenant = self.sims.state(self.entries["portal"])["tenants"]["acme"]
        user = tenant["users"].get("fm-%s" % tag)
        same_mail = [u for u in tenant["users"].values() if u.get("email") == "fm-%s@example.com" % tag]
        if user is None:
            found["ctera_user"]["lost"].append("user fm-%s" % tag)
        elif (user["firstName"], user["lastName"], user["email"]) != ("Fault", "Matrix", "fm-%s@example.com" % tag):
            found["ctera_user"]["half"].append("user fm-%s: %r" % (tag, user))
        if len(same_mail) > 1:
            found["ctera_user"]["duplicates"].append("users with fm-%s@example.com" % tag)
        group = tenant["groups"].get("fm-team-%s" % tag)
        if group is None:
            found["ctera_group"]["lost"].append("group fm-team-%s" % tag)
        elif group["description"] != "Fault matrix team" or group["members"] != [user and user["uid"]]:
            found["ctera_group"]["half"].append("group fm-team-%s: %r" % (tag, group))

        edge = self.sims.state(self.entries["edge"])
        shares = [s for s in edge["config"]["fileservices"]["share"] if s["name"] == "fm-share-%s" % tag]
        if not shares:
            found["ctera_share"]["lost"].append("share fm-share-%s" % tag)
        if len(shares) > 1:
            found["ctera_share"]["duplicates"].append("share fm-share-%s x%d" % (tag, len(shares)))
        for share in shares:
            acl = [(r["principal2"]["ref"], r["permissions"]["allowedFileAccess"]) for r in share["acl"]]
            if (share["volume"], share["directory"], share["comment"], acl) != (
                    "cloud", "users", "Fault matrix share", [("#config#auth#groups#Administrators", "ReadWrite")]):
                found["ctera_share"]["half"].append("share fm-share-%s: %r" % (tag, share))
        if any(s["name"] == "fm-tmp-%s" % tag for s in edge["config"]["fileservices"]["share"]):
            found["ctera_share"]["half"].append("share fm-tmp-%s is still there" % tag)
        if edge["config"]["cloudsync"]["mode"] != "disabled":
            found["edge_sync"]["half"].append("cloud sync mode %r" % edge["config"]["cloudsync"]["mode"])
        if not edge["backup"].get("attached") or not edge["backup"].get("folder", {}).get("passphraseCheck"):
            found["edge_backup"]["half"].append("backup %r" % edge["backup"])
        exported = self.export_dir / "config.xml"
        leftovers = glob.glob(str(self.export_dir / ".*")) + [p for p in glob.glob(str(self.export_dir / "*"))
                                                              if p != str(exported)]
        if not exported.exists():
            found["edge_config_export"]["lost"].append("export file")
        elif not exported.read_bytes().lstrip().startswith(b"<") or leftovers:
            found["edge_config_export"]["half"].append("export %r, left over %r" % (exported.read_bytes()[:40], leftovers))

        clou = self.sims.state(self.entries["cloutility"])
        units = [c for c in clou["consumers"].values() if c["bunitId"] == 102 and c["name"] == "fm-ws-%s" % tag]
        if not units:
            found["cloutility_consumer"]["lost"].append("consumption unit fm-ws-%s" % tag)
        if len(units) > 1:
            found["cloutility_consumer"]["duplicates"].append("consumption unit fm-ws-%s x%d" % (tag, len(units)))
        for unit in units:
            if unit.get("note") != "Fault matrix workstation":
                found["cloutility_consumer"]["half"].append("unit %r" % unit)
            node = unit.get("node")
            if not node:
                found["backup_node"]["lost"].append("node of fm-ws-%s" % tag)
            elif node.get("tsmName") != "FM_%s" % tag.upper() or not node.get("activatedDate"):
                found["backup_node"]["half"].append("node %r" % node)
        if any(c["name"] == "fm-tmp-ws-%s" % tag and not c.get("deleted") for c in clou["consumers"].values()):
            found["cloutility_consumer"]["half"].append("consumption unit fm-tmp-ws-%s is still there" % tag)
        return found

    def stop(self):
        self.sims.stop()


def task_numbers(run):
    """{task: (requests, retried faults)} from the simulators' counters at the start of each task and at the end
    (None when a simulator did not answer at one of those moments, e.g. while it restarted)."""
    snapshots = [r for r in run.records if r["event"] == "sim_stats"]
    numbers = {}
    for start, end in zip(snapshots, snapshots[1:]):
        if start["task"] is None:
            continue
        requests = retried = 0
        for url, before in start["stats"].items():
            after = end["stats"].get(url)
            if before is None or after is None or after["total_requests"] < before["total_requests"]:
                requests = retried = None
                break
            requests += after["total_requests"] - before["total_requests"]
            for kind in RETRIED_FAULTS:
                retried += after["faults_injected"].get(kind, 0) - before["faults_injected"].get(kind, 0)
        numbers[start["task"]] = (requests, retried)
    return numbers


def failure_messages(record):
    """The error messages of a failed task (of its failed items, for a loop)."""
    result = record["result"]
    if "results" in result:
        return [item.get("msg", "") for item in result["results"] if item.get("failed")]
    return [result.get("msg", "")]


def add(total, value):
    return None if total is None or value is None else total + value


def run_case(world, case, plan, causes, tag, rows, restart_after=None, record_case=None, representative=False):
    """One case of the matrix (see the module docstring): appends a reliability record per module to ``rows``
    and returns ({module: outcome}, the simulators' stats after the first run, its wall time)."""
    world.set_faults(plan)
    restarted = []
    watcher = None
    if restart_after is not None:
        watcher = threading.Thread(target=_restart_when, args=(world, restart_after, restarted), daemon=True)
        watcher.start()
    started = time.monotonic()
    tags = "representative" if representative else None
    first = run_playbook(PLAYBOOK, env=world.env, extra_vars=world.extra_vars(tag), tags=tags)
    wall = time.monotonic() - started
    if watcher is not None:
        watcher.join(timeout=60)
        assert restarted, "the simulators were not restarted during the play"
    stats = [world.sims.stats(entry) for entry in world.entries.values()]
    world.set_faults({})
    rerun = first
    if any(t["status"] != "ok" for t in first.tasks):  # ignore_errors: failed tasks are not in the recap's failures
        rerun = run_playbook(PLAYBOOK, env=world.env, extra_vars=dict(world.extra_vars(tag), rerun=True), tags=tags)
    for secret in SECRETS.values():
        assert secret not in first.output() + rerun.output()

    assert rerun.rc == 0 and all(t["status"] == "ok" for t in rerun.tasks), [
        (t["task"], t["result"].get("msg")) for t in rerun.tasks if t["status"] != "ok"]
    modules = sorted(set(TASK_MODULE[t["task"]] for t in first.tasks))
    assert modules == (REPRESENTATIVE if representative else MODULES), modules
    problems = world.problems(tag)
    numbers = task_numbers(first)
    outcomes = {}
    for module in modules:
        tasks = [t for t in first.tasks if TASK_MODULE[t["task"]] == module]
        again = [t for t in rerun.tasks if TASK_MODULE[t["task"]] == module]
        failed = [t for t in tasks if t["status"] == "failed"]
        requests = retries = 0
        for task in tasks:
            task_requests, task_retries = numbers.get(task["task"], (None, None))
            requests, retries = add(requests, task_requests), add(retries, task_retries)
        messages = [m for t in failed for m in failure_messages(t)]
        if failed:
            retries = add(retries, -len(messages))
            outcome = "converged"
            for message in messages:
                assert " failed" in message or "failure" in message, (module, message)  # the operation
                assert any(cause in message for cause in causes), (module, case, message)  # the cause
        else:
            outcome = "survived"
            if rerun is not first:
                # Nothing half-done: what survived the fault is complete, so the rerun finds nothing to change.
                changed = [t["task"] for t in again if t["result"].get("changed")]
                if module == "edge_config_export" and any(t["result"].get("changed") for t in rerun.tasks
                                                          if SERVICE_OF.get(TASK_MODULE[t["task"]], "edge") == "edge"):
                    changed = []  # the filer's configuration changed in the rerun, so its export did too
                assert not changed, (module, case, changed)
        found = problems[module] if module in problems else {"lost": [], "duplicates": [], "half": []}
        assert found == {"lost": [], "duplicates": [], "half": []}, (module, case, found)
        name = record_case(module) if record_case else case
        rows.append(dict(case=name, module=module, outcome=outcome, retries=retries, requests=requests,
                         duplicates=len(found["duplicates"]), lost=len(found["lost"]),
                         detail=("; ".join(messages) if messages else "first run: %.1f s" % wall)))
        outcomes[module] = outcome
    return outcomes, stats, wall


def _restart_when(world, request, restarted):
    """Restart every simulator once the filer has received ``request`` ("METHOD path"; RESTART_PLAN holds it for
    two seconds, so the restart lands while it is in flight)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if world.sims.stats(world.entries["edge"])["requests"].get(request, 0) >= 1:
            world.sims.restart(pause=0.3)
            restarted.append(time.monotonic())
            return
        time.sleep(0.05)


def _expiry_case(module):
    return EXPIRY_CASE[SERVICE_OF.get(module, "edge")]


def check_case(world, case, rows, restart_after=None, representative=False):
    """run_case, then what the fault kind promises beyond the common checks."""
    plan, causes = CASES.get(case, (RESTART_PLAN, ("Connection", "connection", "expired", "session", "restarted")))
    record_case = _expiry_case if case.startswith("session") else None
    tag = "c%d%s" % (sorted(CASES).index(case) if case in CASES else 99, "r" if representative else "")
    outcomes, stats, wall = run_case(world, case, plan, causes, tag, rows, restart_after, record_case, representative)
    hits = sum(sum(s["faults_injected"].values()) for s in stats)
    assert hits > 0 or restart_after, "the fault plan hit nothing"
    if restart_after:
        assert outcomes["edge_backup"] == "converged", outcomes  # a success the filer did not confirm is a failure
    if "method" in repr(plan) and not representative and not restart_after:
        for method in ("GET", "POST", "PUT", "DELETE"):
            assert any(" %s " % method in key for s in stats for key in s["fault_hits"]), (case, method)
    if case.startswith("429"):
        # Retry-After: 1 is honoured: the run lasted at least a second per 429 the client waited out.
        waited = sum(s["faults_injected"].get("error", 0) for s in stats) - list(outcomes.values()).count("converged")
        assert wall >= waited * 1.0, (wall, waited)
    if case.startswith(("latency", "session")):
        # Neither a slow answer nor an expired session or token may fail a module: logins are safe to repeat.
        assert set(outcomes.values()) == {"survived"}, (case, outcomes)
    return outcomes


ROLE_CASE = "503 bursts on every method and session expiry"
ROLE_PLAN = dict(every_method("errors", 503, get=(40, 2), post=(15, 1), put=(6, 1), delete=(3, 1)),
                 expire=[{"every": 25}])


def _office_units(sims, unit_name):
    """Consumption units of a business unit by name -> how many there are (a real Cloutility allows twins)."""
    state = sims.state(sims.info["cloutility"])
    ids = [int(bid) for bid, unit in state["bunits"].items() if unit["name"] == unit_name]
    counts = {}
    for consumer in state["consumers"].values():
        if consumer["bunitId"] in ids and not consumer.get("deleted"):
            counts[consumer["name"]] = counts.get(consumer["name"], 0) + 1
    return counts


def _role_run(playbook, inventories, env, extra_args=()):
    args = list(extra_args)
    for inventory in inventories[1:]:
        args += ["-i", inventory]
    return run_playbook(playbook, inventory=inventories[0], env=env, extra_args=args)


def _role_step(sims, role, playbook, inventories, env, rows, extra_args=()):
    """One role run under ROLE_PLAN, the faults cleared, a rerun; returns the outcome (the state is checked by
    the caller)."""
    entries = [sims.info["portal"], sims.info["cloutility"]] + list(sims.info["edges"])
    for entry in entries:
        sims.faults(entry, ROLE_PLAN)
    first = _role_run(playbook, inventories, env, extra_args)
    stats = [sims.stats(entry) for entry in entries]
    for entry in entries:
        sims.faults(entry, {})
    rerun = _role_run(playbook, inventories, env, extra_args)
    assert rerun.rc == 0, [(t["host"], t["task"], t["result"].get("msg")) for t in rerun.tasks if t["status"] == "failed"]
    failed = [t for t in first.tasks if t["status"] == "failed"]
    messages = [m for t in failed for m in failure_messages(t)]
    for message in messages:
        assert " failed" in message or "failure" in message, (role, message)
        assert any(cause in message for cause in ("503", "expired", "session")), (role, message)
    if not failed:
        assert first.rc == 0 and rerun.changed() == 0, (role, [t["task"] for t in rerun.tasks if t["result"].get("changed")])
    numbers = task_numbers(first)
    requests = sum(n[0] for n in numbers.values() if n[0] is not None)
    retries = sum(n[1] for n in numbers.values() if n[1] is not None) - len(messages)
    assert sum(sum(s["faults_injected"].values()) for s in stats) > 0, "the fault plan hit nothing"
    return dict(case=ROLE_CASE, module=role, outcome="converged" if failed else "survived", retries=retries,
                requests=requests, detail="; ".join(messages)[:300] or "first run passed")


def check_roles(tmp_path, rows):
    """office_onboarding on the demo fleet, then office_offboarding of Oslo, each under ROLE_PLAN."""
    sims = start_fleet(str(tmp_path / "sims"))
    try:
        inventories = [DEMO_INVENTORY, filer_inventory(sims, str(tmp_path / "filers.json"))]
        env = dict(credentials_env(sims))
        env["FILEFLEET_SIM_STATS"] = json.dumps([sims.info["portal"], sims.info["cloutility"]] + list(sims.info["edges"]))
        onboard = _role_step(sims, "role:office_onboarding", os.path.join(PLAYBOOKS, "onboard_office.yml"),
                             inventories, env, rows)
        lost = duplicates = 0
        for office, spec in OFFICES.items():
            wanted = office_vars(office)
            lost += len(set(u["name"] for u in wanted["office_users"]) - set(portal_users(sims, spec["tenant"])))
            groups = portal_groups(sims, spec["tenant"])
            lost += len([g for g in wanted["office_groups"] if g["name"] not in groups])
            assert all(groups[g["name"]]["members"] == sorted(g["members"]) for g in wanted["office_groups"]
                       if g["name"] in groups), groups
            for filer in spec["filers"]:
                state = filer_state(sims, filer)
                names = [s["name"] for s in sims.state(edge_entry(sims, filer))["config"]["fileservices"]["share"]]
                duplicates += len(names) - len(set(names))
                lost += len(set(s["name"] for s in wanted["office_shares"]) - set(state["shares"]))
                assert state["sync"] == "enabled" and state["backup_attached"], (filer, state)
            units = _office_units(sims, spec["unit"])
            duplicates += sum(n - 1 for n in units.values())
            lost += len(set(c["name"] for c in wanted["office_backup_consumers"]) - set(units))
            assert all(u["activated"] for u in cloutility_units(sims, spec["unit"]).values())
        rows.append(dict(onboard, lost=lost, duplicates=duplicates))
        assert (lost, duplicates) == (0, 0)

        offboard = _role_step(sims, "role:office_offboarding", os.path.join(PLAYBOOKS, "offboard_office.yml"),
                              inventories, env, rows, ["--limit", "oslo", "-e", "offboarding_confirm=Oslo"])
        oslo = office_vars("Oslo")
        left = len(set(u["name"] for u in oslo["office_users"]) & set(portal_users(sims, "globex")))
        left += len(set(g["name"] for g in oslo["office_groups"]) & set(portal_groups(sims, "globex")))
        left += sum(len(filer_state(sims, f)["shares"]) - 1 for f in OFFICES["Oslo"]["filers"])
        left += len(_office_units(sims, "Oslo Office"))
        lost = len(set(u["name"] for u in office_vars("Stockholm")["office_users"]) - set(portal_users(sims, "acme")))
        rows.append(dict(offboard, lost=lost, detail=offboard["detail"] + "; left behind: %d" % left))
        assert (left, lost) == (0, 0)
    finally:
        sims.stop()


def run_cases(tmp_path, cases, representative=False, roles=False):
    """Each case on simulators of its own, several at once (most of a case's time is the client's backoff)."""
    rows = []
    errors = []

    def one(case):
        if case == ROLE_CASE:
            try:
                check_roles(tmp_path / "roles", rows)
            except AssertionError as exc:
                errors.append("%s: %s" % (case, exc))
                rows.append(dict(case=case, module="(roles)", outcome="FAILED", detail=str(exc)[:300]))
            return
        world = World(tmp_path / ("case-%d" % cases.index(case)))
        try:
            check_case(world, case, rows, restart_after=RESTART_AT if case == RESTART_CASE else None,
                       representative=representative)
        except AssertionError as exc:
            errors.append("%s: %s" % (case, exc))
            rows.append(dict(case=case, module="(all modules)", outcome="FAILED", detail=str(exc)[:300]))
        finally:
            world.stop()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, ([ROLE_CASE] if roles else []) + cases))
    for row in sorted(rows, key=lambda r: (r["case"], r["module"])):
        reliability_log.record("fault", **row)
    assert not errors, "\n".join(errors)


RESTART_CASE = "simulators restarted mid-play"
# The restart lands in edge_backup, between creating the backup folder and reading the task that made it (the
# filer forgets the folder's key): the modules before it ran against the old servers, those after it log in anew.
RESTART_AT = "GET /admingui/api/proc/bgtasks/2"
RESTART_PLAN = {"slow": [{"path": RESTART_AT.split(" ", 1)[1], "method": "GET", "delay_ms": 2000, "count": 1}]}


@pytest.mark.one_mode("the fault matrix is about the HTTP client and the engine, shared by both modes; "
                      "test_representative_faults_in_both_modes runs a subset in both")
def test_every_module_and_role_under_every_fault(tmp_path):
    run_cases(tmp_path, sorted(CASES) + [RESTART_CASE], roles=True)


@pytest.mark.one_mode("the in-process half of the pair is the matrix above, which runs these kinds on every module",
                      mode="module")
def test_representative_faults_in_both_modes(tmp_path):
    run_cases(tmp_path, list(BOTH_MODES), representative=True)
