# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_user's resource mapping and the helpers of _portal_users, against an in-memory fake portal session."""

import datetime

import pytest

from module_double import ModuleDouble

from ansible_collections.filefleet.office.plugins.module_utils import _engine
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import (
    LISTED_ATTRIBUTES, GroupDirectory, desired_user, group_directory, reference_of, uid_from_reference, user_entries,
    user_index, user_view, validate_user,
)
from ansible_collections.filefleet.office.plugins.modules.ctera_user import User

TODAY = datetime.date.today()


def ref(name):
    """A reference no client could build from uid, tenant and name: the fake portal's own."""
    return "ref:%s" % name


class FakeSession:
    """Users and groups of one tenant; records every call.

    Like the unknowns of a real portal at their least helpful: a full GET of a missing object fails with 500, a
    full GET of a user has no ``baseObjectRef``, references are opaque, and ``role`` is stored as sent.
    """

    def __init__(self, users=None, groups=None, add_answer="reference"):
        self.users = dict((u["name"], dict(u)) for u in users or [])
        self.groups = dict((g, set(m)) for g, m in (groups or {}).items())
        self.cache = {}
        self.calls = []
        self.next_uid = 100
        self.add_answer = add_answer

    def path(self, *segments):
        return "/".join(("api",) + segments)

    def worker(self):
        return self

    def close(self):
        pass

    def get(self, path, what=None, missing_ok=False):
        self.calls.append(("GET", path))
        kind, name = path.split("/")[1:3]
        if kind == "users":
            if name not in self.users:
                raise ApiError("read user failed", "GET", path, 500)
            return dict(dict((k, v) for k, v in self.users[name].items() if k != "baseObjectRef"), password=None)
        return {"name": name, "description": None}

    def get_multi(self, path, attributes, what=None, missing_ok=False):
        self.calls.append(("GET-MULTI", path, tuple(attributes)))
        found = self.users.get(path.split("/")[2], {})
        return dict((a, found.get(a)) for a in list(attributes) + ["name"])

    def query(self, path, include=None, filters=None, what=None):
        self.calls.append(("QUERY", path))
        if path.endswith("users"):
            return [dict((a, u.get(a)) for a in include) for u in self.users.values()]
        return [{"name": g} for g in self.groups]

    def database(self, path, name, param=None, what=None):
        self.calls.append(("ADD", param["name"], param["role"]))
        self.next_uid += 1
        self.users[param["name"]] = dict(param, uid=self.next_uid, baseObjectRef=ref(param["name"]))
        return "objs/%d/acme/PortalUser/%s" % (self.next_uid, param["name"]) if self.add_answer == "reference" else None

    def put(self, path, value, what=None):
        self.calls.append(("PUT", path, dict(value)))
        self.users[value["name"]] = dict(value, baseObjectRef=ref(value["name"]))

    def execute(self, path, name, param=None, what=None):
        self.calls.append((name, path))
        if name == "getMembers":
            group = path.split("/")[2]
            return {"objects": [{"name": m, "baseObjectRef": ref(m)} for m in sorted(self.groups[group])]}
        if name == "updateGroup":
            group = path.split("/")[2]
            assert all(r.startswith("ref:") for r in param["membersToAdd"] + param["membersToDelete"]), param
            self.groups[group] |= set(r.split(":", 1)[1] for r in param["membersToAdd"])
            self.groups[group] -= set(r.split(":", 1)[1] for r in param["membersToDelete"])
        if name == "delete":
            self.users.pop(path.split("/")[2])
        return None

    def writes(self):
        return [c for c in self.calls if c[0] in ("ADD", "PUT", "updateGroup", "delete")]


def params(**given):
    base = dict(name="alice", email=None, first_name=None, last_name=None, password=None, role=None, company=None,
                comment=None, password_change=None, groups=None, append_groups=False, update_password="on_create",
                state="present", users=None, concurrency=4)
    base.update(given)
    return base


