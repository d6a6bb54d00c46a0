# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_user and ctera_user_info through real ansible-playbook runs against the Portal simulator.

Every assertion about the portal reads the simulator's own state (GET /_sim/state) or signs in with plain
``requests`` as the user: never through the module under test.
"""

import json
import uuid

import pytest
import requests

from integration_support import portal_env, run_playbook
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


def users_play(users, tenant="acme", extra=""):
    return """
- name: Portal users
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Users exist
      filefleet.office.ctera_user:
        tenant: %s
        name: "{{ item.name }}"
        email: "{{ item.email | default(omit) }}"
        first_name: "{{ item.first | default(omit) }}"
        last_name: "{{ item.last | default(omit) }}"
        password: "{{ item.password | default(omit) }}"
        role: "{{ item.role | default(omit) }}"
        company: "{{ item.company | default(omit) }}"
        comment: "{{ item.comment | default(omit) }}"
        groups: "{{ item.groups | default(omit) }}"
        password_change: "{{ item.password_change | default(omit) }}"
        state: "{{ item.state | default('present') }}"
%s      loop: %s
      loop_control:
        label: "{{ item.name }}"
""" % (tenant, extra, json.dumps(users))


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def test_create_check_mode_predicts_then_converges(sims):
    env = portal_env(sims)
    names = [unique("ann"), unique("bo"), unique("cy")]
    users = [{"name": n, "email": "%s@example.com" % n, "first": "First", "last": "Last", "password": "Pw-%s-secret" % n,
              "role": "readwriteadmin" if i == 0 else "EndUser", "company": "Acme"} for i, n in enumerate(names)]

    check = run_playbook(users_play(users), env=env, check=True, diff=True)
    assert check.rc == 0, check.stdout
    assert check.changed() == 1
    predicted = [r["user"] for r in check.result("Users exist")["results"]]
    assert not any(n in acme_users(sims) for n in names), "check mode wrote to the portal"

    real = run_playbook(users_play(users), env=env, diff=True)
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

    again = run_playbook(users_play(users), env=env, diff=True)
    assert again.rc == 0 and again.changed() == 0
    check_again = run_playbook(users_play(users), env=env, check=True)
    assert check_again.rc == 0 and check_again.changed() == 0


def test_omitted_options_are_unmanaged_and_diff_is_exact(sims):
    env = portal_env(sims)
    name = unique("dora")
    create = [{"name": name, "email": name + "@example.com", "first": "Dora", "last": "Explorer", "password": "Pw-dora-1",
               "role": "ReadOnlyAdmin", "company": "Maps", "comment": "field team", "password_change": True}]
    assert run_playbook(users_play(create), env=env).rc == 0
    before = dict(acme_users(sims)[name])

    touch = [{"name": name, "comment": "office team"}]
    run = run_playbook(users_play(touch), env=env, diff=True)
    assert run.rc == 0 and run.changed() == 1
    item = run.result("Users exist")["results"][0]
    assert item["diff"] == {"before": {"comment": "field team"}, "after": {"comment": "office team"}}
    after = acme_users(sims)[name]
    for key in ("email", "firstName", "lastName", "role", "company", "requirePasswordChangeOn", "password_hash"):
        assert after[key] == before[key], key
    assert after["comment"] == "office team"

    # role is case-insensitive; an empty company clears it
    run = run_playbook(users_play([{"name": name, "role": "readonlyadmin", "company": ""}]), env=env, diff=True)
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
        run = run_playbook(users_play([user]), env=env)
        assert run.rc != 0
        msg = run.result("Users exist")["results"][0]["msg"]
        assert option in msg, msg
        after = sims.state(portal)
        assert after["tenants"] == before["tenants"] and after["next_uid"] == before["next_uid"], "something was written"
        if user["name"]:
            assert user["name"] not in acme_users(sims)


def test_unknown_tenant_fails_clearly(sims):
    name = unique("ten")
    run = run_playbook(users_play([{"name": name, "email": "t@example.com", "first": "T", "last": "T",
                                    "password": "Pw-ten-1"}], tenant="no-such-tenant"), env=portal_env(sims))
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
    run = run_playbook(users_play([user]), env=env)
    assert run.rc == 0, run.stdout
    uid = acme_users(sims)[name]["uid"]
    members = {g: acme_groups(sims)[g]["members"] for g in (g1, g2)}
    assert all(uid in ms for ms in members.values()), members
    assert run_playbook(users_play([user]), env=env).changed() == 0

    run = run_playbook(users_play([{"name": name, "groups": [g2]}]), env=env, diff=True)
    assert run.rc == 0 and run.changed() == 1
    diff = run.result("Users exist")["results"][0]["diff"]
    assert sorted(diff["before"]["groups"], key=str.lower) == sorted([g1, g2], key=str.lower)
    assert diff["after"]["groups"] == [g2]
    assert uid not in acme_groups(sims)[g1]["members"] and uid in acme_groups(sims)[g2]["members"]

    bad = run_playbook(users_play([{"name": name, "groups": ["no-such-group"]}]), env=env)
    assert bad.rc != 0 and "no-such-group" in bad.result("Users exist")["results"][0]["msg"]

    gone = run_playbook(users_play([{"name": name, "state": "absent"}]), env=env, diff=True)
    assert gone.rc == 0 and gone.changed() == 1
    assert name not in acme_users(sims)
    assert uid not in acme_groups(sims)[g2]["members"]
    assert run_playbook(users_play([{"name": name, "state": "absent"}]), env=env).changed() == 0


SINGLE_USER_PLAY = """
- name: One portal user
  hosts: localhost
  gather_facts: false
  tasks:
    - name: User exists
      filefleet.office.ctera_user:
        tenant: acme
        name: "{{ user_name }}"
        email: "{{ user_name }}@example.com"
        first_name: Vic
        last_name: V
        password: "{{ user_password }}"
        comment: "{{ user_comment | default(omit) }}"
