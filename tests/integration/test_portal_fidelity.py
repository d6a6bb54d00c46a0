# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Portal modules where cterasdk and our old guesses disagreed, against the simulator in each of its plausible
answers (POST /_sim/portal; see the "Inferred behaviour" section of tests/simulators/portal.py):

1. existence is decided as the SDK decides it (get-multi, a null name), whatever status a full GET of a missing
   user or group has, and whether get-multi of a missing object answers a null name or 404;
2. the compliance officer is sent as the SDK spells it and converges whichever spelling the portal answers;
3. member references are the portal's own, whether or not a whole user carries one and whatever ``add`` answers.

Assertions read the simulator's state and request counters (GET /_sim/state, /_sim/stats), never the modules.
"""

import contextlib
import uuid

import pytest

from integration_support import playbook_path, portal_env, run_playbook
from simulators.portal import SIM_MODES


@contextlib.contextmanager
def portal_modes(sims, **modes):
    """Inside the block the portal simulator answers with ``modes``; with its defaults after it."""
    portal = sims.info["portal"]
    assert sims.sim_call(portal, "/_sim/portal", "POST", modes)["sim"].items() >= modes.items()
    try:
        yield
    finally:
        sims.sim_call(portal, "/_sim/portal", "POST", dict((key, answers[0]) for key, answers in SIM_MODES.items()))


def acme(sims):
    return sims.state(sims.info["portal"])["tenants"]["acme"]


def requests_delta(before, after):
    return dict((key, count - before["requests"].get(key, 0)) for key, count in after["requests"].items()
                if count != before["requests"].get(key, 0))


def changes(run):
    return [task["result"].get("changed") for task in run.tasks]


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


@pytest.mark.parametrize("mode, answer", [("missing_get", "not_found"), ("missing_get", "bad_request"),
                                          ("missing_get", "server_error"), ("missing_get", "empty"),
                                          ("missing_get_multi", "not_found")])
def test_existence_never_depends_on_a_full_get_of_a_missing_object(sims, mode, answer):
    env, portal = portal_env(sims), sims.info["portal"]
    user, group = unique("fid"), unique("fidgroup")
    extra_vars = {"fid_user": user, "fid_group": group}
    with portal_modes(sims, **{mode: answer}):
        before = sims.stats(portal)
        run = run_playbook(playbook_path("portal_existence.yml"), extra_vars=extra_vars, env=env)
        assert run.rc == 0, run.stdout
        assert changes(run) == [False, False, False, True, False, True, True, False, True]
        assert run.result("Missing user info")["users"] == []
        stored = acme(sims)
        assert stored["users"][user]["comment"] == "checked"
        assert stored["groups"][group]["description"] == "changed"
        assert stored["groups"][group]["members"] == [stored["users"][user]["uid"]]
        sent = requests_delta(before, sims.stats(portal))
        # Full GETs only of objects that exist, to send them back whole (as cterasdk's modify does).
        assert sent.get("GET /admin/api/users/" + user) == 1
        assert sent.get("GET /admin/api/localGroups/" + group) == 1

        gone = run_playbook(playbook_path("portal_existence.yml"), extra_vars=extra_vars, env=env, tags="delete")
        assert gone.rc == 0, gone.stdout
        assert changes(gone) == [True, True, False, False]
        assert gone.result("Deleted user info")["users"] == []
        stored = acme(sims)
        assert user not in stored["users"] and group not in stored["groups"]


@pytest.mark.parametrize("first, second", [("ComplianceOffer", "ComplianceOfficer"),
                                           ("ComplianceOfficer", "ComplianceOffer")])
def test_compliance_officer_converges_whichever_spelling_the_portal_answers(sims, first, second):
    env, name = portal_env(sims), unique("cco")
    # The default portal refuses the name ComplianceOfficer: succeeding there shows ComplianceOffer was sent.
    with portal_modes(sims, compliance_role=first):
        run = run_playbook(playbook_path("portal_compliance_officer.yml"), extra_vars={"cco_user": name}, env=env)
        assert run.rc == 0, run.stdout
        assert changes(run) == [True, False, False, False, True, True, False, True]
        assert run.result("Officer info")["users"] == [{"name": name, "role": "ComplianceOfficer"}]
        assert run.result("Officers in one task")["changed_users"] == [name + "-bulk"]
    users = acme(sims)["users"]
    assert users[name]["role"] == users[name + "-bulk"]["role"] == "ComplianceOfficer"
    # The same users, read from a portal that spells the role the other way.
    with portal_modes(sims, compliance_role=second):
        again = run_playbook(playbook_path("portal_compliance_officer.yml"), extra_vars={"cco_user": name}, env=env)
        assert again.rc == 0, again.stdout
        assert changes(again) == [False, False, False, False, True, True, False, False]
        assert again.result("Officer info")["users"] == [{"name": name, "role": "ComplianceOfficer"}]
    assert acme(sims)["users"][name]["role"] == "ComplianceOfficer"


@pytest.mark.parametrize("modes", [{}, {"user_get_ref": "omitted", "user_add_answer": "none"}],
                         ids=["whole-user-has-ref", "refs-only-from-get-multi"])
def test_member_references_are_the_portals_own(sims, modes):
    env, prefix = portal_env(sims), unique("ref")
    names = ["%s-%d" % (prefix, n) for n in (1, 2, 3)]
    portal = sims.info["portal"]
    with portal_modes(sims, **modes):
        before = sims.stats(portal)
        run = run_playbook(playbook_path("portal_member_refs.yml"), extra_vars={"ref_prefix": prefix}, env=env)
        assert run.rc == 0, run.stdout
        assert changes(run) == [True, True, True, True, True, True, True, True, False]
        assert run.result("Users change in a loop and stay in the team")["results"][1]["changed"] is True
        sent = requests_delta(before, sims.stats(portal))
    # The first user is read with get-multi (POST /users/{name}: whether it exists, its reference) as cterasdk reads
    # users; its one full GET is the whole-object read before its one PUT (the loop's comment).
    assert sent.get("GET /admin/api/users/" + names[0]) == 1, sent
    assert sent.get("POST /admin/api/users/" + names[0], 0) >= 2, sent
    stored = acme(sims)
    uids = dict((name, stored["users"][name]["uid"]) for name in names)
    assert sorted(stored["groups"][prefix + "-team"]["members"]) == sorted([uids[names[0]], uids[names[1]]])
    assert stored["users"][names[0]]["comment"] == stored["users"][names[2]]["comment"] == "looped"