ALICE = {"name": "alice", "email": "alice@example.com", "firstName": "Alice", "lastName": "A", "role": "EndUser",
         "company": "Acme", "comment": None, "requirePasswordChangeOn": None, "uid": 7, "baseObjectRef": ref("alice")}
NEW = dict(email="bob@example.com", first_name="Bob", last_name="B", password="Pw-secret-1")


def run(session, module, given, index=None):
    module.params = params(**given)
    return _engine.ensure(User(module, session, "acme", module.params, index), module.params["state"])


# -- validation ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, option", [
    (dict(name=" "), "name"), (dict(name="a/b"), "name"), (dict(email="nope"), "email"), (dict(role="King"), "role"),
    (dict(first_name=" "), "first_name"), (dict(groups=["ok", " "]), "groups"),
    (dict(password_change="next tuesday"), "password_change"), (dict(password_change=-1), "password_change"),
])
def test_validate_user_names_the_option(given, option):
    with pytest.raises(ValueError, match=option):
        validate_user(params(**given))


def test_user_entries_take_task_defaults_and_are_validated_as_a_whole():
    task = params(name=None, state="absent", update_password="always",
                  users=[{"name": "a", "state": "present"}, {"name": "b", "append_groups": True}])
    entries = user_entries(task)
    assert [(e["name"], e["state"], e["update_password"], e["append_groups"]) for e in entries] == \
        [("a", "present", "always", False), ("b", "absent", "always", True)]
    assert entries[0]["email"] is None  # never the task's single-user options
    with pytest.raises(ValueError, match=r"users\[1\]: email"):
        user_entries(params(name=None, users=[{"name": "a"}, {"name": "b", "email": "x"}]))
    with pytest.raises(ValueError, match="'a' more than once"):
        user_entries(params(name=None, users=[{"name": "a"}, {"name": "A "}]))
    with pytest.raises(ValueError, match="at least one"):
        user_entries(params(name=None, users=[]))
    with pytest.raises(ValueError, match="concurrency must be between 1 and 16; got 17"):
        user_entries(params(concurrency=17))
    assert user_entries(params()) == [params()]


def test_desired_user_normalises_like_the_view():
    wanted = desired_user(params(role="readwriteadmin", company="", comment="x", password_change=False), None)
    assert wanted == {"name": "alice", "role": "ReadWriteAdmin", "company": None, "comment": "x",
                      "password_change": None}
    due = (TODAY - datetime.timedelta(days=3)).isoformat()
    assert desired_user(params(password_change=True), {"password_change": due})["password_change"] == due
    assert desired_user(params(password_change="2030-01-02"), None)["password_change"] == "2030-01-02"


def test_references_are_read_never_built():
    assert uid_from_reference("objs/1021/acme/PortalUser/alice") == 1021
    assert uid_from_reference("something else") is None
    session = FakeSession([ALICE])
    assert reference_of(session, ALICE) == ref("alice") and session.calls == []  # as listed
    obj = {"uid": 7, "name": "alice"}  # a whole object from a GET, without baseObjectRef
    assert reference_of(session, obj) == ref("alice")
    assert session.calls == [("GET-MULTI", "api/users/alice", ("baseObjectRef",))]  # cterasdk's _members_reference
    with pytest.raises(ApiError, match="'ghost' is not a user"):
        reference_of(session, {"uid": 9, "name": "ghost"})


# -- the mapping through the engine -------------------------------------------------------------------------

def test_check_mode_create_predicts_the_real_run_without_writing():
    session = FakeSession()
    check = run(session, ModuleDouble(check_mode=True), dict(name="bob", **NEW))
    assert session.writes() == [] and check["changed"]
    real = run(session, ModuleDouble(), dict(name="bob", **NEW))
    assert session.writes() == [("ADD", "bob", "EndUser")]
    assert not [c for c in session.calls if c[0] == "GET"], "existence is decided by get-multi, never a full GET"
    assert dict(check["user"], uid=None) == dict(real["user"], uid=None) and real["user"]["uid"] == 101
    assert real["user"]["role"] == "EndUser" and "password" not in real["user"]
    assert real["diff"]["before"] == {} and real["diff"]["after"]["password"] == _engine.MASK_NEW
    assert "Pw-secret-1" not in repr(real)
    assert run(session, ModuleDouble(), dict(name="bob", **NEW))["changed"] is False