"""


def test_no_secret_in_verbose_output_and_module_mode_matches(sims):
    env = portal_env(sims)
    name = unique("vic")
    password = "Very-Secret-%s" % uuid.uuid4().hex
    variables = {"user_name": name, "user_password": password}
    run = run_playbook(SINGLE_USER_PLAY, env=env, verbosity=3, diff=True, extra_vars=variables)
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
    assert run_playbook(users_play(first), env=env).rc == 0
    second = [dict(first[0], password="Pw-second-2")]
    run = run_playbook(users_play(second), env=env)  # on_create: not applied
    assert run.changed() == 0 and can_login(sims, name, "Pw-first-1")
    run = run_playbook(users_play(second, extra="        update_password: always\n"), env=env, diff=True)
    assert run.rc == 0 and run.changed() == 1
    assert can_login(sims, name, "Pw-second-2") and not can_login(sims, name, "Pw-first-1")
    assert "Pw-second-2" not in run.output()


def test_user_info_lists_with_chosen_fields(sims):
    env = portal_env(sims)
    play = """
- name: Read users
  hosts: localhost
  gather_facts: false
  tasks:
    - name: List
      filefleet.office.ctera_user_info:
        tenant: acme
        fields: [email, role]
"""
    run = run_playbook(play, env=env)
    assert run.rc == 0, run.stdout
    result = run.result("List")
    state = acme_users(sims)
    assert result["count"] == len(state)
    assert sorted(u["name"] for u in result["users"]) == sorted(state)
    assert all(set(u) == {"name", "email", "role"} for u in result["users"])
    assert result["changed"] is False


@pytest.fixture(scope="module")
def short_sessions(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("short")), portal=True, extra_args=["--session-timeout", "1"]) as sims:
        yield sims


def test_expired_session_is_renewed_once_per_expiry(short_sessions):
    sims = short_sessions
    users = [{"name": "exp%d" % i, "email": "e%d@example.com" % i, "first": "E", "last": "X", "password": "Pw-exp-%d" % i}
             for i in range(3)]
    run = run_playbook(users_play(users, extra="      loop_control:\n        pause: 1.5\n").replace(
        "      loop_control:\n        label: \"{{ item.name }}\"\n", ""), env=portal_env(sims))
    assert run.rc == 0, run.stdout
    stats = sims.stats(sims.info["portal"])
    assert stats["logins"] == 3  # one per item: each pause outlives the 1 s idle timeout
    assert all(name in sims.state(sims.info["portal"])["tenants"]["acme"]["users"] for name in ("exp0", "exp1", "exp2"))


@pytest.mark.parametrize("group", ["ctera_portal", "all"])
def test_module_defaults_action_groups_carry_the_connection(sims, group):
    portal = sims.info["portal"]
    play = """
- name: Connection from module_defaults
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/filefleet.office.%s:
      portal_url: "%s"
      portal_username: "%s"
      portal_password: "{{ portal_password }}"
      ca_path: "%s"
  tasks:
    - name: List
      filefleet.office.ctera_user_info:
        tenant: acme
        fields: [name]
""" % (group, portal["url"], portal["username"], portal["ca_path"])
    before = sims.stats(portal)["logins"]
    run = run_playbook(play, extra_vars={"portal_password": portal["password"]})
    assert run.rc == 0, run.stdout
    assert run.result("List")["count"] == len(acme_users(sims))
    assert sims.stats(portal)["logins"] == before + 1
    assert portal["password"] not in run.output()


def group_play(name, extra):
    return """
- name: Portal group
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Group
      filefleet.office.ctera_group:
        tenant: acme
        name: %s
