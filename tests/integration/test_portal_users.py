# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_user and ctera_user_info through real ansible-playbook runs against the Portal simulator.

Every assertion about the portal reads the simulator's own state (GET /_sim/state) or signs in with plain
``requests`` as the user: never through the module under test.
"""

import uuid

import pytest
import requests

from integration_support import playbook_path, portal_env, run_playbook
from simulators.harness import Simulators


def acme_users(sims):
    return sims.state(sims.info["portal"])["tenants"]["acme"]["users"]


def acme_groups(sims):
    return sims.state(sims.info["portal"])["tenants"]["acme"]["groups"]


def can_login(sims, name, password):
    portal = sims.info["portal"]
    response = requests.post(portal["url"] + "/ServicesPortal/api/login", data={"j_username": name, "j_password": password},
                             verify=portal["ca_path"], timeout=10)
    return response.status_code == 200


def users_run(users, tenant=None, update_password=None, loop_pause=None, **kwargs):
    """playbooks/portal_users.yml: ctera_user over users, in tenant (default acme)."""
    extra_vars = {"users": users}
    for name, value in (("users_tenant", tenant), ("users_update_password", update_password),
                        ("users_loop_pause", loop_pause)):
        if value is not None:
            extra_vars[name] = value
    return run_playbook(playbook_path("portal_users.yml"), extra_vars=extra_vars, **kwargs)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def test_create_check_mode_predicts_then_converges(sims):
    env = portal_env(sims)
    names = [unique("ann"), unique("bo"), unique("cy")]
    users = [{"name": n, "email": "%s@example.com" % n, "first": "First", "last": "Last", "password": "Pw-%s-secret" % n,
              "role": "readwriteadmin" if i == 0 else "EndUser", "company": "Acme"} for i, n in enumerate(names)]

    check = users_run(users, env=env, check=True, diff=True)
    assert check.rc == 0, check.stdout
    assert check.changed() == 1
    predicted = [r["user"] for r in check.result("Users exist")["results"]]
    assert not any(n in acme_users(sims) for n in names), "check mode wrote to the portal"

    real = users_run(users, env=env, diff=True)
    assert real.rc == 0, real.stdout
    items = real.result("Users exist")["results"]
    assert [i["changed"] for i in items] == [True, True, True]
    state = acme_users(sims)
    for user in users:
        stored = state[user["name"]]
        assert stored["email"] == user["email"] and stored["firstName"] == "First" and stored["company"] == "Acme"
        assert can_login(sims, user["name"], user["password"])
    assert state[names[0]]["role"] == "ReadWriteAdmin"
    # the prediction equals what was made (but for the uid the portal assigns)
    for guess, made in zip(predicted, [i["user"] for i in items]):
        assert dict(guess, uid=None) == dict(made, uid=None)
    # no password anywhere
    for user in users:
        assert user["password"] not in real.output() and user["password"] not in check.output()

    again = users_run(users, env=env, diff=True)
    assert again.rc == 0 and again.changed() == 0
    check_again = users_run(users, env=env, check=True)
    assert check_again.rc == 0 and check_again.changed() == 0


def test_omitted_options_are_unmanaged_and_diff_is_exact(sims):
    env = portal_env(sims)
    name = unique("dora")
    create = [{"name": name, "email": name + "@example.com", "first": "Dora", "last": "Explorer", "password": "Pw-dora-1",
               "role": "ReadOnlyAdmin", "company": "Maps", "comment": "field team", "password_change": True}]
    assert users_run(create, env=env).rc == 0
    before = dict(acme_users(sims)[name])

    touch = [{"name": name, "comment": "office team"}]
    run = users_run(touch, env=env, diff=True)
    assert run.rc == 0 and run.changed() == 1
    item = run.result("Users exist")["results"][0]
    assert item["diff"] == {"before": {"comment": "field team"}, "after": {"comment": "office team"}}
    after = acme_users(sims)[name]
    for key in ("email", "firstName", "lastName", "role", "company", "requirePasswordChangeOn", "password_hash"):
        assert after[key] == before[key], key
    assert after["comment"] == "office team"

    # role is case-insensitive; an empty company clears it
    run = users_run([{"name": name, "role": "readonlyadmin", "company": ""}], env=env, diff=True)
    assert run.rc == 0 and run.changed() == 1
    assert run.result("Users exist")["results"][0]["diff"]["after"] == {"company": None}
    assert acme_users(sims)[name]["company"] in (None, "")


def test_bad_input_is_rejected_before_any_write(sims):
    env = portal_env(sims)
    portal = sims.info["portal"]
    cases = [
        ({"name": unique("x"), "email": "not-an-email", "first": "A", "last": "B", "password": "Pw-1234"}, "email"),
        ({"name": unique("x"), "email": "a@example.com", "first": "A", "last": "B", "password": "Pw-1234", "role": "King"}, "role"),
        ({"name": "", "email": "a@example.com", "first": "A", "last": "B", "password": "Pw-1234"}, "name"),
        ({"name": unique("x"), "email": "a@example.com", "first": "A", "last": "B"}, "password"),
        ({"name": unique("x"), "email": "a@example.com", "first": "A", "last": "B", "password": "Pw-1234",
          "password_change": "next tuesday"}, "password_change"),
    ]
    for user, option in cases:
        before = sims.state(portal)
        run = users_run([user], env=env)
        assert run.rc != 0
        msg = run.result("Users exist")["results"][0]["msg"]
        assert option in msg, msg
        after = sims.state(portal)
        assert after["tenants"] == before["tenants"] and after["next_uid"] == before["next_uid"], "something was written"
        if user["name"]:
            assert user["name"] not in acme_users(sims)


def test_unknown_tenant_fails_clearly(sims):
    name = unique("ten")
    run = users_run([{"name": name, "email": "t@example.com", "first": "T", "last": "T", "password": "Pw-ten-1"}],
                    tenant="no-such-tenant", env=portal_env(sims))
    assert run.rc != 0
    assert "no-such-tenant" in run.result("Users exist")["results"][0]["msg"]


def test_groups_exact_and_removal(sims):
    env = portal_env(sims)
    portal = sims.info["portal"]
    import aiohttp.connector
    import cterasdk
    # cterasdk verifies TLS with aiohttp's default context; trust the simulator's CA there (verification stays on).
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=portal["ca_path"])  # pylint: disable=protected-access
    host, port = portal["url"].split("://")[1].split(":")
    g1, g2 = unique("sales"), unique("ops")
    admin = cterasdk.GlobalAdmin(host, int(port))
    admin.login(portal["username"], portal["password"])
    try:
        admin.portals.browse("acme")
        admin.groups.add(g1, "Sales")
        admin.groups.add(g2, "Ops")
    finally:
        admin.logout()
    name = unique("gus")
    user = {"name": name, "email": name + "@example.com", "first": "Gus", "last": "G", "password": "Pw-gus-1",
            "groups": [g1.upper(), g2]}
    run = users_run([user], env=env)
    assert run.rc == 0, run.stdout
    uid = acme_users(sims)[name]["uid"]
    members = {g: acme_groups(sims)[g]["members"] for g in (g1, g2)}
    assert all(uid in ms for ms in members.values()), members
    assert users_run([user], env=env).changed() == 0

    run = users_run([{"name": name, "groups": [g2]}], env=env, diff=True)
    assert run.rc == 0 and run.changed() == 1
    diff = run.result("Users exist")["results"][0]["diff"]
    assert sorted(diff["before"]["groups"], key=str.lower) == sorted([g1, g2], key=str.lower)
    assert diff["after"]["groups"] == [g2]
    assert uid not in acme_groups(sims)[g1]["members"] and uid in acme_groups(sims)[g2]["members"]

    bad = users_run([{"name": name, "groups": ["no-such-group"]}], env=env)
    assert bad.rc != 0 and "no-such-group" in bad.result("Users exist")["results"][0]["msg"]

    gone = users_run([{"name": name, "state": "absent"}], env=env, diff=True)
    assert gone.rc == 0 and gone.changed() == 1
    assert name not in acme_users(sims)
    assert uid not in acme_groups(sims)[g2]["members"]
    assert users_run([{"name": name, "state": "absent"}], env=env).changed() == 0


SINGLE_USER_PLAY = playbook_path("portal_single_user.yml")


@pytest.mark.one_mode("compares the two modes itself: an in-process run, then runs as a real module")
def test_no_secret_in_verbose_output_and_module_mode_matches(sims):
    env = portal_env(sims)
    name = unique("vic")
    password = "Very-Secret-%s" % uuid.uuid4().hex
    variables = {"user_name": name, "user_password": password}
    in_process_env = dict(env, FILEFLEET_OFFICE_IN_PROCESS="1")
    run = run_playbook(SINGLE_USER_PLAY, env=in_process_env, verbosity=3, diff=True, extra_vars=variables)
    assert run.rc == 0, run.stdout
    assert password not in run.output()
    assert env["CTERA_PORTAL_PASSWORD"] not in run.output()
    # The same task run as a real module (AnsiballZ) gives the same verdict and the same user.
    module_env = dict(env, FILEFLEET_OFFICE_IN_PROCESS="0")
    as_module = run_playbook(SINGLE_USER_PLAY, env=module_env, verbosity=3, extra_vars=variables)
    assert as_module.rc == 0 and as_module.changed() == 0
    assert password not in as_module.output()
    assert as_module.result("User exists")["user"] == run.result("User exists")["user"]
    changed = run_playbook(SINGLE_USER_PLAY, env=module_env, diff=True, extra_vars=dict(variables, user_comment="via module"))
    assert changed.rc == 0 and changed.changed() == 1
    assert changed.result("User exists")["diff"] == {"before": {"comment": None}, "after": {"comment": "via module"}}
    assert acme_users(sims)[name]["comment"] == "via module"


def test_update_password_always_sets_it(sims):
    env = portal_env(sims)
    name = unique("pat")
    first = [{"name": name, "email": name + "@example.com", "first": "Pat", "last": "P", "password": "Pw-first-1"}]
    assert users_run(first, env=env).rc == 0
    second = [dict(first[0], password="Pw-second-2")]
    run = users_run(second, env=env)  # on_create: not applied
    assert run.changed() == 0 and can_login(sims, name, "Pw-first-1")
    run = users_run(second, update_password="always", env=env, diff=True)
    assert run.rc == 0 and run.changed() == 1
    assert can_login(sims, name, "Pw-second-2") and not can_login(sims, name, "Pw-first-1")
    assert "Pw-second-2" not in run.output()


def test_user_info_lists_with_chosen_fields(sims):
    env = portal_env(sims)
    run = run_playbook(playbook_path("portal_user_info.yml"), env=env)
    assert run.rc == 0, run.stdout
    result = run.result("List")
    state = acme_users(sims)
    assert result["count"] == len(state)
    assert sorted(u["name"] for u in result["users"]) == sorted(state)
    assert all(set(u) == {"name", "email", "role"} for u in result["users"])
    assert result["changed"] is False


@pytest.fixture(scope="module")
def short_sessions(tmp_path_factory, execution_mode):
    """A portal whose sessions expire after one idle second, in each execution mode."""
    with Simulators(str(tmp_path_factory.mktemp("short-" + execution_mode)), portal=True,
                    extra_args=["--session-timeout", "1"]) as sims:
        yield sims


def test_expired_session_is_renewed_once_per_expiry(short_sessions):
    sims = short_sessions
    users = [{"name": "exp%d" % i, "email": "e%d@example.com" % i, "first": "E", "last": "X", "password": "Pw-exp-%d" % i}
             for i in range(3)]
    run = users_run(users, loop_pause=1.5, env=portal_env(sims))
    assert run.rc == 0, run.stdout
    stats = sims.stats(sims.info["portal"])
    assert stats["logins"] == 3  # one per item: each pause outlives the 1 s idle timeout
    assert all(name in sims.state(sims.info["portal"])["tenants"]["acme"]["users"] for name in ("exp0", "exp1", "exp2"))


@pytest.mark.parametrize("group", ["ctera_portal", "all"])
def test_module_defaults_action_groups_carry_the_connection(sims, group):
    portal = sims.info["portal"]
    before = sims.stats(portal)["logins"]
    run = run_playbook(playbook_path("portal_module_defaults_%s.yml" % group),
                       extra_vars={"portal": {"url": portal["url"], "username": portal["username"],
                                              "ca_path": portal["ca_path"]},
                                   "portal_password": portal["password"]})
    assert run.rc == 0, run.stdout
    assert run.result("List")["count"] == len(acme_users(sims))
    assert sims.stats(portal)["logins"] == before + 1
    assert portal["password"] not in run.output()


def group_run(name, env, description=None, members=None, members_mode=None, state=None, **kwargs):
    """playbooks/portal_group.yml: ctera_group name in acme, with the options given."""
    extra_vars = {"group_name": name}
    for option, value in (("group_description", description), ("group_members", members),
                          ("group_members_mode", members_mode), ("group_state", state)):
        if value is not None:
            extra_vars[option] = value
    return run_playbook(playbook_path("portal_group.yml"), env=env, extra_vars=extra_vars, **kwargs)


def test_groups_module_members_modes_check_and_diff(sims):
    env = portal_env(sims)
    users = [unique("m") for _index in range(3)]
    assert users_run([{"name": u, "email": u + "@example.com", "first": "M", "last": "M", "password": "Pw-m-1234"}
                      for u in users], env=env).rc == 0
    uids = dict((u, acme_users(sims)[u]["uid"]) for u in users)
    group = unique("team")
    spec = {"description": "Team", "members": [users[0], users[1]]}

    check = group_run(group, env, check=True, diff=True, **spec)
    assert check.rc == 0 and check.changed() == 1, check.stdout
    assert group not in acme_groups(sims)
    real = group_run(group, env, diff=True, **spec)
    assert real.rc == 0 and real.changed() == 1
    assert real.result("Group")["group"] == check.result("Group")["group"]
    stored = acme_groups(sims)[group]
    assert stored["description"] == "Team" and sorted(stored["members"]) == sorted([uids[users[0]], uids[users[1]]])
    assert group_run(group, env, **spec).changed() == 0

    append = group_run(group, env, members=[users[2]], members_mode="append", diff=True)
    assert append.rc == 0 and append.changed() == 1
    assert append.result("Group")["diff"]["after"]["members"] == sorted(users, key=str.lower)
    assert sorted(acme_groups(sims)[group]["members"]) == sorted(uids.values())
    assert acme_groups(sims)[group]["description"] == "Team"  # omitted: unmanaged

    remove = group_run(group, env, members=[users[0]], members_mode="remove")
    assert remove.rc == 0 and remove.changed() == 1
    assert uids[users[0]] not in acme_groups(sims)[group]["members"]

    bad = group_run(group, env, members=["no-such-user-x"])
    assert bad.rc != 0 and "no-such-user-x" in bad.result("Group")["msg"]
    assert sorted(acme_groups(sims)[group]["members"]) == sorted([uids[users[1]], uids[users[2]]])

    gone = group_run(group, env, state="absent")
    assert gone.rc == 0 and gone.changed() == 1 and group not in acme_groups(sims)
    assert all(u in acme_users(sims) for u in users)  # deleting a group keeps its users
    assert group_run(group, env, state="absent").changed() == 0


def test_check_mode_predicts_membership_of_a_group_not_created_yet(sims):
    env = portal_env(sims)
    name, group = unique("pre"), unique("future")
    user = [{"name": name, "email": name + "@example.com", "first": "P", "last": "P", "password": "Pw-pre-1",
             "groups": [group]}]
    check = users_run(user, env=env, check=True)
    assert check.rc == 0 and check.changed() == 1, check.stdout
    item = check.result("Users exist")["results"][0]
    assert item["user"]["groups"] == [group]
    assert "do not exist in tenant 'acme' yet" in check.stdout + check.stderr
    real = users_run(user, env=env)
    assert real.rc != 0 and group in real.result("Users exist")["results"][0]["msg"]
    assert name not in acme_users(sims)


def test_tenant_administrator_signs_in_to_the_services_portal(sims):
    env = portal_env(sims)
    admin, reader, new = unique("tadm"), unique("tro"), unique("made")
    people = [{"name": admin, "email": admin + "@example.com", "first": "T", "last": "A", "password": "Pw-tadm-12345",
               "role": "ReadWriteAdmin"},
              {"name": reader, "email": reader + "@example.com", "first": "T", "last": "R", "password": "Pw-tro-12345",
               "role": "ReadOnlyAdmin"}]
    assert users_run(people, env=env).rc == 0
    tenant_url = sims.info["portal"]["url"] + "/ServicesPortal"
    play = playbook_path("portal_tenant_admin_user.yml")
    as_admin = dict(env, CTERA_PORTAL_URL=tenant_url, CTERA_PORTAL_USERNAME=admin, CTERA_PORTAL_PASSWORD="Pw-tadm-12345")
    run = run_playbook(play, env=as_admin, extra_vars={"new_user": new})
    assert run.rc == 0, run.stdout
    assert run.result("User made by the tenant admin")["user"]["tenant"] == "acme"
    assert new in acme_users(sims)
    as_reader = dict(env, CTERA_PORTAL_URL=tenant_url, CTERA_PORTAL_USERNAME=reader, CTERA_PORTAL_PASSWORD="Pw-tro-12345")
    denied = run_playbook(play, env=as_reader, extra_vars={"new_user": new + "x"})
    assert denied.rc != 0
    result = denied.result("User made by the tenant admin")
    assert result["status"] == 403 and "create user" in result["msg"]
    assert new + "x" not in acme_users(sims)


BULK_PLAY = playbook_path("portal_bulk_users.yml")


def test_bulk_users_validated_as_a_whole_and_converged(sims):
    env = portal_env(sims)
    names = [unique("bulk") for _index in range(5)]
    users = [{"name": n, "email": n + "@example.com", "first_name": "B", "last_name": "Ulk", "password": "Pw-bulk-%d1" % i,
              "role": "EndUser"} for i, n in enumerate(names)]
    # One bad entry anywhere: nothing at all is written.
    bad = [dict(u) for u in users]
    bad[3]["email"] = "broken"
    before = sims.state(sims.info["portal"])["tenants"]
    run = run_playbook(BULK_PLAY, env=env, extra_vars={"office_users": bad})
    assert run.rc != 0 and "users[3]" in run.result("Office users")["msg"] and "email" in run.result("Office users")["msg"]
    assert sims.state(sims.info["portal"])["tenants"] == before

    check = run_playbook(BULK_PLAY, env=env, check=True, diff=True, extra_vars={"office_users": users})
    assert check.rc == 0 and check.changed() == 1
    assert not any(n in acme_users(sims) for n in names)
    real = run_playbook(BULK_PLAY, env=env, diff=True, extra_vars={"office_users": users})
    assert real.rc == 0 and real.changed() == 1, real.stdout
    result = real.result("Office users")
    assert [u["name"] for u in result["users"]] == names
    assert sorted(result["diff"]["after"]) == sorted(names)
    assert all(can_login(sims, u["name"], u["password"]) for u in users)
    assert not any(u["password"] in real.output() for u in users)
    assert [dict(u, uid=None) for u in check.result("Office users")["users"]] == [dict(u, uid=None) for u in result["users"]]

    again = run_playbook(BULK_PLAY, env=env, extra_vars={"office_users": users})
    assert again.rc == 0 and again.changed() == 0

    # One change and one removal; the other entries (and omitted options) stay as they are.
    edits = [{"name": names[0], "company": "Bulk AB"}, {"name": names[1], "state": "absent"}]
    run = run_playbook(BULK_PLAY, env=env, diff=True, extra_vars={"office_users": edits})
    assert run.rc == 0 and run.changed() == 1
    assert acme_users(sims)[names[0]]["company"] == "Bulk AB" and acme_users(sims)[names[0]]["email"] == users[0]["email"]
    assert names[1] not in acme_users(sims) and names[2] in acme_users(sims)