def test_create_needs_the_identity_and_a_password():
    with pytest.raises(ValueError, match="user 'bob' does not exist; to create it give first_name, password"):
        run(FakeSession(), ModuleDouble(check_mode=True), dict(name="bob", email="b@example.com", last_name="B"))


def test_update_changes_only_given_options_with_an_exact_diff():
    session = FakeSession([ALICE])
    result = run(session, ModuleDouble(), dict(comment="hello", email="ALICE@example.com", role="enduser"))
    assert result["diff"] == {"before": {"comment": None}, "after": {"comment": "hello"}}
    (put,) = session.writes()
    assert put[2]["comment"] == "hello" and put[2]["company"] == "Acme" and put[2]["password"] is None


def test_update_password_always_is_forced_and_masked():
    session = FakeSession([ALICE])
    assert run(session, ModuleDouble(), dict(password="Pw-new-2"))["changed"] is False
    result = run(session, ModuleDouble(), dict(password="Pw-new-2", update_password="always"))
    assert result["changed"] is True
    assert result["diff"] == {"before": {"password": _engine.MASK}, "after": {"password": _engine.MASK_NEW}}
    assert session.writes()[-1][2]["password"] == "Pw-new-2"


def test_listed_user_is_read_whole_before_a_put_and_the_index_follows():
    session = FakeSession([ALICE])
    index = user_index(session, "acme")
    assert user_index(session, "acme") is index and session.calls == [("QUERY", "api/users")]
    run(session, ModuleDouble(loop=True), dict(company="Other"), index=index)
    assert session.calls[1:] == [("GET", "api/users/alice"), ("PUT", "api/users/alice", session.calls[2][2])]
    assert index["alice"]["company"] == "Other"
    run(session, ModuleDouble(loop=True), dict(state="absent"), index=index)
    assert "alice" not in index and "alice" not in session.users


def test_groups_exact_append_and_diff():
    session = FakeSession([ALICE], {"Sales": {"alice"}, "Ops": set(), "Dev": set()})
    result = run(session, ModuleDouble(), dict(groups=["ops", "dev"]))
    assert result["diff"] == {"before": {"groups": ["Sales"]}, "after": {"groups": ["Dev", "Ops"]}}
    assert session.groups == {"Sales": set(), "Ops": {"alice"}, "Dev": {"alice"}}
    assert run(session, ModuleDouble(), dict(groups=["OPS", "Dev"]))["changed"] is False
    result = run(session, ModuleDouble(), dict(groups=["sales"], append_groups=True))
    assert result["user"]["groups"] == ["Dev", "Ops", "Sales"] and session.groups["Sales"] == {"alice"}
    run(session, ModuleDouble(), dict(state="absent"))
    assert all("alice" not in users for users in group_directory(session).members.values())


def test_unknown_group_is_predicted_in_check_mode_and_fails_a_real_run():
    session = FakeSession([], {"Sales": set()})
    module = ModuleDouble(check_mode=True)
    result = run(session, module, dict(name="bob", groups=["future"], **NEW))
    assert result["user"]["groups"] == ["future"]
    assert "do not exist in tenant 'acme' yet" in module.warnings[0]
    with pytest.raises(ValueError, match=r"groups 'future' do not exist in tenant 'acme'; create them first "
                                         r"\(existing: Sales\)"):
        run(session, ModuleDouble(), dict(name="bob", groups=["future"], **NEW))
    assert session.writes() == []


def test_group_directory_set_groups_is_one_update_per_change():
    session = FakeSession([], {"A": {"x"}, "B": set()})
    directory = GroupDirectory(session)
    directory.load()
    directory.set_groups(ref("x"), "x", ["A"], ["B"], session)
    assert [c[0] for c in session.writes()] == ["updateGroup", "updateGroup"]
    assert session.groups == {"A": set(), "B": {"x"}}