%s""" % (name, extra)


def test_groups_module_members_modes_check_and_diff(sims):
    env = portal_env(sims)
    users = [unique("m") for _index in range(3)]
    play = users_play([{"name": u, "email": u + "@example.com", "first": "M", "last": "M", "password": "Pw-m-1234"}
                       for u in users])
    assert run_playbook(play, env=env).rc == 0
    uids = dict((u, acme_users(sims)[u]["uid"]) for u in users)
    group = unique("team")
    spec = "        description: Team\n        members: [%s, %s]\n" % (users[0], users[1])

    check = run_playbook(group_play(group, spec), env=env, check=True, diff=True)
    assert check.rc == 0 and check.changed() == 1, check.stdout
    assert group not in acme_groups(sims)
    real = run_playbook(group_play(group, spec), env=env, diff=True)
    assert real.rc == 0 and real.changed() == 1
    assert real.result("Group")["group"] == check.result("Group")["group"]
    stored = acme_groups(sims)[group]
    assert stored["description"] == "Team" and sorted(stored["members"]) == sorted([uids[users[0]], uids[users[1]]])
    assert run_playbook(group_play(group, spec), env=env).changed() == 0

    append = run_playbook(group_play(group, "        members: [%s]\n        members_mode: append\n" % users[2]), env=env, diff=True)
    assert append.rc == 0 and append.changed() == 1
    assert append.result("Group")["diff"]["after"]["members"] == sorted(users, key=str.lower)
    assert sorted(acme_groups(sims)[group]["members"]) == sorted(uids.values())
    assert acme_groups(sims)[group]["description"] == "Team"  # omitted: unmanaged

    remove = run_playbook(group_play(group, "        members: [%s]\n        members_mode: remove\n" % users[0]), env=env)
    assert remove.rc == 0 and remove.changed() == 1
    assert uids[users[0]] not in acme_groups(sims)[group]["members"]

    bad = run_playbook(group_play(group, "        members: [no-such-user-x]\n"), env=env)
    assert bad.rc != 0 and "no-such-user-x" in bad.result("Group")["msg"]
    assert sorted(acme_groups(sims)[group]["members"]) == sorted([uids[users[1]], uids[users[2]]])

    gone = run_playbook(group_play(group, "        state: absent\n"), env=env)
    assert gone.rc == 0 and gone.changed() == 1 and group not in acme_groups(sims)
    assert all(u in acme_users(sims) for u in users)  # deleting a group keeps its users
    assert run_playbook(group_play(group, "        state: absent\n"), env=env).changed() == 0


def test_check_mode_predicts_membership_of_a_group_not_created_yet(sims):
    env = portal_env(sims)
    name, group = unique("pre"), unique("future")
    user = [{"name": name, "email": name + "@example.com", "first": "P", "last": "P", "password": "Pw-pre-1",
             "groups": [group]}]
    check = run_playbook(users_play(user), env=env, check=True)
    assert check.rc == 0 and check.changed() == 1, check.stdout
    item = check.result("Users exist")["results"][0]
    assert item["user"]["groups"] == [group]
    assert "do not exist in tenant 'acme' yet" in check.stdout + check.stderr
    real = run_playbook(users_play(user), env=env)
    assert real.rc != 0 and group in real.result("Users exist")["results"][0]["msg"]
    assert name not in acme_users(sims)


def test_tenant_administrator_signs_in_to_the_services_portal(sims):
    env = portal_env(sims)
    admin, reader, new = unique("tadm"), unique("tro"), unique("made")
    people = [{"name": admin, "email": admin + "@example.com", "first": "T", "last": "A", "password": "Pw-tadm-12345",
               "role": "ReadWriteAdmin"},
              {"name": reader, "email": reader + "@example.com", "first": "T", "last": "R", "password": "Pw-tro-12345",
               "role": "ReadOnlyAdmin"}]
    assert run_playbook(users_play(people), env=env).rc == 0
    tenant_url = sims.info["portal"]["url"] + "/ServicesPortal"
    play = """
- name: As a tenant administrator
  hosts: localhost
  gather_facts: false
  tasks:
    - name: User made by the tenant admin
      filefleet.office.ctera_user:
        name: "%s"
        email: "%s@example.com"
        first_name: Made
        last_name: ByTenant
        password: Pw-made-12345
""" % (new, new)
    as_admin = dict(env, CTERA_PORTAL_URL=tenant_url, CTERA_PORTAL_USERNAME=admin, CTERA_PORTAL_PASSWORD="Pw-tadm-12345")
    run = run_playbook(play, env=as_admin)
    assert run.rc == 0, run.stdout
    assert run.result("User made by the tenant admin")["user"]["tenant"] == "acme"
    assert new in acme_users(sims)
    as_reader = dict(env, CTERA_PORTAL_URL=tenant_url, CTERA_PORTAL_USERNAME=reader, CTERA_PORTAL_PASSWORD="Pw-tro-12345")
    denied = run_playbook(play.replace(new, new + "x"), env=as_reader)
    assert denied.rc != 0
    result = denied.result("User made by the tenant admin")
    assert result["status"] == 403 and "create user" in result["msg"]
    assert new + "x" not in acme_users(sims)


BULK_PLAY = """
- name: Bulk
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Office users
      filefleet.office.ctera_user:
        tenant: acme
        users: "{{ office_users }}"
"""


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
