# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official CTERA SDK (cterasdk 2.20.50), unchanged, against the device part of the Edge Filer simulator:
the first administrator of a factory filer, host name, location, wizard, time zone and NTP, local users, groups
with members, and the Active Directory join and leave (a wrong password refused).

Every behaviour is checked through what the SDK returns and through the simulator's own state (``GET /_sim/state``).
edge-001 starts factory-fresh, edge-002 already set up.
"""

from __future__ import annotations

import urllib.parse

import pytest

from simulators.harness import Simulators

cterasdk = pytest.importorskip("cterasdk")

# pylint: disable=wrong-import-position,wrong-import-order
import aiohttp.connector  # noqa: E402
from cterasdk import Edge  # noqa: E402
from cterasdk.edge.enum import PrincipalType  # noqa: E402
from cterasdk.edge.types import ShareAccessControlEntry, UserGroupEntry  # noqa: E402
from cterasdk.exceptions import CTERAException  # noqa: E402
from cterasdk.exceptions.auth import AuthenticationError  # noqa: E402

OU = "OU=Offices,DC=corp,DC=filefleet,DC=test"


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("edge-device-sdk")), edges=2, edge_factory=1) as running:
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
            cafile=running.info["edges"][0]["ca_path"])
        yield running


def _client(entry):
    url = urllib.parse.urlsplit(entry["url"])
    return Edge(url.hostname, url.port)


@pytest.fixture
def filer(sims):
    """A freshly reset, logged-in filer that is already set up: (edge, entry)."""
    entry = sims.info["edges"][1]
    sims.reset(entry)
    edge = _client(entry)
    edge.login(entry["username"], entry["password"])
    yield edge, entry
    edge.logout()


def test_ready_line_names_factory_filers_and_the_directory(sims):
    factory, ready = sims.info["edges"]
    assert factory["factory"] is True and "factory" not in ready
    directory = sims.info["directory"]
    assert directory["domain"] == "corp.filefleet.test" and directory["username"] and directory["password"]
    assert factory["directory"] == ready["directory"] == directory


def test_first_user_on_a_factory_filer(sims):
    entry = sims.info["edges"][0]
    sims.reset(entry)
    edge = _client(entry)
    assert edge.initialized is False
    with pytest.raises(AuthenticationError):
        edge.login(entry["username"], entry["password"])  # nobody to log in as yet
    state = sims.state(entry)
    assert state["config"]["auth"]["users"] == [] and state["config"]["gui"]["openFirstTimeWizard"] is True
    assert state["config"]["device"]["activeLicenseType"] == "NA" and state["portal"]["connected"] is False
    assert state["config"]["services"] is None

    edge.users.add_first_user(entry["username"], entry["password"], "it@example.com")  # creates and logs in
    try:
        assert edge.initialized is True
        assert edge.config.is_wizard_enabled() is True
        edge.config.disable_wizard()
        assert edge.config.is_wizard_enabled() is False
        admin = edge.users.get(entry["username"])
        assert admin.email == "it@example.com" and admin.password is None
        members = [UserGroupEntry.from_server_object(m).name for m in edge.groups.get("Administrators").members]
        assert members == [entry["username"]]
    finally:
        edge.logout()
    # A second first user is refused; the SDK's add_first_user then only logs in.
    again = _client(entry)
    again.users.add_first_user(entry["username"], entry["password"])
    again.logout()
    state = sims.state(entry)
    assert state["initialized"] is True and [u["username"] for u in state["config"]["auth"]["users"]] == [entry["username"]]
    assert state["config"]["gui"]["openFirstTimeWizard"] is False
    assert entry["password"] not in str(state["config"])


def test_settings_time_zone_and_ntp(filer, sims):
    edge, entry = filer
    edge.config.set_hostname("sto-filer-01")
    edge.config.set_location("Stockholm, 3rd floor")
    edge.timezone.set_timezone("(GMT+01:00) Amsterdam, Berlin, Stockholm")
    edge.ntp.enable(["ntp1.example.com", "ntp2.example.com"])
    assert edge.config.get_hostname() == "sto-filer-01" and edge.config.get_location() == "Stockholm, 3rd floor"
    assert edge.timezone.get_timezone() == "(GMT+01:00) Amsterdam, Berlin, Stockholm"
    assert edge.ntp.servers == ["ntp1.example.com", "ntp2.example.com"]
    edge.ntp.disable()
    time_settings = sims.state(entry)["config"]["time"]
    assert time_settings["NTPMode"] == "disabled" and time_settings["NTPServer"] == ["ntp1.example.com", "ntp2.example.com"]
    with pytest.raises(CTERAException):
        edge.config.set_hostname("bad_host!")
    with pytest.raises(CTERAException):
        edge.timezone.set_timezone("Europe/Stockholm")
    assert sims.state(entry)["config"]["device"]["hostname"] == "sto-filer-01"


def test_local_users_add_modify_delete(filer, sims):
    edge, entry = filer
    edge.users.add("scanner", "Scan-1-pass", "Office scanner", "scanner@example.com", 1500)
    edge.users.add("temp", "Temp-1-pass")
    with pytest.raises(CTERAException):
        edge.users.add("scanner", "Other-1-pass")  # exists
    edge.users.modify("scanner", password="Scan-2-pass", full_name="Scanner 007")
    user = edge.users.get("scanner")
    assert (user.fullName, user.email, user.uid, user.password) == ("Scanner 007", "scanner@example.com", 1500, None)
    assert edge.users.get("temp").uid not in (None, 1500)
    other = _client(entry)
    other.login("scanner", "Scan-2-pass")  # a local user logs in with its new password
    other.logout()
    with pytest.raises(AuthenticationError):
        _client(entry).login("scanner", "Scan-1-pass")
    edge.users.delete("temp")
    users = {u["username"]: u for u in sims.state(entry)["config"]["auth"]["users"]}
    assert sorted(users) == [entry["username"], "scanner"] and users["scanner"]["fullName"] == "Scanner 007"
    assert "Scan-2-pass" not in str(sims.state(entry))


def test_groups_with_members(filer, sims):
    edge, entry = filer
    edge.users.add("scanner", "Scan-1-pass")
    edge.groups.add_members("Read Only Administrators", [UserGroupEntry(PrincipalType.LU, "scanner"),
                                                         UserGroupEntry(PrincipalType.LG, "Everyone")])
    edge.groups.add_members("Read Only Administrators", [UserGroupEntry(PrincipalType.LU, "scanner")])  # no duplicate
    members = [UserGroupEntry.from_server_object(m) for m in edge.groups.get("Read Only Administrators").members]
    assert sorted((m.principal_type, m.name) for m in members) == [("LocalGroup", "Everyone"), ("LocalUser", "scanner")]
    with pytest.raises(CTERAException):
        edge.groups.add_members("Everyone", [UserGroupEntry(PrincipalType.LU, "ghost")])
    with pytest.raises(CTERAException):  # domain members need a joined filer
        edge.groups.add_members("Everyone", [UserGroupEntry(PrincipalType.DG, "CORP\\Domain Users")])
    edge.groups.remove_members("Read Only Administrators", [UserGroupEntry(PrincipalType.LG, "Everyone")])
    edge.users.delete("scanner")  # and with it its memberships
    groups = {g["name"]: g["members"] for g in sims.state(entry)["config"]["auth"]["groups"]}
    assert groups["Read Only Administrators"] == []


def test_domain_join_refused_joined_and_left(filer, sims):
    edge, entry = filer
    directory = sims.info["directory"]
    assert edge.directoryservice.connected() is False
    with pytest.raises(CTERAException):
        edge.directoryservice.connect(directory["domain"], directory["username"], "Wrong-AD-pass-1")
    assert edge.directoryservice.connected() is False
    assert sims.state(entry)["domain_join"]["joined"] is False

    edge.directoryservice.connect(directory["domain"], "CORP\\" + directory["username"], directory["password"], ou=OU)
    assert edge.directoryservice.connected() is True
    assert edge.directoryservice.domains() == ["CORP"]
    domain = edge.directoryservice.get_connected_domain()
    assert (domain.type, domain.domain, domain.workgroup) == ("domain", directory["domain"], None)
    state = sims.state(entry)
    assert state["domain_join"]["joined"] is True and state["domain_join"]["ou"] == OU
    assert directory["password"] not in str(state["config"])

    # Domain users and groups can now be named in group members and share ACLs; unknown ones cannot.
    edge.groups.add_members("Administrators", [UserGroupEntry(PrincipalType.DG, "CORP\\Domain Admins")])
    edge.shares.add("finance", "cloud/departments/finance", acl=[
        ShareAccessControlEntry(PrincipalType.DG, "CORP\\Finance", "ReadWrite"),
        ShareAccessControlEntry(PrincipalType.DU, "CORP\\alice", "ReadOnly")])
    with pytest.raises(CTERAException):
        edge.shares.add("sales", "cloud/departments/sales", acl=[
            ShareAccessControlEntry(PrincipalType.DU, "CORP\\nobody", "ReadOnly")])
    acl = [ace["principal2"] for ace in next(s for s in sims.state(entry)["config"]["fileservices"]["share"]
                                             if s["name"] == "finance")["acl"]]
    assert acl == [{"_classname": "DomainGroup", "name": "CORP\\Finance"},
                   {"_classname": "DomainUser", "name": "CORP\\alice"}]

    edge.directoryservice.disconnect()
    assert edge.directoryservice.connected() is False
    cifs = sims.state(entry)["config"]["fileservices"]["cifs"]
    assert (cifs["type"], cifs["workgroup"], cifs["domain"]) == ("workgroup", "CTERA", None)
