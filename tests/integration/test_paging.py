# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listings that the collection itself reads, past several pages, in real ansible-playbook runs.

Every listing here is seeded through an independent client (cterasdk for the Portal, plain ``requests`` for
Cloutility, ``serve.py --edge-tenants`` for devices) with several pages of objects, and every count is checked
exactly against the simulator's own state (GET /_sim/state), so a client that stopped after the first page fails:

* Portal users: the ``query`` of the client pages by ``QUERY_PAGE_SIZE`` (50); the tenant holds 135 users.
* Portal groups: ``getMembers`` pages by 50; one group has 125 members, and the tenant holds 56 groups, the
  big one listed last (``GroupDirectory.load`` pages through the group listing).
* Devices for the ctera_portal inventory: 120 filers registered on the portal (3 pages of 50).
* Cloutility consumers: the client pages by ``offset``/``limit`` while ``total`` says items are missing. By
  default the simulator answers a list without ``limit`` with every item, so the client's page loop would never
  run; here the simulator's ``default_page_size`` option (``POST /_sim/cloutility``) is 50: a consumer list asked
  for without ``limit`` answers one page of 50 (with the full ``total``), as a server with a default page size
  does. 170 consumers then take three requests (50, then 100 and 20 with ``limit``).
"""

import contextlib
import json
import os
import subprocess
import uuid

import aiohttp.connector
import pytest
import requests

import cterasdk
from cterasdk import core_types
from cterasdk.core.enum import Role

from integration_support import BIN, COLLECTIONS, _ensure_collection_link, portal_env, run_playbook
from simulators._base import Listener, TLSMaterial
from simulators.cloutility import CloutilityService
from simulators.harness import Simulators

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks")
PAGE = 50  # QUERY_PAGE_SIZE of plugins/module_utils/_portal.py, and the getMembers page of read_members
TENANT = "paging"
USERS = 135  # three query pages
GROUPS = 55  # small groups; the big group comes last, so the listing holds 56: two pages
BIG_GROUP = "everyone-late"
BIG_MEMBERS = range(10, USERS)  # 125 members, three getMembers pages
EDGES = 120  # three device pages
EDGE_TENANTS = ("acme", "globex")
CLOUTILITY_DEFAULT_PAGE = 50
CLOUTILITY_PAGE = 100  # PAGE_SIZE of plugins/module_utils/_cloutility.py
CONSUMERS = 170  # 50 + 100 + 20: three requests
BUSINESS_UNIT = 101  # Company AB/Stockholm Office


def _playbook(name):
    return os.path.join(PLAYBOOKS, name)


# -- Portal: a tenant seeded through cterasdk; a dedicated set with 120 registered filers for the inventory ---------

@pytest.fixture(scope="module")
def portal_sims(tmp_path_factory, execution_mode):
    """A portal with the tenant ``paging`` seeded through cterasdk (made anew for each execution mode)."""
    state_dir = str(tmp_path_factory.mktemp("paging-portal-%s" % execution_mode))
    with Simulators(state_dir, portal=True) as sims:
        _trust(sims.info["portal"])
        _seed_portal(sims.info["portal"])
        yield sims


@pytest.fixture(scope="module")
def fleet_sims(tmp_path_factory):
    """A dedicated set: a portal with 120 filers registered to two tenants (serve.py --edge-tenants)."""
    state_dir = str(tmp_path_factory.mktemp("paging-fleet"))
    with Simulators(state_dir, portal=True, edges=EDGES, extra_args=["--edge-tenants", ",".join(EDGE_TENANTS)]) as sims:
        yield sims


def _trust(portal):
    """cterasdk verifies TLS with aiohttp's default context, built at import time: add the simulator's CA to it."""
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=portal["ca_path"])  # pylint: disable=W0212


def _seed_portal(portal):
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    admin = cterasdk.GlobalAdmin(host, int(port))
    admin.login(portal["username"], portal["password"])
    try:
        admin.portals.add(TENANT)
        admin.portals.browse(TENANT)
        for index in range(USERS):
            role = Role.ReadOnlyAdmin if index % 7 == 0 else Role.EndUser
            admin.users.add("u%03d" % index, "u%03d@paging.example" % index, "User", "No %d" % index, "Secret1!pw",
                            role, company="Paging %d" % (index % 3), comment="seeded %d" % index)
        for index in range(GROUPS):
            admin.groups.add("team-%02d" % index, "small group %d" % index)
        admin.groups.add(BIG_GROUP, "125 members", members=[core_types.UserAccount("u%03d" % i) for i in BIG_MEMBERS])
    finally:
        admin.logout()


def _tenant_state(sims):
    return sims.state(sims.info["portal"])["tenants"][TENANT]


def _entry(user):
    """A users: entry holding the user's current attributes as the simulator stores them."""
    return {"name": user["name"], "email": user["email"], "first_name": user["firstName"],
            "last_name": user["lastName"], "role": user["role"], "company": user["company"],
            "comment": user["comment"]}