def test_ensure_each_runs_in_the_module_check_mode():
    seen = []

    def handle(entry, session):
        seen.append(session)
        return {"changed": entry == "b", "thing": {"name": entry}}
    session = FakeSession()
    session.worker = lambda: pytest.fail("check mode must not open worker connections")
    out = _engine.ensure_each(ModuleDouble(check_mode=True), ["a", "b"], handle, session, 4, "thing", "things", str)
    assert out == {"changed": True, "changed_things": ["b"], "things": [{"name": "a"}, {"name": "b"}]}
    assert seen == [session, session]


# -- fidelity to cterasdk ------------------------------------------------------------------------------------

def test_a_missing_user_is_a_null_name_from_get_multi():
    session = FakeSession()
    assert run(session, ModuleDouble(check_mode=True), dict(name="ghost", state="absent"))["changed"] is False
    assert session.calls == [("GET-MULTI", "api/users/ghost", tuple(LISTED_ATTRIBUTES))]


def test_update_of_a_single_user_reads_the_whole_object_before_the_put():
    session = FakeSession([ALICE])
    run(session, ModuleDouble(), dict(company="Other"))
    assert [c[0] for c in session.calls] == ["GET-MULTI", "GET", "PUT"]
    put = session.calls[-1][2]
    assert put["company"] == "Other" and put["email"] == ALICE["email"] and put["uid"] == 7


@pytest.mark.parametrize("stored", ["ComplianceOffer", "ComplianceOfficer"])
def test_compliance_officer_is_sent_as_cterasdk_spells_it_and_converges_from_either_answer(stored):
    session = FakeSession([dict(ALICE, role=stored)])
    assert user_view(session.users["alice"])["role"] == "ComplianceOfficer"
    for given in ("ComplianceOfficer", "complianceofficer", "ComplianceOffer"):
        assert run(session, ModuleDouble(), dict(role=given))["changed"] is False
    result = run(session, ModuleDouble(), dict(role="EndUser"))
    assert result["diff"] == {"before": {"role": "ComplianceOfficer"}, "after": {"role": "EndUser"}}
    result = run(session, ModuleDouble(), dict(role="ComplianceOfficer"))
    assert result["diff"] == {"before": {"role": "EndUser"}, "after": {"role": "ComplianceOfficer"}}
    assert session.writes()[-1][2]["role"] == "ComplianceOffer" and result["user"]["role"] == "ComplianceOfficer"
    assert run(session, ModuleDouble(), dict(role="ComplianceOfficer"))["changed"] is False
    created = run(session, ModuleDouble(), dict(name="cora", role="ComplianceOfficer", **NEW))
    assert session.writes()[-1] == ("ADD", "cora", "ComplianceOffer") and created["user"]["role"] == "ComplianceOfficer"


@pytest.mark.parametrize("add_answer", ["reference", None])
def test_a_created_user_joins_groups_by_the_reference_read_with_get_multi(add_answer):
    session = FakeSession([], {"Sales": set()}, add_answer=add_answer)
    result = run(session, ModuleDouble(), dict(name="bob", groups=["sales"], **NEW))
    assert session.groups["Sales"] == {"bob"} and result["user"]["uid"] == 101
    reads = [c for c in session.calls if c[0] == "GET-MULTI" and c[1] == "api/users/bob"]
    assert len(reads) == 2  # the existence check, then one read of the new user (its reference, and its uid)


def test_listed_reference_survives_the_whole_object_read_of_an_update():
    session = FakeSession([ALICE], {"Sales": set()})
    index = user_index(session, "acme")
    run(session, ModuleDouble(loop=True), dict(company="Other", groups=["Sales"]), index=index)
    assert session.groups["Sales"] == {"alice"}
    assert not [c for c in session.calls if c[0] == "GET-MULTI"], "the listing had the reference: no extra read"
    assert index["alice"]["baseObjectRef"] == ref("alice") and index["alice"]["company"] == "Other"
