# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Edge Filer as a device (module_utils/_edge_device.py): the input checks with the option they name, the readers
edge_settings, edge_domain, edge_user, edge_group and edge_info share (against a scripted filer), group members
both ways, and the no-session requests of edge_setup against a factory-fresh simulated filer."""

import pytest

from edge_scripted_filer import ScriptedFiler
from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils import _edge_device as device
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError


# -- input checks ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "_svc", "scan.user-1", "9" * 64, "A_b.c-D"])
def test_usernames_allowed(name):
    assert device.check_username(name) == name


@pytest.mark.parametrize("name", ["", ".x", "-x", "a b", "a#b", "x" * 65, None, 7])
def test_usernames_refused_naming_the_option(name):
    with pytest.raises(ValueError) as caught:
        device.check_username(name, option="members")
    assert str(caught.value) == ("members must be 1 to 64 letters, digits, '.', '_' or '-' (not starting with '.' or "
                                 "'-'), got %r" % (name,))
    with pytest.raises(ValueError, match="^name must be"):
        device.check_username(name)


@pytest.mark.parametrize("name", ["Office", "Sales team", "_x", "g" * 64, "a.b-c"])
def test_group_names_allowed(name):
    assert device.check_groupname(name) == name


@pytest.mark.parametrize("name", ["", " x", "x ", ".x", "-x", "a#b", "g" * 65, None])
def test_group_names_refused_naming_the_option(name):
    with pytest.raises(ValueError) as caught:
        device.check_groupname(name, option="group")
    assert str(caught.value) == ("group must be 1 to 64 letters, digits, spaces, '.', '_' or '-', not starting with a "
                                 "space, '.' or '-', got %r" % (name,))
    with pytest.raises(ValueError, match="^name must be"):
        device.check_groupname(name)


@pytest.mark.parametrize("name,ok", [("filer-1", True), ("F" * 63, True), ("a", True), ("-filer", False),
                                     ("filer-", False), ("F" * 64, False), ("a.b", False), ("", False), (None, False)])
def test_host_names(name, ok):
    if ok:
        assert device.check_hostname(name) == name
    else:
        with pytest.raises(ValueError) as caught:
            device.check_hostname(name)
        assert str(caught.value) == ("hostname must be 1 to 63 letters, digits or '-', not starting or ending with '-', "
                                     "got %r" % (name,))


@pytest.mark.parametrize("zone,ok", [("(GMT+01:00) Amsterdam, Berlin", True), ("(GMT-08:00) Pacific Time", True),
                                     ("Europe/Berlin", False), ("(GMT+1:00) X", False), ("(GMT+01:00)", False),
                                     ("(GMT+01:00)  ", False), (None, False)])
def test_time_zones(zone, ok):
    if ok:
        assert device.check_timezone(zone) == zone
    else:
        with pytest.raises(ValueError) as caught:
            device.check_timezone(zone)
        assert str(caught.value) == ("timezone must be a time zone as the filer names it, '(GMT+HH:MM) Name', for "
                                     "example '(GMT+01:00) Amsterdam, Berlin, Stockholm', got %r" % (zone,))


def test_ntp_servers():
    servers = ("ntp1.example.com", "10.0.0.1", "fe80::1", "a" * 253)
    assert device.check_ntp_servers(servers) == list(servers)
    with pytest.raises(ValueError) as caught:
        device.check_ntp_servers(["ok.example", "bad host", "-x", "a" * 254, 5])
    assert str(caught.value) == "ntp_servers must be host names or addresses, got 'bad host', '-x', %r, 5" % ("a" * 254)
    with pytest.raises(ValueError) as caught:
        device.check_ntp_servers(["ntp.example.com", "NTP.example.com"])
    assert str(caught.value) == "ntp_servers must not name a server twice"


@pytest.mark.parametrize("domain,ok", [("corp.example.com", True), ("CORP", True), ("a-b.c", True),
                                       ("corp..example.com", False), ("-corp.example.com", False),
                                       ("corp-.example.com", False), (("a" * 63 + ".") * 4 + "com", False),
                                       ("", False), (None, False)])
def test_domains(domain, ok):
    if ok:
        assert device.check_domain(domain) == domain
    else:
        with pytest.raises(ValueError) as caught:
            device.check_domain(domain)
        assert str(caught.value) == ("domain must be the DNS name of an Active Directory domain, for example "
                                     "corp.example.com, got %r" % (domain,))


# -- readers --------------------------------------------------------------------------------------------------------

def test_settings_with_ntp_on():
    filer = ScriptedFiler({"config/device": {"hostname": "filer-1", "location": "Sto"},
                           "config/time": {"TimeZone": "(GMT+01:00) Stockholm", "NTPMode": "enabled",
                                           "NTPServer": ["ntp1", "ntp2"]}})
    assert device.read_settings(filer) == {"hostname": "filer-1", "location": "Sto",
                                           "timezone": "(GMT+01:00) Stockholm", "ntp_servers": ["ntp1", "ntp2"]}
    assert filer.sent() == [("GET", "config/device", None), ("GET", "config/time", None)]


def test_settings_with_one_server_ntp_off_or_nothing():
    filer = ScriptedFiler({"config/device": {"hostname": "filer-1", "location": ""},
                           "config/time": {"TimeZone": "", "NTPMode": "enabled", "NTPServer": "ntp1"}})
    assert device.read_settings(filer) == {"hostname": "filer-1", "location": None, "timezone": None,
                                           "ntp_servers": ["ntp1"]}
    filer.tree["config/time"] = {"NTPMode": "disabled", "NTPServer": ["ntp1"]}
    assert device.read_settings(filer)["ntp_servers"] == []
    filer.tree["config/time"] = {"NTPMode": "enabled", "NTPServer": None}
    assert device.read_settings(filer)["ntp_servers"] == []
    filer = ScriptedFiler({"config/device": None, "config/time": None})
    assert device.read_settings(filer) == {"hostname": None, "location": None, "timezone": None, "ntp_servers": []}


@pytest.mark.parametrize("reader,path,what", [
    (device.read_settings, "config/device", "read the device settings"),
    (device.read_settings, "config/time", "read the time settings"),
    (device.read_cifs, "config/fileservices/cifs", "read the SMB settings"),
    (device.read_domain, "status/fileservices/cifs/joinStatus", "read the domain join status"),
    (device.read_users, "config/auth/users", "read the local users"),
    (device.read_groups, "config/auth/groups", "read the local groups"),
    (device.read_wizard, "config/gui/openFirstTimeWizard", "read whether the first-time wizard is on"),
])
def test_read_errors_name_what_was_read(reader, path, what):
    filer = ScriptedFiler({"config/device": {}, "config/time": {}, "config/fileservices/cifs": {"type": "domain"},
                           "status/fileservices/cifs/joinStatus": 0, "config/auth/users": [], "config/auth/groups": [],
                           "config/gui/openFirstTimeWizard": False})
    filer.failing.add(path)
    with pytest.raises(ApiError) as caught:
        reader(filer)
    assert caught.value.message == what + " failed: HTTP 500"


@pytest.mark.parametrize("value,on", [(True, True), (False, False), ("true", True), (" True ", True), ("false", False),
                                      (None, False), (1, False)])
def test_the_wizard(value, on):
    assert device.read_wizard(ScriptedFiler({"config/gui/openFirstTimeWizard": value})) is on


def test_smb_settings_must_be_an_object():
    assert device.read_cifs(ScriptedFiler({"config/fileservices/cifs": {"type": "workgroup"}})) == {"type": "workgroup"}
    with pytest.raises(ApiError) as caught:
        device.read_cifs(ScriptedFiler({"config/fileservices/cifs": "x"}))
    assert caught.value.message == "read the SMB settings of https://filer.test: the filer answered no settings object"


@pytest.mark.parametrize("cifs,join,view", [
    ({"type": "domain", "domain": "corp.example.com", "workgroup": "W"}, 0,
     {"state": "joined", "domain": "corp.example.com", "workgroup": None}),
    ({"type": "domain", "domain": "corp.example.com", "workgroup": "W"}, "0",
     {"state": "joined", "domain": "corp.example.com", "workgroup": None}),
    ({"type": "domain", "domain": "", "workgroup": "W"}, 0, {"state": "joined", "domain": None, "workgroup": None}),
    ({"type": "domain", "domain": "corp.example.com", "workgroup": "W"}, 1,
     {"state": "left", "domain": None, "workgroup": "W"}),
    ({"type": "domain", "domain": "corp.example.com"}, "x", {"state": "left", "domain": None, "workgroup": None}),
    ({"type": "domain", "domain": "corp.example.com"}, None, {"state": "left", "domain": None, "workgroup": None}),
    ({"type": "workgroup", "domain": "corp.example.com", "workgroup": "CTERA"}, 0,
     {"state": "left", "domain": None, "workgroup": "CTERA"}),
])
def test_the_domain(cifs, join, view):
    filer = ScriptedFiler({"config/fileservices/cifs": cifs, "status/fileservices/cifs/joinStatus": join})
    assert device.read_domain(filer) == view
    assert filer.sent() == [("GET", "config/fileservices/cifs", None),
                            ("GET", "status/fileservices/cifs/joinStatus", None)]
    filer = ScriptedFiler({"status/fileservices/cifs/joinStatus": join})
    assert device.read_domain(filer, cifs) == view
    assert filer.sent() == [("GET", "status/fileservices/cifs/joinStatus", None)]


def test_users_sorted_by_name_ignoring_case():
    filer = ScriptedFiler({"config/auth/users": [
        {"username": "zed", "fullName": "Zed Z", "email": "z@example.com", "uid": "601", "password": None},
        "junk",
        {"username": "Adam", "fullName": "", "email": "", "uid": None},
        {"username": "bob", "uid": "x"}]})
    assert device.read_users(filer) == [
        {"name": "Adam", "full_name": None, "email": None, "uid": None},
        {"name": "bob", "full_name": None, "email": None, "uid": None},
        {"name": "zed", "full_name": "Zed Z", "email": "z@example.com", "uid": 601}]
    assert device.read_users(ScriptedFiler({"config/auth/users": {"username": "solo"}})) == [
        {"name": "solo", "full_name": None, "email": None, "uid": None}]
    assert device.read_users(ScriptedFiler({"config/auth/users": None})) == []


MEMBERS = [{"_classname": "LocalUser", "ref": "#config#auth#users#zed"},
           {"_classname": "DomainGroup", "name": "CORP\\Sales"},
           {"_classname": "LocalGroup", "ref": "#config#auth#groups#Office"},
           {"_classname": "DomainUser", "name": "CORP\\anna"},
           {"_classname": "LocalUser", "ref": "#config#auth#users#Adam"},
           "junk"]


def test_groups_and_their_members():
    filer = ScriptedFiler({"config/auth/groups": [
        {"name": "office", "description": "Office staff", "members": MEMBERS},
        {"name": "Admins", "description": "", "members": {"_classname": "LocalUser", "ref": "#config#auth#users#admin"}},
        {"name": "empty", "members": None}, "junk"]})
    assert device.read_groups(filer) == [
        {"name": "Admins", "description": None, "members": [{"type": "local_user", "name": "admin"}]},
        {"name": "empty", "description": None, "members": []},
        {"name": "office", "description": "Office staff", "members": [
            {"type": "domain_group", "name": "CORP\\Sales"}, {"type": "domain_user", "name": "CORP\\anna"},
            {"type": "local_group", "name": "Office"}, {"type": "local_user", "name": "Adam"},
            {"type": "local_user", "name": "zed"}]}]
    assert device.read_groups(ScriptedFiler({"config/auth/groups": {"name": "solo"}})) == [
        {"name": "solo", "description": None, "members": []}]
    assert device.read_groups(ScriptedFiler({"config/auth/groups": None})) == []


def test_members_of_unknown_classes_and_without_a_reference():
    assert device.member_view({"_classname": "LocalUser"}) == {"type": "local_user", "name": ""}
    assert device.member_view({"_classname": "Robot", "name": "r2"}) == {"type": "Robot", "name": "r2"}


@pytest.mark.parametrize("member,obj", [
    ({"type": "local_user", "name": "zed"}, {"_classname": "LocalUser", "ref": "#config#auth#users#zed"}),
    ({"type": "local_group", "name": "Office"}, {"_classname": "LocalGroup", "ref": "#config#auth#groups#Office"}),
    ({"type": "domain_user", "name": "CORP\\anna"}, {"_classname": "DomainUser", "name": "CORP\\anna"}),
    ({"type": "domain_group", "name": "CORP\\Sales"}, {"_classname": "DomainGroup", "name": "CORP\\Sales"}),
])
def test_members_both_ways(member, obj):
    assert device.member_object(member) == obj
    assert device.member_view(obj) == member


def test_domain_members_compare_ignoring_case_local_ones_do_not():
    assert device.member_key({"type": "domain_user", "name": "CORP\\Anna"}) == ("domain_user", "corp\\anna")
    assert device.member_key({"type": "domain_group", "name": "Straße"}) == ("domain_group", "strasse")
    assert device.member_key({"type": "local_user", "name": "Anna"}) == ("local_user", "Anna")


# -- the no-session requests of edge_setup (a factory-fresh simulated filer) ----------------------------------------

@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("edge-device")), edges=3, edge_factory=True) as running:
        yield running


def test_first_administrator_created_without_a_session(fresh):
    edge = fresh.info["edges"][0]
    session = device.SetupSession(edge["url"], "first-admin", "First-Admin-Pw-9", ca_path=edge["ca_path"])
    assert session.initialized() is False
    assert session.logged_in is False
    session.create_first_user("first-admin", "First-Admin-Pw-9", None)
    assert session.initialized() is True
    users = fresh.state(edge)["config"]["auth"]["users"]
    assert [(u["username"], u.get("email")) for u in users] == [("first-admin", "")]
    session.login()
    assert device.read_users(session)[0]["name"] == "first-admin"
    with pytest.raises(ApiError) as caught:
        session.create_first_user("second", "Second-Admin-Pw-9", "s@example.com")
    assert caught.value.message.startswith("create the first administrator 'second'")
    assert "Second-Admin-Pw-9" not in str(caught.value)
    with pytest.raises(ApiError) as caught:
        session.open_call("GET", "nosession/nothing-here")
    assert caught.value.message.startswith("GET nosession/nothing-here")


def test_the_first_administrators_email_is_sent(fresh):
    edge = fresh.info["edges"][1]
    session = device.SetupSession(edge["url"], "first-admin", "First-Admin-Pw-9", ca_path=edge["ca_path"])
    session.create_first_user("first-admin", "First-Admin-Pw-9", "it@example.com")
    users = fresh.state(edge)["config"]["auth"]["users"]
    assert [(u["username"], u.get("email")) for u in users] == [("first-admin", "it@example.com")]


def test_names_sort_ignoring_case_with_punctuation_first():
    # "_" sorts before letters only when they are lower case, as the filer's own lists show them.
    filer = ScriptedFiler({"config/auth/users": [{"username": "admin"}, {"username": "_svc"}],
                           "config/auth/groups": [{"name": "Office"}, {"name": "_ops"}]})
    assert [u["name"] for u in device.read_users(filer)] == ["_svc", "admin"]
    assert [g["name"] for g in device.read_groups(filer)] == ["_ops", "Office"]
    members = [{"type": "local_user", "name": "Bob"}, {"type": "local_user", "name": "_svc"}]
    assert device.sorted_members(members) == [members[1], members[0]]


def seen(sims, edge, before, key):
    return sims.stats(edge)["requests"].get(key, 0) - before["requests"].get(key, 0)


LOGININFO = "/admingui/api/nosession/logininfo"
FIRSTUSER = "/admingui/api/nosession/createfirstuser"


def setup_session(edge):
    return device.SetupSession(edge["url"], "first-admin", "First-Admin-Pw-9", ca_path=edge["ca_path"])


def test_the_login_information_is_read_again_after_a_gateway_error_or_a_drop(fresh):
    edge = fresh.info["edges"][2]
    for plan in ({"errors": [{"status": 503, "count": 1, "path": LOGININFO}]}, {"drop": [{"count": 1, "path": LOGININFO}]}):
        before = fresh.stats(edge)
        fresh.faults(edge, plan)
        try:
            assert setup_session(edge).initialized() is False
        finally:
            fresh.faults(edge, {})
        assert seen(fresh, edge, before, "GET " + LOGININFO) == 2


def test_the_first_administrator_is_sent_once_and_a_refusal_shows_the_server_redacted(fresh):
    edge = fresh.info["edges"][2]
    before = fresh.stats(edge)
    body = '<obj><att id="msg"><val>rejected First-Admin-Pw-9 as too weak</val></att></obj>'
    fresh.faults(edge, {"errors": [{"status": 503, "count": 1, "path": FIRSTUSER, "body": body}]})
    try:
        with pytest.raises(ApiError) as caught:
            setup_session(edge).create_first_user("first-admin", "First-Admin-Pw-9", None)
    finally:
        fresh.faults(edge, {})
    assert seen(fresh, edge, before, "POST " + FIRSTUSER) == 1
    assert caught.value.message.startswith("create the first administrator 'first-admin'")
    assert caught.value.server_message == "rejected ******** as too weak"
    assert "First-Admin-Pw-9" not in repr(caught.value.to_result())
    assert caught.value.method == "POST" and caught.value.status == 503


def test_a_dropped_first_administrator_request_is_not_repeated_and_names_the_operation(fresh):
    edge = fresh.info["edges"][2]
    before = fresh.stats(edge)
    fresh.faults(edge, {"drop": [{"count": 1, "path": FIRSTUSER}]})
    try:
        with pytest.raises(ApiError) as caught:
            setup_session(edge).create_first_user("first-admin", "First-Admin-Pw-9", None)
    finally:
        fresh.faults(edge, {})
    assert seen(fresh, edge, before, "POST " + FIRSTUSER) == 1
    assert caught.value.message.startswith("create the first administrator 'first-admin' failed: ")
    assert caught.value.method == "POST" and caught.value.url.endswith(FIRSTUSER)


@pytest.mark.parametrize("kind", ["empty", "json", "html"])
def test_login_information_that_is_not_the_filers_is_an_error(fresh, kind):
    edge = fresh.info["edges"][2]
    fresh.faults(edge, {"foreign": [{"kind": kind, "count": 1, "path": LOGININFO}]})
    try:
        with pytest.raises(ApiError) as caught:
            setup_session(edge).initialized()
    finally:
        fresh.faults(edge, {})
    assert caught.value.message.startswith("read the login information of %s failed" % edge["url"].rstrip("/"))


def test_login_information_without_isfirstlogin_is_an_error(fresh):
    edge = fresh.info["edges"][2]
    body = '<obj><att id="other"><val>x</val></att></obj>'
    fresh.faults(edge, {"errors": [{"status": 200, "count": 1, "path": LOGININFO, "body": body}]})
    try:
        with pytest.raises(ApiError) as caught:
            setup_session(edge).initialized()
    finally:
        fresh.faults(edge, {})
    assert caught.value.message == "read the login information of %s: the answer has no isfirstlogin" % (
        edge["url"].rstrip("/"))


def test_a_bad_request_is_an_error_not_an_answer(fresh):
    edge = fresh.info["edges"][2]
    body = '<obj><att id="msg"><val>invalid email</val></att></obj>'
    fresh.faults(edge, {"errors": [{"status": 400, "count": 1, "path": FIRSTUSER, "body": body}]})
    try:
        with pytest.raises(ApiError) as caught:
            setup_session(edge).create_first_user("first-admin", "First-Admin-Pw-9", "not-an-email")
    finally:
        fresh.faults(edge, {})
    assert caught.value.status == 400 and caught.value.server_message == "invalid email"
