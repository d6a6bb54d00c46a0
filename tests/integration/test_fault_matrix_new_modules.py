# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix (test_fault_matrix.py) for the modules added after it: ctera_file, the tenancy modules
(ctera_plan, ctera_tenant, ctera_folder_group, ctera_cloud_folder, ctera_zone, ctera_activation_code and their
_info modules) and the device modules (edge_setup, edge_settings, edge_user, edge_group, edge_domain,
edge_portal_connection).

One case is one fault kind, on simulators of its own (a portal, a filer that is set up and one factory-fresh): the
fault plan is set on every simulator (the portal's reaches its object store too), playbooks/fault_matrix_new_modules
.yml runs once (a task per module, each carrying on after a failure), and when a task failed the faults are cleared
and the playbook runs again. A module *survived* when its tasks succeeded in the first run (and the rerun, when
there was one, changed nothing of it: no half-done write), or *converged* when a task failed with an error naming
the operation and the cause and the rerun succeeded. Either way the simulators' own state must then hold every
object exactly once with what the play asked for. ctera_file: an upload cut by a dropped connection leaves no
file in the cloud (and no block on the portal's disk that no file holds) before the rerun, and a download leaves
no partial file at its destination whatever happened to it.

The three cases run at once (most of a case's time is the client's backoff), in-process only: the execution mode
changes nothing in the HTTP client and the engine, and test_fault_matrix proves its kinds in both modes. Every
module of every case is recorded for docs/reliability.md."""

import asyncio
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor

import aiohttp.connector
import pytest

import reliability_log
from integration_support import playbook_path, run_playbook
from simulators.harness import Simulators
from simulators.portal import PortalService
from test_fault_matrix import RETRIED_FAULTS, add, every_method, failure_messages, task_numbers

PLAYBOOK = playbook_path("fault_matrix_new_modules.yml")
BLOCK = 64 * 1024
DEVICE = "fm-office-filer"
OWNER, OWNER_FIRST, OWNER_LAST = "fm-owner", "Fault", "Owner"
CONNECT_USER = "fm-connect"
FOLDER, FOLDER_GROUP = "Seed", "fm-seed-fg"
SECRETS = {"owner_password": "Fm-Owner-Pass-161!", "connect_password": "Fm-Connect-Pass-828!",
           "user_password": "Fm-Edge-User-Pass-459!"}
# Task of the playbook -> the module it runs.
TASK_MODULE = dict(("Module " + task, task.split(" ", maxsplit=1)[0]) for task in (
    "ctera_plan", "ctera_tenant", "ctera_tenant_info", "ctera_folder_group", "ctera_cloud_folder",
    "ctera_cloud_folder_info", "ctera_zone", "ctera_zone_info", "ctera_activation_code", "ctera_file upload",
    "ctera_file download", "ctera_file directory", "edge_setup", "edge_settings", "edge_user", "edge_group",
    "edge_domain", "edge_portal_connection"))
MODULES = sorted(set(TASK_MODULE.values()))
EDGE_MODULES = ("edge_setup", "edge_settings", "edge_user", "edge_group", "edge_domain", "edge_portal_connection")
UPLOAD_PATH = "/admin/upload/"
BLOCKS_PATH = "/ctera-blocks/"  # the object store's (it shares the portal's fault plan)

# Fault kind -> (plan for every simulator, words of which one must be in the message of a task that failed). The
# error statuses share one case (a playbook run and its rerun cost more than the faults): 502 bursts on reads, 503
# on every fourth POST (logins, retried, and creations, never retried blindly), 429 with Retry-After on PUTs and
# on some reads, 503 on DELETEs.
ERROR_RULES = [dict(rule, status=status) for status, rule in (
    (502, {"method": "GET", "every": 25, "burst": 2}), (429, {"method": "GET", "every": 40, "burst": 1, "retry_after": 1}),
    (503, {"method": "POST", "every": 4, "burst": 1}), (429, {"method": "PUT", "every": 3, "burst": 1, "retry_after": 1}),
    (503, {"method": "DELETE", "every": 2, "burst": 1}))]
CASES = {
    "502 and 503 bursts and 429 with Retry-After on every method": ({"errors": ERROR_RULES}, ("502", "503", "429")),
    "dropped connections on every method and an upload cut mid-body": (
        {"drop": [{"path": UPLOAD_PATH, "count": 1, "after_bytes": 100000}, {"path": BLOCKS_PATH, "count": 12}]
         + every_method("drop", get=(9, 1), post=(5, 1))["drop"]},
        ("Connection", "connection")),
    # Every 7th request: an upload cut by an expired session is sent again after a probe and a new login (six
    # requests); a session that expires again within them fails it, as it fails any request then.
    "Portal and Edge session expiry between two requests": ({"expire": [{"every": 7}]}, ("expired", "session", "401")),
}
ERROR_CASE = "502 and 503 bursts and 429 with Retry-After on every method"


def _sha(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


class World:
    """Simulators of one case: a portal (tenant acme with a seeded owner, its folder group and cloud folder holding
    seed.bin, an S3 key pair, a tenant administrator for the filer's connection and a device), a set-up filer and a
    factory-fresh one; and readers of their state."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.work = tmp_path / "work"
        self.work.mkdir(parents=True)
        self.src = tmp_path / "up.bin"
        self.src.write_bytes(os.urandom(4 * BLOCK + 99))
        self.seed = tmp_path / "seed.bin"
        self.seed.write_bytes(os.urandom(3 * BLOCK + 7))
        state_dir = str(tmp_path / "sims")
        os.makedirs(state_dir)
        PortalService(os.path.join(state_dir, "portal.json")).register_device(DEVICE, "acme", "https://127.0.0.1:9")
        self.sims = Simulators(state_dir, portal=True, edges=2, edge_factory=1).start()
        self.portal = self.sims.info["portal"]
        self.factory, self.edge = self.sims.info["edges"]
        self.sims.sim_call(self.portal, "/_sim/files", "POST", {"block_size": BLOCK})
        self.key = self._seed_portal()

    def _seed_portal(self):
        import cterasdk  # pylint: disable=import-outside-toplevel
        from cterasdk import core_types  # pylint: disable=import-outside-toplevel
        from cterasdk.core.enum import Role  # pylint: disable=import-outside-toplevel
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
            cafile=self.portal["ca_path"])
        asyncio.set_event_loop(asyncio.new_event_loop())  # cterasdk runs on this thread's loop (cases run in threads)
        host, port = self.portal["url"].split("://", 1)[1].rsplit(":", 1)
        admin = cterasdk.GlobalAdmin(host, int(port))
        admin.login(self.portal["username"], self.portal["password"])
        try:
            admin.portals.browse("acme")
            admin.users.add(OWNER, "fm-owner@acme.example", OWNER_FIRST, OWNER_LAST, SECRETS["owner_password"],
                            Role.EndUser)
            admin.users.add(CONNECT_USER, "fm-connect@acme.example", "Fault", "Connect", SECRETS["connect_password"],
                            Role.ReadWriteAdmin)
            owner = core_types.UserAccount(OWNER)
            admin.cloudfs.groups.add(FOLDER_GROUP, owner)
            admin.cloudfs.drives.add(FOLDER, group=FOLDER_GROUP, owner=owner)
            key = admin.users.credentials.s3.create(owner)
        finally:
            admin.logout()
        user = cterasdk.ServicesPortal(host, int(port))
        user.login(OWNER, SECRETS["owner_password"])
        try:
            user.files.upload_file(str(self.seed), FOLDER)
        finally:
            user.logout()
        return key

    @property
    def entries(self):
        return [self.portal, self.edge, self.factory]

    @property
    def object_store(self):
        """The portal's object store listener (it shares the portal's fault plan; its counters are its own)."""
        return {"url": self.portal["object_store_url"], "ca_path": self.portal["ca_path"]}

    def extra_vars(self, tag):
        return dict(SECRETS, tag=tag, portal=self.portal, edge=self.edge, factory=self.factory,
                    directory=self.sims.info["directory"], owner=OWNER, owner_display="%s %s" % (OWNER_FIRST, OWNER_LAST),
                    folder=FOLDER, folder_group=FOLDER_GROUP, device=DEVICE, src=str(self.src), work=str(self.work),
                    key_id=self.key.accessKey, key_secret=self.key.secretKey, connect_user=CONNECT_USER,
                    server=self.portal["url"].split("://", 1)[1])

    def set_faults(self, plan):
        for entry in self.entries:
            self.sims.faults(entry, plan)

    def stats_env(self):
        return {"FILEFLEET_SIM_STATS": json.dumps(self.entries)}

    def acme(self, state=None):
        return (state or self.sims.state(self.portal))["tenants"]["acme"]

    def cloud_files(self, state=None):
        tenant = self.acme(state)
        uid = next(u for u, d in tenant["cloud_drives"].items() if d["name"] == FOLDER)
        return tenant["cloud_files"][uid]

    def orphan_blocks(self):
        """Blocks on the portal's disk that no file holds (what an upload cut short may leave behind)."""
        held = {block[0] for state_tenant in self.sims.state(self.portal)["tenants"].values()
                for files in state_tenant.get("cloud_files", {}).values()
                for entry in files.values() if not entry.get("dir") for block in entry["blocks"]}
        on_disk = set()
        for top, _dirs, names in os.walk(self.sims.state_dir):
            if os.path.basename(top) == "portal-blocks":
                on_disk.update(n for n in names if n != "missing")
        return sorted(on_disk - held)

    def partial_downloads(self):
        """Files in the download's directory other than a whole seed.bin."""
        found = []
        for name in os.listdir(str(self.work)):
            path = os.path.join(str(self.work), name)
            if name != "seed.bin" or _sha(path) != _sha(str(self.seed)):
                found.append(name)
        return found

    def problems(self, tag):
        """Objects the play should have left that are missing, twice, or without what it asked for, per module."""
        found = dict((m, {"lost": [], "duplicates": [], "half": []}) for m in MODULES)
        state = self.sims.state(self.portal)
        acme = self.acme(state)

        plans = [p for p in state["plans"].values() if p["name"] == "fm-plan-%s" % tag]
        if not plans:
            found["ctera_plan"]["lost"].append("plan fm-plan-%s" % tag)
        for plan in plans:
            if (plan.get("retention") or {}).get("daily") != 10 or (plan.get("items") or {}).get("storage") != 512 * 2 ** 30:
                found["ctera_plan"]["half"].append("plan %r" % plan)
        tenant = state["tenants"].get("fm-%s" % tag)
        if tenant is None:
            found["ctera_tenant"]["lost"].append("tenant fm-%s" % tag)
        elif (tenant["displayName"], tenant["companyName"], tenant["deleted"]) != ("Fault %s" % tag, "Fault AB", False):
            found["ctera_tenant"]["half"].append("tenant %r" % dict((k, tenant[k]) for k in ("displayName", "companyName")))

        owner_uid = acme["users"][OWNER]["uid"]
        groups = [g for g in acme.get("folder_groups", {}).values() if g["name"] == "fm-fg-%s" % tag]
        if not groups:
            found["ctera_folder_group"]["lost"].append("folder group fm-fg-%s" % tag)
        if len(groups) > 1:
            found["ctera_folder_group"]["duplicates"].append("folder group fm-fg-%s x%d" % (tag, len(groups)))
        if any(g.get("owner") != owner_uid for g in groups):
            found["ctera_folder_group"]["half"].append("folder group %r" % groups)
        drives = [d for d in acme.get("cloud_drives", {}).values() if d["name"] == "fm-cf-%s" % tag]
        if not drives:
            found["ctera_cloud_folder"]["lost"].append("cloud folder fm-cf-%s" % tag)
        if len(drives) > 1:
            found["ctera_cloud_folder"]["duplicates"].append("cloud folder fm-cf-%s x%d" % (tag, len(drives)))
        for drive in drives:
            if drive.get("owner") != owner_uid or drive.get("description") != "Fault matrix folder" or \
                    drive.get("deleted"):
                found["ctera_cloud_folder"]["half"].append("cloud folder %r" % drive)
        zones = [z for z in acme.get("zones", {}).values() if z["name"] == "fm-zone-%s" % tag]
        if not zones:
            found["ctera_zone"]["lost"].append("zone fm-zone-%s" % tag)
        if len(zones) > 1:
            found["ctera_zone"]["duplicates"].append("zone fm-zone-%s x%d" % (tag, len(zones)))
        seed_uid = next(int(u) for u, d in acme["cloud_drives"].items() if d["name"] == FOLDER)
        device_uid = acme["devices"][DEVICE]["uid"]
        for zone in zones:
            if (zone.get("description"), sorted(zone.get("folders") or []), sorted(zone.get("devices") or [])) != (
                    "Fault matrix zone", [seed_uid], [device_uid]):
                found["ctera_zone"]["half"].append("zone %r" % zone)

        files = self.cloud_files(state)
        uploaded = files.get("fm-up-%s.bin" % tag)
        if uploaded is None:
            found["ctera_file"]["lost"].append("uploaded fm-up-%s.bin" % tag)
        elif uploaded.get("sha256") != _sha(str(self.src)):
            found["ctera_file"]["half"].append("uploaded fm-up-%s.bin has other content" % tag)
        if not (files.get("fm-dir-%s/inner" % tag) or {}).get("dir"):
            found["ctera_file"]["lost"].append("folder fm-dir-%s/inner" % tag)
        if self.partial_downloads() or not (self.work / "seed.bin").exists():
            found["ctera_file"]["half"].append("download: %r" % os.listdir(str(self.work)))
        orphans = self.orphan_blocks()
        if orphans:
            found["ctera_file"]["duplicates"].append("%d blocks no file holds" % len(orphans))

        factory = self.sims.state(self.factory)
        edge = self.sims.state(self.edge)
        self._edge_problems(found, tag, factory, edge)
        return found

    def _edge_problems(self, found, tag, factory, edge):
        admins = [u for u in factory["config"]["auth"]["users"] if u["username"] == self.factory["username"]]
        if not factory.get("initialized") or not admins:
            found["edge_setup"]["lost"].append("factory filer: administrator %r" % self.factory["username"])
        if len(admins) > 1:
            found["edge_setup"]["duplicates"].append("factory filer: administrators %r" % admins)
        if factory["config"]["gui"].get("openFirstTimeWizard") is not False:
            found["edge_setup"]["half"].append("factory filer: wizard %r" % factory["config"]["gui"])
        device = edge["config"]["device"]
        if (device.get("hostname"), device.get("location")) != ("fm-%s" % tag, "Fault matrix room"):
            found["edge_settings"]["half"].append("device %r" % dict((k, device.get(k)) for k in ("hostname", "location")))
        users = [u for u in edge["config"]["auth"]["users"] if u["username"] == "fm-user-%s" % tag]
        if not users:
            found["edge_user"]["lost"].append("user fm-user-%s" % tag)
        if len(users) > 1:
            found["edge_user"]["duplicates"].append("user fm-user-%s x%d" % (tag, len(users)))
        if any((u.get("fullName"), int(u.get("uid") or 0)) != ("Fault Matrix", 1600) for u in users):
            found["edge_user"]["half"].append("user %r" % users)
        groups = [g for g in edge["config"]["auth"]["groups"] if g["name"] == "fm-group-%s" % tag]
        if not groups:
            found["edge_group"]["lost"].append("group fm-group-%s" % tag)
        if len(groups) > 1:
            found["edge_group"]["duplicates"].append("group fm-group-%s x%d" % (tag, len(groups)))
        if not edge["domain_join"]["joined"]:
            found["edge_domain"]["half"].append("not joined: %r" % edge["domain_join"])
        services = edge["config"]["services"]
        if not (edge.get("portal") or {}).get("connected") or (services.get("server"), services.get("user")) != (
                self.portal["url"].split("://", 1)[1], CONNECT_USER):
            found["edge_portal_connection"]["half"].append("connection %r, %r" % (edge.get("portal"), services))

    def stop(self):
        self.sims.stop()


def first_run_transfers(world, tag):
    """What the first run (under the fault) left of ctera_file's transfers, before any rerun: [problem]. An upload
    is in the cloud whole or not at all, no block is left that no file holds, and the download's directory holds a
    whole file or nothing."""
    problems = []
    uploaded = world.cloud_files().get("fm-up-%s.bin" % tag)
    if uploaded is not None and uploaded.get("sha256") != _sha(str(world.src)):
        problems.append("a partial upload is in the cloud: %r" % dict((k, uploaded.get(k)) for k in ("size", "sha256")))
    orphans = world.orphan_blocks()
    if orphans:
        problems.append("%d blocks on the portal's disk that no file holds" % len(orphans))
    partial = world.partial_downloads()
    if partial:
        problems.append("partial download at the destination: %r" % partial)
    return problems


def run_case(world, case, tag, rows):
    """One case (see the module docstring); appends a reliability record per module to ``rows`` and returns
    ({module: outcome}, the injected faults by kind)."""
    plan, causes = CASES[case]
    world.set_faults(plan)
    env = world.stats_env()
    first = run_playbook(PLAYBOOK, env=env, extra_vars=world.extra_vars(tag))
    stats = [world.sims.stats(entry) for entry in world.entries + [world.object_store]]
    transfers = first_run_transfers(world, tag)
    world.set_faults({})
    rerun = first
    if any(t["status"] != "ok" for t in first.tasks):  # ignore_errors: failed tasks are not in the recap's failures
        rerun = run_playbook(PLAYBOOK, env=env, extra_vars=world.extra_vars(tag))
    output = first.output() + rerun.output()
    leaked = [name for name, secret in dict(SECRETS, s3=world.key.secretKey).items() if secret in output]
    assert not leaked, (case, leaked)
    assert not transfers, (case, transfers)
    assert rerun.rc == 0 and all(t["status"] == "ok" for t in rerun.tasks), [
        (t["task"], t["result"].get("msg")) for t in rerun.tasks if t["status"] != "ok"]
    assert sorted(set(TASK_MODULE[t["task"]] for t in first.tasks)) == MODULES
    problems = world.problems(tag)
    numbers = task_numbers(first)
    outcomes = {}
    for module in MODULES:
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
                assert " failed" in message or "failure" in message, (module, message)
                assert not message.startswith("Connection failure"), (module, message)  # the operation comes first
                assert any(cause in message for cause in causes), (module, case, message)  # the cause
        else:
            outcome = "survived"
            # Nothing half-done: what survived the fault is complete, so a rerun finds nothing to change.
            changed = [t["task"] for t in again if t["result"].get("changed")] if rerun is not first else []
            assert not changed, (module, case, changed)
        found = problems[module]
        assert found == {"lost": [], "duplicates": [], "half": []}, (module, case, found)
        rows.append(dict(case=case, module=module, outcome=outcome, retries=retries, requests=requests,
                         duplicates=len(found["duplicates"]), lost=len(found["lost"]),
                         detail="; ".join(messages) if messages else "first run passed"))
        outcomes[module] = outcome
    faults = {}
    for entry_stats in stats:
        for kind, hits in entry_stats["faults_injected"].items():
            faults[kind] = faults.get(kind, 0) + hits
    hits = [key for entry_stats in stats for key in entry_stats["fault_hits"]]
    return outcomes, faults, hits, dict((t["task"], t["status"]) for t in first.tasks)


def check_case(tmp_path, case, rows, errors):
    world = World(tmp_path / ("case-%d" % sorted(CASES).index(case)))
    try:
        outcomes, faults, hits, first_run = run_case(world, case, "n%d" % sorted(CASES).index(case), rows)
        assert sum(faults.get(kind, 0) for kind in RETRIED_FAULTS) > 0, (case, "the fault plan hit nothing", faults)
        if case == ERROR_CASE:
            # Every status met something: 502 and 429 on reads, 503 on POSTs, 429 on PUTs.
            for method in ("GET", "POST", "PUT"):
                assert any(key.startswith("error %s " % method) for key in hits), (method, hits)
        if case.startswith("dropped"):
            # The upload's connection was cut mid-body, and the download's blocks were dropped more often than a
            # block is retried: both failed (leaving nothing, checked after the first run), the rerun moved them.
            assert any(key.startswith("drop POST " + UPLOAD_PATH) for key in hits), hits
            assert any(key.startswith("drop GET " + BLOCKS_PATH) for key in hits), hits
            assert (first_run["Module ctera_file upload"], first_run["Module ctera_file download"]) == (
                "failed", "failed"), first_run
            assert outcomes["ctera_file"] == "converged", outcomes
        if case.startswith("Portal and Edge session"):
            # An expired session or token never fails a module: logins are safe to repeat, and an upload the portal
            # refused for its session (closing the connection mid-body) is sent again after a new login.
            assert any(key.startswith("expire POST " + UPLOAD_PATH) for key in hits), hits
            assert set(outcomes.values()) == {"survived"}, (case, outcomes)
    except AssertionError as exc:
        errors.append("%s: %s" % (case, exc))
        rows.append(dict(case=case, module="(new modules)", outcome="FAILED", detail=str(exc)[:300]))
    finally:
        world.stop()


@pytest.mark.one_mode("the fault matrix is about the HTTP client and the engine, shared by both modes; "
                      "test_fault_matrix proves its kinds in both")
def test_new_modules_under_every_fault(tmp_path):
    rows, errors = [], []
    with ThreadPoolExecutor(max_workers=len(CASES)) as pool:
        list(pool.map(lambda case: check_case(tmp_path, case, rows, errors), sorted(CASES)))
    for row in sorted(rows, key=lambda r: (r["case"], r["module"])):
        reliability_log.record("fault", **row)
    assert not errors, "\n".join(errors)
