# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paging of Portal users and group members (mutation testing, docs/mutation.md): every page of ``getMembers``
is read, members are named by their name or their reference, the listing of groups and of users goes through the
paged query with the name always included."""

from ansible_collections.filefleet.office.plugins.module_utils import _portal_users as users

REF = "objs/12/acme/PortalUser/%s"


class MembersSession:
    """Answers ``getMembers`` of each group from ``members`` (page by page) and the paged query of groups."""

    def __init__(self, members, page_kind="dict", stop_early=False):
        self.members = members
        self.page_kind = page_kind
        self.stop_early = stop_early
        self.calls = []

    @staticmethod
    def path(*segments):
        return "/admin/api/" + "/".join(str(s) for s in segments)

    def execute(self, path, name, param=None, what=None):
        self.calls.append((path, name, dict(param or {}), what))
        group = path.rsplit("/", 1)[-1]
        rows = self.members[group][param["startFrom"]:param["startFrom"] + param["countLimit"]]
        more = param["startFrom"] + param["countLimit"] < len(self.members[group])
        if self.stop_early and param["startFrom"] > 0:
            rows = []
        if self.page_kind == "list":
            return rows
        return {"objects": rows, "hasMore": more}

    def query(self, path, include=None, filters=None, what=None):
        self.calls.append((path, "query", {"include": include, "filters": filters}, what))
        return iter([{"name": name} for name in self.members])


def member(index, named=True):
    ref = REF % ("u%03d" % index)
    return {"name": "u%03d" % index, "baseObjectRef": ref} if named else {"baseObjectRef": ref}


def test_every_page_of_members_is_read():
    rows = [member(i, named=i % 2 == 0) for i in range(120)]
    session = MembersSession({"staff": rows})
    got = users.read_members(session, "staff")
    assert got == [("u%03d" % i, REF % ("u%03d" % i)) for i in range(120)]  # by name, or by the reference's last part
    assert [c[2] for c in session.calls] == [{"startFrom": s, "countLimit": 50} for s in (0, 50, 100)]
    assert all(c[:2] == ("/admin/api/localGroups/staff", "getMembers") for c in session.calls)
    assert all(c[3] == "list members of group 'staff'" for c in session.calls)


def test_members_pages_end_and_odd_items():
    session = MembersSession({"g": [member(i) for i in range(50)]})
    assert len(users.read_members(session, "g")) == 50 and len(session.calls) == 1  # exactly one page
    session = MembersSession({"g": [member(i) for i in range(80)]}, stop_early=True)
    assert len(users.read_members(session, "g")) == 50 and len(session.calls) == 2  # an empty page ends the listing
    session = MembersSession({"g": [REF % "bare", "objs/1/acme/PortalUser/slash/", {"name": True}, {}, None]},
                             page_kind="list")
    assert users.read_members(session, "g") == [("bare", REF % "bare"), ("slash", "objs/1/acme/PortalUser/slash/"),
                                                ("true", None)]
    assert len(session.calls) == 1  # a bare list has no hasMore: one request


def test_group_directory_lists_groups_through_the_paged_query_and_members_of_each():
    session = MembersSession({"Staff": [member(1), member(2)], "Admins": [member(2)]})
    directory = users.GroupDirectory(session)
    assert directory.load() == {"Staff": {"u001", "u002"}, "Admins": {"u002"}}
    assert session.calls[0] == ("/admin/api/localGroups", "query", {"include": ["name"], "filters": None},
                                "list local groups")
    calls = len(session.calls)
    assert directory.find("staff") == "Staff" and directory.find("nobody") is None
    assert directory.groups_of("U002") == {"Staff", "Admins"}
    assert len(session.calls) == calls  # loaded once


def test_list_users_filters_by_name_through_the_query():
    session = MembersSession({})
    session.query = lambda path, include=None, filters=None, what=None: iter(
        session.calls.append((path, include, filters, what)) or [{"name": "alice"}])
    assert users.list_users(session, ["email"]) == [{"name": "alice"}]
    assert users.list_users(session, ["email"], name_contains="ali") == [{"name": "alice"}]
    assert session.calls == [
        ("/admin/api/users", ["email"], None, "list users"),
        ("/admin/api/users", ["email"], [{"_classname": "StringFilter", "field": "name", "restriction": "like",
                                          "value": "ali"}], "list users")]
