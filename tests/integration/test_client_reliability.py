# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client reliability through real ansible-playbook runs, in both execution modes: a login hit by a gateway error
is retried, a wrong password still costs exactly one attempt, a captive portal fails a reader instead of reporting
an empty tenant, and names that would change a URL are refused before anything is sent. The simulators' own
statistics and state are the independent reader."""

import json

import pytest

from integration_support import cloutility_env, edge_env, playbook_path, portal_env, run_playbook

READERS = playbook_path("client_reliability.yml")


@pytest.fixture()
def clean_faults(sims):
    yield sims
    for entry in [sims.info["portal"], sims.info["cloutility"]] + list(sims.info["edges"]):
        sims.faults(entry, {})


def delta(before, after, key):
    return after["requests"].get(key, 0) - before["requests"].get(key, 0)


def task_record(run, task):
    records = [r for r in run.tasks if r["task"] == task]
    assert records, "no record of task %r: %s" % (task, run.stdout + run.stderr)
    return records[-1]


def test_a_login_hit_by_a_gateway_error_is_retried(clean_faults):
    sims = clean_faults
    portal = sims.info["portal"]
    sims.faults(portal, {"errors": [{"status": 502, "count": 1, "path": "/admin/api/login"}]})
    before = sims.stats(portal)
    run = run_playbook(READERS, env=portal_env(sims), tags="user_info")
    after = sims.stats(portal)
    assert run.failed() == 0, run.stdout
    assert isinstance(run.result("User info")["users"], list)
    assert delta(before, after, "POST /admin/api/login") == 2
    assert after["logins"] - before["logins"] == 1


def test_a_wrong_cloutility_password_costs_one_attempt_even_after_a_gateway_error(clean_faults):
    sims = clean_faults
    clou = sims.info["cloutility"]
    sims.faults(clou, {"errors": [{"status": 503, "count": 1, "path": "/v1/oauth"}]})
    before = sims.stats(clou)
    attempts_before = sims.state(clou)["user"]["failedLoginAttempts"]
    env = dict(cloutility_env(sims), CLOUTILITY_PASSWORD="Wrong-Password-0815")
    run = run_playbook(playbook_path("cloutility_wrong_password.yml"), env=env, extra_vars={"consumers": ["x-one"]})
    after = sims.stats(clou)
    assert "refused" in json.dumps(run.result("Loop"))
    assert delta(before, after, "POST /v1/oauth") == 2  # the 503, retried, then one refused password grant
    assert after["failed_logins"] - before["failed_logins"] == 1
    assert sims.state(clou)["user"]["failedLoginAttempts"] == attempts_before + 1
    assert "Wrong-Password-0815" not in run.output()


@pytest.mark.parametrize("kind", ["html", "empty"])
def test_a_captive_portal_fails_user_info_instead_of_an_empty_tenant(clean_faults, kind):
    sims = clean_faults
    portal = sims.info["portal"]
    sims.faults(portal, {"foreign": [{"kind": kind, "count": 50, "path": "/admin/api/users"}]})
    run = run_playbook(READERS, env=portal_env(sims), tags="user_info")
    record = task_record(run, "User info")
    assert record["status"] == "failed"
    msg = record["result"]["msg"]
    assert "/admin/api/users" in msg and ("HTML page" if kind == "html" else "empty body") in msg
    assert "users" not in record["result"]
    assert sims.stats(portal)["faults"]["foreign"][0]["count"] < 50


@pytest.mark.parametrize("kind", ["html", "json"])
def test_a_captive_portal_fails_share_info_instead_of_no_shares(clean_faults, kind):
    sims = clean_faults
    edge = sims.info["edges"][0]
    sims.faults(edge, {"foreign": [{"kind": kind, "count": 50, "path": "/admingui/api/config/fileservices/share"}]})
    run = run_playbook(READERS, env=edge_env(sims, 0), tags="share_info")
    record = task_record(run, "Share info")
    assert record["status"] == "failed"
    msg = record["result"]["msg"]
    assert "/admingui/api/config/fileservices/share" in msg
    assert ("text/html" if kind == "html" else "application/json") in msg
    assert "shares" not in record["result"]
    assert sims.stats(edge)["faults"]["foreign"][0]["count"] < 50


def test_a_user_named_dotdot_is_refused_before_any_write(sims):
    portal = sims.info["portal"]
    user = {"name": "..", "email": "dots@example.com", "first": "Dot", "last": "Dot", "password": "Dot-Dot-Pass-1"}
    before = sims.stats(portal)
    run = run_playbook(playbook_path("portal_users.yml"), env=portal_env(sims), extra_vars={"users": [user]})
    after = sims.stats(portal)
    record = task_record(run, "Users exist")
    assert record["status"] == "failed"
    assert "name='..'" in json.dumps(record["result"])
    assert ".." not in sims.state(portal)["tenants"]["acme"]["users"]
    for key in after["requests"]:
        if key.startswith(("GET", "PUT", "DELETE")) and key.rstrip("/").endswith(("/api", "/users", "/..")):
            assert delta(before, after, key) == 0, key


def test_a_share_named_dotdot_is_not_created(sims):
    edge = sims.info["edges"][0]
    run = run_playbook(playbook_path("edge_shares.yml"), env=edge_env(sims, 0),
                       extra_vars={"shares": [{"name": "..", "directory": "cloud/users"}]})
    record = task_record(run, "Shares exist")
    assert record["status"] == "failed"
    assert "'..'" in json.dumps(record["result"])
    names = [s["name"] for s in sims.state(edge)["config"]["fileservices"]["share"]]
    assert ".." not in names
