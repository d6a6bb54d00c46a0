# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_portal_users beyond paging (mutation testing, docs/mutation.md): what ``password_change`` converges to (the
"changed" decision of every run), the user view a task returns, the options refused before any request (messages
naming the option), and the requests that create, update and delete users and their group membership, as
cterasdk 2.20.50 sends them."""

import copy
import datetime

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _portal_users as users
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError

TODAY = datetime.date(2026, 6, 15)


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


class Portal:
    """Records every call; answers from ``answers`` keyed by (call kind, path) or the method name."""

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.calls = []
        self.cache = {}

    @staticmethod
    def path(*segments):
        return "/admin/api/" + "/".join(str(s) for s in segments)

    def _answer(self, key):
        return copy.deepcopy(self.answers.get(key))

    def execute(self, path, name, param=None, what=None):
        self.calls.append(("execute", path, name, copy.deepcopy(param), what))
        return self._answer(name)

    def database(self, path, name, param=None, what=None):
        self.calls.append(("database", path, name, copy.deepcopy(param), what))
        return self._answer(("database", path))

    def get(self, path, what=None):
        self.calls.append(("get", path, what))
        return self._answer(("get", path))

    def get_multi(self, path, attributes, what=None, missing_ok=False):
        self.calls.append(("get_multi", path, list(attributes), what, missing_ok))
        return self._answer(("get_multi", path))

    def put(self, path, value, what=None):
        self.calls.append(("put", path, copy.deepcopy(value), what))

    def query(self, path, include=None, filters=None, what=None):
        self.calls.append(("query", path, include, filters, what))
        return iter(self._answer(("query", path)) or [])


# -- password_change: parsing and what a run converges to ---------------------------------------------------------

@pytest.mark.parametrize("value, parsed", [
    (None, None), (True, ("now", None)), (False, ("none", None)), (0, ("days", 0)), (3650, ("days", 3650)),
    ("true", ("now", None)), (" YES ", ("now", None)), ("on", ("now", None)), ("false", ("none", None)),
    ("No", ("none", None)), ("off", ("none", None)), ("", ("none", None)), ("None", ("none", None)),
    ("30", ("days", 30)), (" 7 ", ("days", 7)), ("2030-01-02", ("date", datetime.date(2030, 1, 2))),
])
def test_password_change_values(value, parsed):
    assert users.parse_password_change(value) == parsed


@pytest.mark.parametrize("value, message", [
    (3651, "password_change must be a date (YYYY-MM-DD), a number of days from 0 to 3650, true or false; got 3651"),
    (-1, "password_change must be a date (YYYY-MM-DD), a number of days from 0 to 3650, true or false; got -1"),
    ("3651", "password_change must be a date (YYYY-MM-DD), a number of days from 0 to 3650, true or false; got 3651"),
    ("soon", "password_change must be a date (YYYY-MM-DD), a number of days >= 0, true or false; got 'soon'"),
    ("2030-02-30", "password_change must be a date (YYYY-MM-DD), a number of days >= 0, true or false; "
                   "got '2030-02-30'"),
])
def test_password_change_refused_naming_the_option(value, message):
    with pytest.raises(ValueError) as info:
        users.parse_password_change(value)
    assert str(info.value) == message


@pytest.mark.parametrize("spec, current, wanted", [
    (("none", None), day(-3), None),
    (("date", datetime.date(2030, 1, 2)), day(-3), "2030-01-02"),
    (("now", None), None, day(-1)),              # required now: yesterday
    (("now", None), day(-3), day(-3)),           # an earlier date already requires it: kept (no change)
    (("now", None), day(0), day(0)),             # today too
    (("now", None), day(1), day(-1)),            # a later date does not: yesterday
    (("now", None), "garbage", day(-1)),
    (("now", None), day(-3) + "T10:00:00", day(-3)),
    (("days", 10), None, day(10)),
    (("days", 10), day(10), day(10)),            # exactly the limit satisfies it
    (("days", 10), day(4), day(4)),
    (("days", 10), day(11), day(10)),            # later than asked: moved to the limit
    (("days", 0), day(0), day(0)),
])
def test_desired_password_change_converges(spec, current, wanted):
    assert users.desired_password_change(spec, current, TODAY) == wanted


def test_desired_password_change_defaults_to_today():
    today = datetime.date.today()
    assert users.desired_password_change(("now", None), None) == (today - datetime.timedelta(days=1)).isoformat()
    assert users.desired_password_change(("days", 2), None) == (today + datetime.timedelta(days=2)).isoformat()


# -- the user as a task returns it -------------------------------------------------------------------------------

def test_user_view():
    obj = {"name": "alice", "email": "a@example.com", "firstName": "Alice", "lastName": 12, "role": "readonlyadmin",
           "company": "", "comment": True, "requirePasswordChangeOn": "2030-01-02T00:00:00", "uid": 7,
           "password": "Pw-secret-1"}
    assert users.user_view(obj, "acme", ["sales", "Dev", "ops"]) == {
        "name": "alice", "email": "a@example.com", "first_name": "Alice", "last_name": "12", "role": "ReadOnlyAdmin",
        "company": None, "comment": "true", "password_change": "2030-01-02", "uid": 7, "tenant": "acme",
        "groups": ["Dev", "ops", "sales"]}
    view = users.user_view({"name": "bob", "role": "Custom", "comment": ""}, None)
    assert view["role"] == "Custom" and view["comment"] is None and view["password_change"] is None
    assert "groups" not in view and view["uid"] is None and view["tenant"] is None
    assert users.user_view(None) is None
    assert users.user_view({"name": "x"}, "acme", ["b", "C", "A"])["groups"] == ["A", "b", "C"]  # case-insensitive
    assert users.user_view({"name": "c", "company": False, "email": ""})["company"] == "false"
    assert users.user_view({"name": "c", "email": ""})["email"] == ""


def test_blank_user():
    assert users.blank_user("acme") == {"name": None, "email": None, "first_name": None, "last_name": None,
                                        "role": None, "company": None, "comment": None, "password_change": None,
                                        "uid": None, "tenant": "acme"}


def test_text_roles_and_references():
    assert users.as_text(None) is None and users.as_text(True) == "true" and users.as_text(False) == "false"
    assert users.as_text(7) == "7" and users.as_text("x") == "x"
    assert users.canonical_role(" enduser ") == "EndUser" and users.canonical_role("COMPLIANCEOFFER") == "ComplianceOfficer"
    assert users.canonical_role(None) is None and users.canonical_role("King") is None
    assert users.wire_role("ComplianceOfficer") == "ComplianceOffer" and users.wire_role("EndUser") == "EndUser"
    assert users.name_of_ref("objs/1/acme/PortalUser/alice/") == "alice" and users.name_of_ref("") is None
    assert users.name_of_ref(None) is None and users.name_of_ref("alice") == "alice"
    assert users.name_of_ref("objs/1/acme/PortalUser/REX") == "REX"  # only slashes are stripped
    assert users.uid_from_reference("objs/1021/acme/PortalUser/alice") == 1021
    for other in ("objs/x/acme/PortalUser/alice", "obj/1/acme/PortalUser/a", "objs/1/acme/PortalGroup/a",
                  "objs/1/acme/PortalUser", None, 5):
        assert users.uid_from_reference(other) is None


# -- refused before any request ---------------------------------------------------------------------------------

def options(**given):
    base = dict(name="alice", email=None, first_name=None, last_name=None, password=None, role=None, company=None,
                comment=None, password_change=None, groups=None, append_groups=False, update_password="on_create",
                state="present", users=None, concurrency=4)
    base.update(given)
    return base


@pytest.mark.parametrize("name, message", [
    ("", "name must not be empty"), (None, "name must not be empty"), ("  ", "name must not be empty"),
    (" a", "name ' a' has leading or trailing whitespace; user names are not trimmed, give the name without it"),
    ("a\t", "name 'a\\t' has leading or trailing whitespace; user names are not trimmed, give the name without it"),
    ("a#b", "name 'a#b' holds a character the portal does not allow in user names (/ \\ # ? %)"),
    ("a%b", "name 'a%b' holds a character the portal does not allow in user names (/ \\ # ? %)"),
    ("a?b", "name 'a?b' holds a character the portal does not allow in user names (/ \\ # ? %)"),
    ("a\\b", "name 'a\\\\b' holds a character the portal does not allow in user names (/ \\ # ? %)"),
])
def test_names_refused(name, message):
    with pytest.raises(ValueError) as info:
        users.portal_name(name, "user")
    assert str(info.value) == message


@pytest.mark.parametrize("given, message", [
    (dict(email="a@b"), "email 'a@b' is not a valid e-mail address (expected name@domain.tld)"),
    (dict(email="a b@c.de"), "email 'a b@c.de' is not a valid e-mail address (expected name@domain.tld)"),
    (dict(email="a@b.c."), "email 'a@b.c.' is not a valid e-mail address (expected name@domain.tld)"),
    (dict(email=" a@b.cd"), "email ' a@b.cd' is not a valid e-mail address (expected name@domain.tld)"),
    (dict(role="King"), "role 'King' is not a portal role; allowed (case-insensitive): Disabled, EndUser, "
                        "ReadWriteAdmin, ReadOnlyAdmin, Support, ComplianceOfficer"),
    (dict(first_name=""), "first_name must not be empty"), (dict(last_name=" "), "last_name must not be empty"),
    (dict(groups=["a", ""]), "groups must not contain empty names"),
    (dict(groups=[None]), "groups must not contain empty names"),
    (dict(password_change="x"), "password_change must be a date"),
])
def test_user_options_refused_naming_the_option(given, message):
    with pytest.raises(ValueError) as info:
        users.validate_user(options(**given))
    assert str(info.value).startswith(message)


def test_a_user_name_is_refused_as_a_user_name():
    with pytest.raises(ValueError) as info:
        users.validate_user(options(name="alice "))
    assert str(info.value) == ("name 'alice ' has leading or trailing whitespace; user names are not trimmed, give the "
                               "name without it")


def test_valid_user_options_pass():
    assert users.validate_user(options(email="a.b@c.example.com", role="support", first_name="A", last_name="B",
                                       groups=["g"], password_change="3")) == "alice"


def test_user_entries():
    with pytest.raises(ValueError, match="^concurrency must be between 1 and 16; got 0$"):
        users.user_entries(options(concurrency=0))
    assert users.user_entries(options(concurrency=1)) and users.user_entries(options(concurrency=16))
    with pytest.raises(ValueError, match="^users must list at least one user$"):
        users.user_entries(options(name=None, users=[]))
    with pytest.raises(ValueError, match="^one of name or users is required$"):
        users.user_entries(options(name=None))
    with pytest.raises(ValueError, match="^name must not be empty$"):
        users.user_entries(options(name=" "))
    with pytest.raises(ValueError, match=r"^users lists 'a', 'b' more than once$"):
        users.user_entries(options(name=None, users=[{"name": "b"}, {"name": "A"}, {"name": "a "}, {"name": "B"},
                                                     {"name": None}]))
    with pytest.raises(ValueError, match=r"^users\[0\]: name must not be empty$"):
        users.user_entries(options(name=None, users=[{"name": None}, {"name": "b"}]))
    entries = users.user_entries(options(name=None, email="task@example.com", state="absent", append_groups=True,
                                         users=[{"name": "a", "state": "present", "append_groups": False}]))
    assert entries == [dict(options(name="a", state="present", append_groups=False, update_password="on_create"),
                            users=[{"name": "a", "state": "present", "append_groups": False}])]


def test_missing_for_create():
    assert users.missing_for_create("bob", {"email": "e", "first_name": "f", "last_name": "l", "password": "p"}) is None
    assert users.missing_for_create("bob", {"first_name": "f", "password": ""}) == \
        "user 'bob' does not exist; to create it give email, last_name, password"


def test_desired_user():
    assert users.desired_user(options(name="a", email="e", first_name="f", last_name="l", company="", comment="",
                                      role="support", password_change="5"), None) == {
        "name": "a", "email": "e", "first_name": "f", "last_name": "l", "company": None, "comment": None,
        "role": "Support", "password_change": (datetime.date.today() + datetime.timedelta(days=5)).isoformat()}
    current = {"password_change": "2000-01-01"}
    assert users.desired_user(options(name="a", password_change=True), current)["password_change"] == "2000-01-01"
    assert users.desired_user(options(name="a", comment="c"), None) == {"name": "a", "comment": "c"}


# -- reading -------------------------------------------------------------------------------------------------------

def test_read_user_by_get_multi():
    session = Portal({("get_multi", "/admin/api/users/alice"): {"name": "alice", "email": "e"}})
    assert users.read_user(session, "alice") == {"name": "alice", "email": "e"}
    assert session.calls == [("get_multi", "/admin/api/users/alice", users.LISTED_ATTRIBUTES, "read user 'alice'", True)]
    assert users.LISTED_ATTRIBUTES == ["name", "email", "firstName", "lastName", "role", "company", "comment",
                                       "requirePasswordChangeOn", "uid", "baseObjectRef"]
    users.read_user(session, "alice", ["uid"])
    assert session.calls[-1][2] == ["uid"]
    for missing in (None, {"name": None}, {"name": ""}, "alice"):
        assert users.read_user(Portal({("get_multi", "/admin/api/users/alice"): missing}), "alice") is None


def test_user_reference():
    session = Portal({("get_multi", "/admin/api/users/alice"): {"name": "Alice", "baseObjectRef": "objs/7/x"}})
    assert users.user_reference(session, "alice") == ("Alice", "objs/7/x")
    assert session.calls[0][2] == ["baseObjectRef"]
    assert users.user_reference(Portal(), "alice") is None
    session = Portal({("get_multi", "/admin/api/users/alice"): {"name": "alice", "baseObjectRef": ""}})
    with pytest.raises(ApiError) as info:
        users.user_reference(session, "alice")
    assert str(info.value) == "read user 'alice': the portal answered no reference (baseObjectRef) for it"


def test_user_index_is_read_once_per_tenant():
    session = Portal({("query", "/admin/api/users"): [{"name": "alice", "uid": 1}, {"name": 42}, {"name": None}]})
    index = users.user_index(session, "acme")
    assert index == {"alice": {"name": "alice", "uid": 1}, "42": {"name": 42}}
    assert users.user_index(session, "acme") is index
    assert session.calls == [("query", "/admin/api/users", users.LISTED_ATTRIBUTES, None, "list users")]
    users.user_index(session, "beta")
    assert len(session.calls) == 2 and session.cache[("users", "beta")] == index


# -- writing -------------------------------------------------------------------------------------------------------

DESIRED = {"email": "bob@example.com", "first_name": "Bob", "last_name": "B", "password": "Pw-secret-1"}
BODY = {"_classname": "PortalUser", "name": "bob", "email": "bob@example.com", "firstName": "Bob", "lastName": "B",
        "password": "Pw-secret-1", "role": "EndUser", "company": None, "comment": None}


def test_create_user_sends_what_cterasdk_sends():
    session = Portal({("database", "/admin/api/users"): "objs/1021/acme/PortalUser/bob"})
    created = users.create_user(session, "bob", DESIRED)
    assert session.calls == [("database", "/admin/api/users", "add", BODY, "create user 'bob'")]
    assert created == dict(BODY, password=None, uid=1021)
    session = Portal({("database", "/admin/api/users"): "objs/1/acme/PortalUser/cora"})
    created = users.create_user(session, "cora", dict(DESIRED, role="ComplianceOfficer", company="Acme", comment="c",
                                                      password_change="2030-01-02"))
    assert session.calls[0][3] == dict(BODY, name="cora", role="ComplianceOffer", company="Acme", comment="c",
                                       requirePasswordChangeOn="2030-01-02")
    assert created["uid"] == 1 and created["password"] is None


def test_create_user_without_a_reference_reads_the_user_back():
    stored = {"name": "bob", "uid": 55, "email": "bob@example.com"}
    session = Portal({("get_multi", "/admin/api/users/bob"): stored})
    assert users.create_user(session, "bob", DESIRED) == stored
    assert session.calls[1] == ("get_multi", "/admin/api/users/bob", users.LISTED_ATTRIBUTES, "read user 'bob'", True)
    assert users.create_user(Portal(), "bob", DESIRED) == dict(BODY, password=None, uid=None)


def test_update_user_puts_the_whole_object_back():
    stored = {"_classname": "PortalUser", "name": "alice", "email": "a@x.com", "role": "EndUser", "company": "Acme",
              "password": None, "uid": 7}
    session = Portal({("get", "/admin/api/users/alice"): stored})
    after = users.update_user(session, "alice", {"name": "alice", "baseObjectRef": "objs/7/x"},
                              {"role": "ComplianceOfficer", "first_name": "Al", "password": "Pw-new-2", "groups": ["x"]})
    body = dict(stored, role="ComplianceOffer", firstName="Al", password="Pw-new-2")
    assert session.calls == [("get", "/admin/api/users/alice", "read user 'alice'"),
                             ("put", "/admin/api/users/alice", body, "update user 'alice'")]
    assert after == dict(body, password=None, baseObjectRef="objs/7/x")
    session = Portal({("get", "/admin/api/users/alice"): stored})
    users.update_user(session, "alice", {}, {"comment": "ComplianceOfficer", "company": "ComplianceOfficer"})
    assert session.calls[-1][2] == dict(stored, comment="ComplianceOfficer", company="ComplianceOfficer", password=None)
    with pytest.raises(ApiError) as info:
        users.update_user(Portal(), "alice", {}, {"comment": "c"})
    assert str(info.value) == "read user 'alice': the portal answered no user object"


def test_delete_user_and_its_memberships():
    session = Portal()
    users.delete_user(session, "alice")
    assert session.calls == [("execute", "/admin/api/users/alice", "delete", True, "delete user 'alice'")]
    directory = users.group_directory(session)
    directory.members = {"A": {"Alice", "bob"}, "B": {"alice"}}
    users.delete_user(session, "alice")
    assert directory.members == {"A": {"bob"}, "B": set()}


def test_reference_of():
    session = Portal({("get_multi", "/admin/api/users/alice"): {"name": "alice", "baseObjectRef": "objs/7/x"}})
    obj = {"name": "alice"}
    assert users.reference_of(session, obj) == "objs/7/x" and obj["baseObjectRef"] == "objs/7/x"
    with pytest.raises(ApiError) as info:
        users.reference_of(Portal(), {"name": "ghost"})
    assert str(info.value) == "user 'ghost' is not a user of the tenant (any more)"


# -- group membership ------------------------------------------------------------------------------------------------

def test_group_update_sends_the_group_with_the_change():
    group = {"_classname": "PortalGroup", "name": "Sales", "description": None}
    session = Portal({("get", "/admin/api/localGroups/Sales"): group})
    directory = users.GroupDirectory(session)
    directory.members = {"Sales": {"ALICE", "bob"}}
    directory.update("Sales", "objs/7/x", "alice", add=False)
    assert session.calls == [
        ("get", "/admin/api/localGroups/Sales", "read group 'Sales'"),
        ("execute", "/admin/api/localGroups/Sales", "updateGroup",
         {"groupData": group, "membersToAdd": [], "membersToDelete": ["objs/7/x"]},
         "remove user 'alice' from group 'Sales'")]
    assert directory.members == {"Sales": {"bob"}}
    other = Portal({("get", "/admin/api/localGroups/Ops"): group})
    directory.update("Ops", "objs/7/x", "alice", add=True, session=other)
    assert other.calls[-1][3:] == ({"groupData": group, "membersToAdd": ["objs/7/x"], "membersToDelete": []},
                                   "add user 'alice' to group 'Ops'")
    assert len(session.calls) == 2 and directory.members["Ops"] == {"alice"}


def test_set_groups_changes_only_the_differences():
    session = Portal({("get", "/admin/api/localGroups/%s" % g): {"name": g} for g in ("A", "B", "C", "D")})
    directory = users.GroupDirectory(session)
    directory.members = {"A": {"x"}, "B": {"x"}, "C": set(), "D": set()}
    directory.set_groups("ref:x", "x", ["A", "b"], ["B", "D", "C"])
    changes = [(c[1].rsplit("/", 1)[1], c[3]["membersToAdd"], c[3]["membersToDelete"])
               for c in session.calls if c[0] == "execute"]
    assert changes == [("C", ["ref:x"], []), ("D", ["ref:x"], []), ("A", [], ["ref:x"])]
    worker = Portal({("get", "/admin/api/localGroups/%s" % g): {"name": g} for g in ("A", "B")})
    directory.set_groups("ref:x", "x", ["A"], ["B"], session=worker)  # a bulk run's thread: on its own connection
    assert [c[1] for c in worker.calls if c[0] == "execute"] == ["/admin/api/localGroups/B", "/admin/api/localGroups/A"]
    assert len(session.calls) == 6


def test_spell_names_unknown_groups():
    session = Portal({("query", "/admin/api/localGroups"): [{"name": "Sales"}, {"name": "Dev"}]})
    directory = users.GroupDirectory(session)
    assert directory.spell(["sales", "DEV"], "acme") == (["Sales", "Dev"], None)
    spelled, (error, warning) = directory.spell(["sales", "x", "y"], "acme")
    assert spelled == ["Sales", "x", "y"]
    assert error == "groups 'x', 'y' do not exist in tenant 'acme'; create them first (existing: Dev, Sales)"
    assert warning == ("groups 'x', 'y' do not exist in tenant 'acme' yet; predicting membership as if an earlier task "
                       "created them (a real run fails if they still do not exist)")
    empty = users.GroupDirectory(Portal())
    assert empty.spell(["x"], "acme")[1][0] == "groups 'x' do not exist in tenant 'acme'; create them first (existing: none)"


def test_group_directory_is_kept_per_session():
    session = Portal({("query", "/admin/api/localGroups"): [{"name": "Sales"}]})
    directory = users.group_directory(session)
    assert users.group_directory(session) is directory and session.calls == []
    assert users.group_directory(session, load=True) is directory and directory.members == {"Sales": set()}
    assert session.cache["groups"] is directory
    users.GroupDirectory(Portal()).forget("x")  # groups never read: nothing to forget
