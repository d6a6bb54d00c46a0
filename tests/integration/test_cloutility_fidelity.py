# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cloutility modules where the vendor evidence leaves the service's answer open, against the simulator in each
of its plausible answers (POST /_sim/cloutility; see the "Inferred behaviour" section of tests/simulators/cloutility.py),
through playbooks/cloutility_fidelity.yml:

1. clearing note, external reference and billing end date converges whether PUT replaces or merges;
2. a node update keeps the node's schedules and proxy relations whether PUT replaces or merges;
3. deletion is asynchronous: an accepted delete is done and reported (deleted or pending), a consumer marked for
   deletion counts as absent, and a node name still held by a deleted node fails with a message that says so;
4. a consumer without a node is understood whether GET .../node answers 404, null or an empty body, and tags
   converge whether the consumer body writes them or only POST .../tags does.

Assertions read the simulator's state (GET /_sim/state), never the modules.
"""

import contextlib
import uuid

import pytest

from integration_support import cloutility_env, playbook_path, run_playbook
from simulators.cloutility import DEFAULT_SCHEDULE, SIM_MODES, SIM_TIMINGS

STOCKHOLM = 101


@contextlib.contextmanager
def cloutility_modes(sims, **modes):
    """Inside the block the Cloutility simulator answers with ``modes``; with its defaults after it."""
    entry = sims.info["cloutility"]
    assert sims.sim_call(entry, "/_sim/cloutility", "POST", modes)["sim"].items() >= modes.items()
    try:
        yield
    finally:
        defaults = dict((key, answers[0]) for key, answers in SIM_MODES.items())
        defaults.update(SIM_TIMINGS)
        sims.sim_call(entry, "/_sim/cloutility", "POST", defaults)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def stored(sims, name):
    """The consumers of Stockholm called ``name`` as the simulator keeps them."""
    return [c for c in sims.state(sims.info["cloutility"])["consumers"].values()
            if c["bunitId"] == STOCKHOLM and c["name"] == name]


def step(tag, sims, consumer, **extra):
    variables = {"consumer": consumer, "node_name": consumer.upper(), "proxy": consumer + "-px",
                 "wanted_tags": []}
    variables.update(extra)
    return run_playbook(playbook_path("cloutility_fidelity.yml"), env=cloutility_env(sims), tags=tag,
                        extra_vars=variables)


@pytest.mark.parametrize("put", SIM_MODES["put"])
def test_clearing_fields_converges_whether_put_replaces_or_merges(sims, put):
    name = unique("clear")
    with cloutility_modes(sims, put=put):
        created = step("consumer", sims, name)
        assert created.rc == 0 and created.changed() == 1, created.output()
        [consumer] = stored(sims, name)
        assert (consumer["note"], consumer["externalReference"]) == ("Lisa's workstation", "CMDB-7")
        assert consumer["billingEndDate"].startswith("2031-12-31")

        cleared = step("clear", sims, name)
        assert cleared.rc == 0 and cleared.changed() == 1, cleared.output()
        [consumer] = stored(sims, name)
        assert (consumer["note"], consumer["externalReference"], consumer["billingEndDate"]) == (None, None, None)
        assert sorted(t["text"] for t in consumer["tags"]) == ["stockholm", "workstation"]  # not given: kept
        again = step("clear", sims, name)
        assert again.rc == 0 and again.changed() == 0, again.output()


@pytest.mark.parametrize("put", SIM_MODES["put"])
def test_node_update_keeps_schedules_and_proxies_whether_put_replaces_or_merges(sims, put):
    name = unique("keep")
    with cloutility_modes(sims, put=put):
        assert step("consumer", sims, name).rc == 0
        made = step("node", sims, name)
        assert made.rc == 0, made.output()
        [consumer] = stored(sims, name)
        [proxy] = stored(sims, name + "-px")
        assert consumer["node"]["proxyAgents"] == [proxy["id"]]
        assert consumer["node"]["schedules"] == [DEFAULT_SCHEDULE]

        changed = step("contact", sims, name)
        assert changed.rc == 0 and changed.changed() == 1, changed.output()
        [consumer] = stored(sims, name)
        node = consumer["node"]
        assert node["contact"] == "helpdesk@example.com"
        assert (node["cpuCount"], node["clientOptionSetId"], node["tsmName"]) == (4, 2, name.upper())
        assert node["schedules"] == [DEFAULT_SCHEDULE] and node["proxyAgents"] == [proxy["id"]]
        assert stored(sims, name + "-px")[0]["node"]["proxyTargets"] == [consumer["id"]]
        assert step("contact", sims, name).changed() == 0


def test_an_accepted_delete_is_done_when_deletion_finishes_at_once(sims):
    name = unique("gone")
    assert step("consumer", sims, name).rc == 0
    dropped = step("drop", sims, name)
    assert dropped.rc == 0 and dropped.changed() == 1, dropped.output()
    assert dropped.result("Drop")["deletion_state"] == "deleted"
    assert stored(sims, name) == []


def test_deferred_deletion_is_reported_and_a_held_node_name_fails_clearly(sims):
    name = unique("held")
    assert step("consumer", sims, name).rc == 0
    assert step("node", sims, name).rc == 0
    with cloutility_modes(sims, delete_delay_seconds=600, name_hold_seconds=600):
        deleted = step("delete", sims, name)
        assert deleted.rc == 0 and deleted.changed() == 1, deleted.output()
        assert deleted.result("Delete")["deletion_state"] == "pending"
        [consumer] = stored(sims, name)  # still shown while the delete process runs
        assert consumer["deletion"]

        again = step("delete", sims, name)  # marked for deletion: already absent
        assert again.rc == 0 and again.changed() == 0, again.output()
        assert step("drop", sims, name).changed() == 0
        info = step("info", sims, name)
        assert info.rc == 0 and info.result("Info")["nodes"][0]["decommissioned"] is True, info.output()

        entry = sims.info["cloutility"]
        sims.sim_call(entry, "/_sim/cloutility", "POST", {"delete_delay_seconds": 0})  # the delete process ends
        other = unique("reuse")
        assert step("consumer", sims, other).rc == 0
        reuse = step("node", sims, other, node_name=name.upper())
        assert reuse.rc != 0 and stored(sims, name) == []  # the delete process has finished
        message = reuse.result("Node")["msg"]
        assert "deleted node still holds it" in message and "retention" in message, message
        held = sims.state(sims.info["cloutility"])["spServer"]["deletedNodes"]
        assert name.upper() in [d["tsmName"] for d in held]


@pytest.mark.parametrize("missing_node", SIM_MODES["missing_node"])
def test_no_node_yet_is_understood_whatever_the_answer(sims, missing_node):
    name = unique("nonode")
    with cloutility_modes(sims, missing_node=missing_node):
        assert step("consumer", sims, name).rc == 0
        info = step("info", sims, name)
        assert info.rc == 0 and info.result("Info")["nodes"] == [], info.output()
        made = step("node", sims, name)
        assert made.rc == 0 and made.changed() == 3, made.output()  # proxy consumer, proxy node, node
        assert stored(sims, name)[0]["node"]["tsmName"] == name.upper()
        assert step("node", sims, name).changed() == 0


@pytest.mark.parametrize("tags", SIM_MODES["tags"])
def test_tags_converge_whether_the_consumer_body_writes_them_or_not(sims, tags):
    name = unique("tags")
    with cloutility_modes(sims, tags=tags):
        created = step("consumer", sims, name)
        assert created.rc == 0, created.output()
        assert sorted(t["text"] for t in stored(sims, name)[0]["tags"]) == ["stockholm", "workstation"]
        assert step("consumer", sims, name).changed() == 0

        added = step("retag", sims, name, wanted_tags=["stockholm", "workstation", "laptop"])
        assert added.rc == 0 and added.changed() == 1, added.output()
        assert sorted(t["text"] for t in stored(sims, name)[0]["tags"]) == ["laptop", "stockholm", "workstation"]

        removed = step("retag", sims, name, wanted_tags=["laptop"])
        if tags == "text":
            assert removed.rc == 0 and removed.changed() == 1, removed.output()
            assert [t["text"] for t in stored(sims, name)[0]["tags"]] == ["laptop"]
        else:  # the API documents no way to remove a tag: a clear failure, never "changed" on every run
            assert removed.rc != 0
            assert "remove them in the portal" in removed.result("Retag")["msg"], removed.output()