def _run_users(sims, entries):
    return run_playbook(_playbook("paging_users.yml"), env=portal_env(sims),
                        extra_vars={"paging_tenant": TENANT, "paging_users": entries})


def test_every_user_is_listed_and_a_bulk_task_over_all_of_them_converges(portal_sims):
    users = _tenant_state(portal_sims)["users"]  # in listing order (the simulator lists in insertion order)
    assert len(users) >= USERS > 2 * PAGE
    entries = [_entry(user) for user in users.values()]
    bulk = "Every user of the tenant with the given attributes"

    # Every user with its current attributes: nothing to change (a user missed by the listing would be created,
    # and fail for want of a password).
    first = _run_users(portal_sims, entries)
    listed = first.result("Read every user of the tenant")
    names = [u["name"] for u in listed["users"]]
    assert listed["count"] == len(names) == len(set(names)) == len(users)
    assert set(names) == set(users)
    assert first.rc == 0, first.output()
    assert first.changed() == 0, first.result(bulk)
    assert first.result(bulk)["changed_users"] == []

    # The user listed last (on the third page) changes, and only that one.
    last = list(users)[-1]
    assert list(users).index(last) >= 2 * PAGE
    entries[-1] = dict(entries[-1], comment="changed %s" % uuid.uuid4().hex[:8])
    change = _run_users(portal_sims, entries)
    assert change.rc == 0, change.output()
    assert change.changed() == 1
    assert change.result(bulk)["changed_users"] == [last]
    after = _tenant_state(portal_sims)["users"]
    assert after[last]["comment"] == entries[-1]["comment"]
    assert [n for n in after if after[n] != users[n]] == [last]
    assert list(after) == list(users)

    # A rerun of the same task, every user with its current attributes again, converges.
    rerun = _run_users(portal_sims, entries)
    assert rerun.rc == 0, rerun.output()
    assert rerun.changed() == 0, rerun.result(bulk)
    assert rerun.result("Read every user of the tenant")["count"] == len(users)
    assert _tenant_state(portal_sims)["users"] == after


def test_group_with_members_on_several_pages_in_a_tenant_with_many_groups_converges(portal_sims):
    tenant = _tenant_state(portal_sims)
    groups = list(tenant["groups"])
    assert len(groups) > PAGE and groups.index(BIG_GROUP) >= PAGE  # the group is on the listing's second page
    by_uid = dict((user["uid"], name) for name, user in tenant["users"].items())
    members = [by_uid[uid] for uid in tenant["groups"][BIG_GROUP]["members"]]
    assert len(members) > 2 * PAGE
    # A member on the last page of getMembers and of the user listing, in no other group.
    member = members[-1]
    assert list(tenant["users"]).index(member) >= 2 * PAGE
    uid = tenant["users"][member]["uid"]
    assert [g for g, record in tenant["groups"].items() if uid in record["members"]] == [BIG_GROUP]

    run = run_playbook(_playbook("paging_groups.yml"), env=portal_env(portal_sims), extra_vars={
        "paging_tenant": TENANT, "paging_group": BIG_GROUP, "paging_members": members, "paging_member": member})
    assert run.rc == 0, run.output()
    assert run.changed() == 0, run.output()
    group = run.result("The group has exactly its current members")["group"]
    assert len(group["members"]) == len(members)
    assert sorted(group["members"]) == sorted(members)
    user = run.result("A member on a late page belongs to exactly that group")["user"]
    assert user["name"] == member and user["groups"] == [BIG_GROUP]
    assert _tenant_state(portal_sims)["groups"] == tenant["groups"]


def _plain(value):
    """ansible-inventory marks values that came from a remote source as unsafe: ``{"__ansible_unsafe": v}``."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest.mark.one_mode("ansible-inventory runs the inventory plugin, no module: the execution mode plays no part")
def test_inventory_lists_every_device(fleet_sims, tmp_path):
    _ensure_collection_link()
    config = tmp_path / "paging.ctera_portal.yml"
    config.write_text(json.dumps({"plugin": "filefleet.office.ctera_portal"}))  # JSON is YAML
    portal = fleet_sims.info["portal"]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               CTERA_PORTAL_URL=portal["url"], CTERA_PORTAL_USERNAME=portal["username"],
               CTERA_PORTAL_PASSWORD=portal["password"], CTERA_CA_PATH=portal["ca_path"], ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(config), "--list"], capture_output=True,
                          text=True, env=env, cwd=str(tmp_path), timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    data = _plain(json.loads(proc.stdout))

    devices = {}
    for tenant, record in fleet_sims.state(portal)["tenants"].items():
        for device in (record.get("devices") or {}).values():
            devices[device["name"]] = dict(device, tenant=tenant)
    assert len(devices) == EDGES > 2 * PAGE
    hostvars = data["_meta"]["hostvars"]
    assert len(hostvars) == len(devices)
    assert set(hostvars) == set(devices)
    for tenant in EDGE_TENANTS:
        assert sorted(data["ctera_tenant_%s" % tenant]["hosts"]) == sorted(
            name for name, device in devices.items() if device["tenant"] == tenant)
    last = max(devices.values(), key=lambda d: d["uid"])
    assert hostvars[last["name"]]["ctera_url"] == last["url"]


# -- Cloutility: the simulator with a default page size, in this process, seeded with plain requests -----------------

@pytest.fixture(scope="module")
def cloutility(tmp_path_factory, execution_mode):
    """The Cloutility simulator answering 50 items for a list without ``limit``, with 170 consumers in one business
    unit (made anew for each execution mode)."""
    state_dir = str(tmp_path_factory.mktemp("paging-cloutility-%s" % execution_mode))
    tls = TLSMaterial(state_dir)
    service = CloutilityService(os.path.join(state_dir, "cloutility.json"))
    listener = Listener(service, 0, "127.0.0.1", tls).start()
    entry = dict(service.credentials(), url=listener.url, ca_path=tls.ca_path)
    try:
        _seed_consumers(entry)
        _set_default_page_size(entry, CLOUTILITY_DEFAULT_PAGE)
        yield entry
    finally:
        listener.stop()


def _set_default_page_size(entry, size):
    response = requests.post(entry["url"] + "/_sim/cloutility", json={"default_page_size": size},
                             verify=entry["ca_path"], timeout=30)
    response.raise_for_status()
    assert response.json()["sim"]["default_page_size"] == size
    # The option holds: a list without limit answers one page, and the full total.
    page = _list_without_limit(entry)
    assert len(page["items"]) == size and page["total"] >= CONSUMERS


@contextlib.contextmanager
def _api(entry):
    """A requests session logged in to the Cloutility API (an independent client, not the collection's)."""
    # verify on every request: a Session's own verify loses to REQUESTS_CA_BUNDLE from the environment.
    with requests.Session() as http:
        http.headers["Origin"] = entry["origin"]
        token = http.post(entry["url"] + "/v1/oauth", timeout=10, verify=entry["ca_path"], data={
            "client_id": entry["client_id"], "grant_type": "password", "username": entry["username"],
            "password": entry["password"]})
        token.raise_for_status()
        http.headers["Authorization"] = "Bearer " + token.json()["access_token"]
        yield http


def _seed_consumers(entry):
    with _api(entry) as http:
        for index in range(CONSUMERS):
            response = http.post("%s/v1/bunits/%d/consumers" % (entry["url"], BUSINESS_UNIT), timeout=10,
                                 verify=entry["ca_path"],
                                 json={"name": "ws-%03d" % index, "note": "seeded %d" % index})
            response.raise_for_status()


def _list_without_limit(entry):
    with _api(entry) as http:
        response = http.get("%s/v1/bunits/%d/consumers" % (entry["url"], BUSINESS_UNIT), timeout=10,
                            verify=entry["ca_path"])
        response.raise_for_status()
        return response.json()


def _sim_get(entry, what):
    response = requests.get(entry["url"] + "/_sim/" + what, verify=entry["ca_path"], timeout=30)
    response.raise_for_status()
    return response.json()


def _consumers_in_state(entry):
    return sorted((c for c in _sim_get(entry, "state")["consumers"].values() if c["bunitId"] == BUSINESS_UNIT),
                  key=lambda c: c["id"])


def _list_requests(entry):
    return _sim_get(entry, "stats")["requests"].get("GET /v1/bunits/%d/consumers" % BUSINESS_UNIT, 0)


def test_every_consumer_is_listed_and_the_last_one_converges(cloutility):
    entry = cloutility
    stored = _consumers_in_state(entry)
    assert len(stored) >= CONSUMERS > CLOUTILITY_DEFAULT_PAGE + CLOUTILITY_PAGE
    # The simulator lists by id: the consumer with the highest id is on the last page.
    last = stored[-1]
    assert [c["name"] for c in stored].count(last["name"]) == 1
    env = {"CLOUTILITY_URL": entry["url"], "CLOUTILITY_USERNAME": entry["username"],
           "CLOUTILITY_PASSWORD": entry["password"], "CLOUTILITY_CLIENT_ID": entry["client_id"],
           "CLOUTILITY_ORIGIN": entry["origin"], "CLOUTILITY_CA_PATH": entry["ca_path"]}
    note = "converged %s" % uuid.uuid4().hex[:8]
    extra_vars = {"paging_business_unit": BUSINESS_UNIT, "paging_consumer": last["name"], "paging_note": note}

    before = _list_requests(entry)
    first = run_playbook(_playbook("paging_consumers.yml"), env=env, extra_vars=extra_vars)
    assert first.rc == 0, first.output()
    listed = first.result("Read every consumption unit of the business unit")["consumers"]
    assert len(listed) == len(stored)
    assert [c["id"] for c in listed] == [c["id"] for c in stored]
    # Both tasks listed the business unit in several requests (a list without limit answers only the first page).
    assert _list_requests(entry) - before >= 2 * 3
    assert first.changed() == 1
    assert first.result("The consumption unit listed last has the given note")["consumer"]["id"] == last["id"]
    after = _consumers_in_state(entry)
    assert [c["id"] for c in after] == [c["id"] for c in stored]  # found, not created again
    notes = dict((c["id"], c["note"]) for c in stored)
    assert [c["id"] for c in after if c["note"] != notes[c["id"]]] == [last["id"]]
    assert after[-1]["note"] == note

    rerun = run_playbook(_playbook("paging_consumers.yml"), env=env, extra_vars=extra_vars)
    assert rerun.rc == 0, rerun.output()
    assert rerun.changed() == 0, rerun.output()
    assert len(rerun.result("Read every consumption unit of the business unit")["consumers"]) == len(stored)
    assert len(_consumers_in_state(entry)) == len(stored)
