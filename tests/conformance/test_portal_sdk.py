# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official CTERA SDK (cterasdk 2.20.50), unchanged, against the Portal simulator over verified TLS.

These tests are the evidence that the simulator speaks the portal's protocol: every operation goes through the
SDK, and outcomes are checked both through the SDK and through the simulator's own state (``GET /_sim/state``).

TLS: cterasdk only exposes ``connector.ssl`` as a bool (True = verify, pydantic-validated, so an SSLContext
cannot be passed) and aiohttp builds its verifying default context once, at import time, so ``SSL_CERT_FILE``
set later has no effect. The fixture therefore adds the simulator's generated CA to aiohttp's verifying
default context; certificate and host name verification stay on (``test_tls_is_verified`` shows that a client
without the CA is refused).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import ssl
import time
import urllib.error
import urllib.request

import aiohttp.connector
import pytest

import cterasdk
from cterasdk import core_types
from cterasdk.core.enum import Role
from cterasdk.core.query import FilterBuilder
from cterasdk.common.utils import parse_base_object_ref
from cterasdk.exceptions import CTERAException, ObjectNotFoundException
from cterasdk.exceptions.auth import AuthenticationError
from cterasdk.exceptions.session import SessionExpired
from cterasdk.exceptions.transport import (
    BadRequest, Conflict, Forbidden, InternalServerError, NotFound, ServiceUnavailable,
)

from simulators.harness import Simulators
from simulators.portal import SIM_MODES, PortalService

DEVICES = [("acme-filer-1", "acme", "https://127.0.0.1:9001", "vGateway", True),
           ("acme-filer-2", "acme", "https://127.0.0.1:9002", "C800", False),
           ("globex-filer-1", "globex", "https://127.0.0.1:9003", "vGateway", True)]


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("portal-sim"))
    # Devices are registered the way serve.py does it, before the server starts: the running server must load
    # them from the persisted state.
    seed = PortalService(os.path.join(state_dir, "portal.json"))
    for name, tenant, url, model, connected in DEVICES:
        seed.register_device(name, tenant, url, model=model, connected=connected)
    with Simulators(state_dir, portal=True) as running:
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
            cafile=running.info["portal"]["ca_path"])
        yield running


@pytest.fixture(scope="module")
def portal(sims):
    return sims.info["portal"]


@pytest.fixture(scope="module")
def address(portal):
    host_port = portal["url"].split("://", 1)[1]
    host, port = host_port.rsplit(":", 1)
    return host, int(port)


def _state(sims):
    return sims.state(sims.info["portal"])


def _stats(sims):
    return sims.stats(sims.info["portal"])


@contextlib.contextmanager
def sim_modes(sims, **modes):
    """Inside the block the simulator answers with ``modes`` (POST /_sim/portal); its defaults after it."""
    portal = sims.info["portal"]
    assert sims.sim_call(portal, "/_sim/portal", "POST", modes)["sim"].items() >= modes.items()
    try:
        yield
    finally:
        sims.sim_call(portal, "/_sim/portal", "POST", dict((key, modes[0]) for key, modes in SIM_MODES.items()))


@pytest.fixture()
def admin(portal, address):
    client = cterasdk.GlobalAdmin(*address)
    client.login(portal["username"], portal["password"])
    yield client
    try:
        client.logout()
    except Exception:  # pylint: disable=broad-except
        pass


def _raw(portal, method, path, body=None, headers=None):
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), timeout=10,
                                       context=ssl.create_default_context(cafile=portal["ca_path"]))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------------

def test_tls_is_verified(portal, address):
    with pytest.raises(urllib.error.URLError) as info:
        urllib.request.urlopen(portal["url"] + "/admin/public/publicInfo", timeout=10,
                               context=ssl.create_default_context())
    assert isinstance(info.value.reason, ssl.SSLCertVerificationError)
    info = cterasdk.GlobalAdmin(*address).test()
    assert info.version.count(".") >= 2
    assert info.name


def test_login_bootstrap_and_logout(sims, portal, address):
    before = _stats(sims)
    client = cterasdk.GlobalAdmin(*address)
    client.login(portal["username"], portal["password"])
    account = client.session().account
    assert account.name == "admin"
    assert account.tenant == "Administration"
    assert account.role.name == "ReadWriteAdmin"
    assert str(client.session().software_version).count(".") >= 2
    during = _stats(sims)
    assert during["logins"] == before["logins"] + 1
    assert during["active_sessions"] == before["active_sessions"] + 1
    client.logout()
    assert _stats(sims)["active_sessions"] == before["active_sessions"]


def test_bad_password_is_authentication_error(sims, portal, address):
    before = _stats(sims)["failed_logins"]
    with pytest.raises(AuthenticationError) as info:
        cterasdk.GlobalAdmin(*address).login(portal["username"], portal["password"] + "x")
    assert isinstance(info.value.__cause__, Forbidden)
    assert _stats(sims)["failed_logins"] == before + 1


def test_unauthenticated_call_redirects_to_login_page(portal):
    status, headers, body = _raw(portal, "GET", "/admin/api/currentSession")
    assert body == ""
    assert status == 302
    assert headers["Location"] == "/ServicesPortal/login.html"


def test_browse_tenant_and_back(admin):
    admin.portals.browse("acme")
    assert admin.session().account.tenant == "acme"
    assert admin.api.get("/currentPortal") == "acme"
    admin.users.list_local_users()  # tenant scoped collection works while browsing
    with pytest.raises(NotFound) as info:
        admin.portals.browse("no-such-tenant")
    assert "no-such-tenant" in info.value.reason
    assert admin.api.get("/currentPortal") == "acme"
    admin.portals.browse_global_admin()
    assert admin.session().account.tenant == "Administration"
    assert admin.api.get("/currentPortal") == ""
    with pytest.raises(BadRequest) as info:
        list(admin.users.list_local_users())
    assert "tenant" in info.value.reason


def test_tenant_is_per_http_session(portal, address, admin):
    admin.portals.browse("acme")
    other = cterasdk.GlobalAdmin(*address)
    other.login(portal["username"], portal["password"])
    try:
        other.portals.browse("globex")
        assert admin.api.get("/currentPortal") == "acme"
        assert other.api.get("/currentPortal") == "globex"
    finally:
        other.logout()


def test_add_and_list_tenants(sims, admin):
    ref = admin.portals.add("initech", display_name="Initech", company="Initech LLC")
    assert ref == "/portals/initech"
    names = [t.name for t in admin.portals.list_tenants(include=["displayName"])]
    assert names.count("initech") == 1 and {"acme", "globex"} <= set(names)
    assert admin.portals.get("initech", include=["companyName"]).companyName == "Initech LLC"
    with pytest.raises(Conflict):
        admin.portals.add("initech")
    assert _state(sims)["tenants"]["initech"]["displayName"] == "Initech"
    admin.portals.browse("initech")
    admin.users.add("ini", "ini@example.com", "Ini", "Tech", "Passw0rd!", Role.EndUser)
    assert "ini" in _state(sims)["tenants"]["initech"]["users"]
    assert "ini" not in _state(sims)["tenants"]["acme"]["users"]


def test_user_add_get_modify_delete(sims, admin):
    admin.portals.browse("acme")
    admin.users.add("alice", "alice@example.com", "Alice", "Wonder", "Secret1!pw", Role.EndUser,
                    company="Acme", comment="first", password_change=True)
    got = admin.users.get(core_types.UserAccount("alice"),
                          ["email", "firstName", "lastName", "role", "uid", "baseObjectRef", "company",
                           "requirePasswordChangeOn"])
    assert (got.name, got.email, got.firstName, got.lastName, got.role, got.company) == \
        ("alice", "alice@example.com", "Alice", "Wonder", "EndUser", "Acme")
    assert isinstance(got.uid, int)
    assert got.baseObjectRef == "objs/%d/acme/PortalUser/alice" % got.uid
    assert len(got.requirePasswordChangeOn) == 10
    full = admin.api.get("/users/alice")
    assert full.password is None and full._classname == "PortalUser"  # pylint: disable=protected-access
    stored = _state(sims)["tenants"]["acme"]["users"]["alice"]
    assert stored["email"] == "alice@example.com"
    assert "Secret1!pw" not in str(stored)

    admin.users.modify("alice", new_username="alice.w", email="aw@example.com", role=Role.ReadOnlyAdmin, comment="")
    users = _state(sims)["tenants"]["acme"]["users"]
    assert "alice" not in users
    assert users["alice.w"]["email"] == "aw@example.com"
    assert users["alice.w"]["role"] == "ReadOnlyAdmin"
    assert users["alice.w"]["uid"] == got.uid
    assert users["alice.w"]["password_hash"] == stored["password_hash"]  # null password = unchanged
    assert users["alice.w"]["company"] == "Acme" and users["alice.w"]["comment"] in ("", None)
    with pytest.raises(ObjectNotFoundException):
        admin.users.get(core_types.UserAccount("alice"))
    with pytest.raises(CTERAException) as info:
        admin.users.modify("nobody", email="x@example.com")
    assert isinstance(info.value.__cause__, NotFound)

    admin.users.delete(core_types.UserAccount("alice.w"))
    assert "alice.w" not in _state(sims)["tenants"]["acme"]["users"]
    with pytest.raises(ObjectNotFoundException):
        admin.users.get(core_types.UserAccount("alice.w"))
    with pytest.raises(NotFound):
        admin.users.delete(core_types.UserAccount("alice.w"))


def test_user_validation_errors(sims, admin):
    admin.portals.browse("acme")
    admin.users.add("bob", "bob@example.com", "Bob", "B", "Secret1!pw", Role.EndUser)
    cases = [
        (("bob", "bob2@example.com", "Bob", "B", "Secret1!pw", Role.EndUser), Conflict, "already exists"),
        (("carol", "carol@example.com", "C", "C", "Secret1!pw", "Emperor"), BadRequest, "role"),
        (("carol", "not-an-email", "C", "C", "Secret1!pw", Role.EndUser), BadRequest, "email"),
        (("", "carol@example.com", "C", "C", "Secret1!pw", Role.EndUser), BadRequest, "name"),
        (("carol", "carol@example.com", "C", "C", None, Role.EndUser), BadRequest, "Password"),
    ]
    for args, error, text in cases:
        with pytest.raises(error) as info:
            admin.users.add(*args)
        assert text in info.value.reason
    assert "carol" not in _state(sims)["tenants"]["acme"]["users"]
    param = cterasdk.common.Object(_classname="PortalUser", name="dave", email="dave@example.com", firstName="D",
                                   lastName="D", password="Secret1!pw", role="EndUser",
                                   requirePasswordChangeOn="31/12/2030")
    with pytest.raises(BadRequest) as info:
        admin.api.add("/users", param)
    assert "YYYY-MM-DD" in info.value.reason
    # The SDK's compliance officer role (Role.ComplianceOfficer == "ComplianceOffer") is accepted; the state keeps
    # every role under one name whatever the spelling mode (test_compliance_officer_role_spellings).
    admin.users.add("erin", "erin@example.com", "Erin", "E", "Secret1!pw", Role.ComplianceOfficer)
    assert _state(sims)["tenants"]["acme"]["users"]["erin"]["role"] == "ComplianceOfficer"
    with pytest.raises(CTERAException):
        admin.users.modify("erin", role="Emperor")
    assert _state(sims)["tenants"]["acme"]["users"]["erin"]["role"] == "ComplianceOfficer"


def test_list_130_users_paging_and_filters(sims, admin):
    admin.portals.browse("globex")
    for index in range(130):
        role = Role.ReadWriteAdmin if index % 10 == 0 else Role.EndUser
        admin.users.add("u%03d" % index, "u%03d@globex.example" % index, "U", str(index), "Secret1!pw", role)
    assert len(_state(sims)["tenants"]["globex"]["users"]) >= 130
    listed = [u.name for u in admin.users.list_local_users(include=["email", "role"])]
    expected = {"u%03d" % i for i in range(130)}
    assert sorted(n for n in listed if n in expected) == sorted(expected)
    assert len(listed) == len(set(listed)) == len(_state(sims)["tenants"]["globex"]["users"])

    like = [u.name for u in admin.users.list_local_users(filters=[FilterBuilder("name").like("u12")])]
    assert sorted(like) == ["u%03d" % i for i in range(120, 130)]
    admins = list(admin.users.list_local_users(include=["role"], filters=[FilterBuilder("role").eq("ReadWriteAdmin")]))
    assert sorted(u.name for u in admins) == ["u%03d" % i for i in range(0, 130, 10)]
    assert all(u.role == "ReadWriteAdmin" for u in admins)
    either = [u.name for u in admin.users.list_local_users(
        filters=[FilterBuilder("name").eq("u001"), FilterBuilder("email").eq("u002@globex.example")])]
    assert sorted(either) == ["u001", "u002"]  # two filters are OR-ed (orFilter=true)
    not_like = [u.name for u in admin.users.list_local_users(filters=[FilterBuilder("name").notLike("u0")])]
    assert len(not_like) == len([n for n in listed if "u0" not in n])


def test_apply_changes_waits_for_task(sims, admin):
    admin.portals.browse("acme")
    task = admin.users.apply_changes(wait=True)
    assert task.completed and task.end_time is not None
    assert task.tenant == _state(sims)["tenants"]["acme"]["uid"]
    admin.portals.browse_global_admin()
    task = admin.portals.apply_changes(wait=True)
    assert task.completed
    polled = [k for k in _stats(sims)["requests"] if "/bgTasks/" in k]
    assert polled, "outside a tenant the SDK polls GET /admin/api/servers/MainDB/bgTasks/N"
    state = _state(sims)
    assert str(task.id) in state["tasks"] and state["tasks"][str(task.id)]["endTime"]


def test_s3_credentials(sims, admin):
    admin.portals.browse("acme")
    admin.users.add("keyuser", "keyuser@example.com", "K", "U", "Secret1!pw", Role.ReadWriteAdmin)
    account = core_types.UserAccount("keyuser")
    uid = admin.users.get(account, ["uid"]).uid
    created = admin.users.credentials.s3.create(account)
    assert created.accessKey and created.secretKey
    listed = admin.users.credentials.s3.all(account)
    assert [k.accessKey for k in listed] == [created.accessKey]
    assert all(k.secretKey is None for k in listed)
    assert [k["accessKey"] for k in _state(sims)["api_keys"][str(uid)]] == [created.accessKey]
    second = admin.users.credentials.s3.create(account)
    admin.users.credentials.s3.delete(created.accessKey, account)
    assert [k.accessKey for k in admin.users.credentials.s3.all(account)] == [second.accessKey]
    assert admin.users.credentials.s3.delete("CTNOSUCHKEY", account) is None
    assert [k["accessKey"] for k in _state(sims)["api_keys"][str(uid)]] == [second.accessKey]


def test_groups_and_members(sims, admin):
    admin.portals.browse("acme")
    for name in ("gm1", "gm2", "gm3"):
        admin.users.add(name, name + "@example.com", "G", "M", "Secret1!pw", Role.EndUser)
    admin.groups.add("team", "the team", members=[core_types.UserAccount("gm1")])
    group = admin.groups.get(core_types.GroupAccount("team"), ["description", "baseObjectRef"])
    assert group.description == "the team"

    def ref(name):
        return admin.users.get(core_types.UserAccount(name), ["baseObjectRef"]).baseObjectRef

    assert admin.groups.get_members(core_types.GroupAccount("team")) == [ref("gm1")]
    admin.groups.add_members(core_types.GroupAccount("team"), [core_types.UserAccount("gm2"), core_types.UserAccount("gm3")])
    assert sorted(admin.groups.get_members(core_types.GroupAccount("team"))) == sorted(ref(n) for n in ("gm1", "gm2", "gm3"))
    admin.groups.remove_members(core_types.GroupAccount("team"), [core_types.UserAccount("gm1")])
    assert sorted(admin.groups.get_members(core_types.GroupAccount("team"))) == sorted([ref("gm2"), ref("gm3")])
    with pytest.raises(Conflict):
        admin.groups.add("team")
    assert [g.name for g in admin.groups.list_local_groups(filters=[FilterBuilder("name").eq("team")])] == ["team"]

    # Membership follows user renames and deletions.
    admin.users.modify("gm2", new_username="gm2-renamed")
    admin.users.delete(core_types.UserAccount("gm3"))
    assert admin.groups.get_members(core_types.GroupAccount("team")) == [ref("gm2-renamed")]
    members = _state(sims)["tenants"]["acme"]["groups"]["team"]["members"]
    assert members == [_state(sims)["tenants"]["acme"]["users"]["gm2-renamed"]["uid"]]

    admin.groups.modify("team", new_groupname="crew", description="renamed")
    assert "team" not in _state(sims)["tenants"]["acme"]["groups"]
    assert _state(sims)["tenants"]["acme"]["groups"]["crew"]["description"] == "renamed"
    assert admin.groups.get_members(core_types.GroupAccount("crew")) == [ref("gm2-renamed")]
    admin.groups.delete(core_types.GroupAccount("crew"))
    assert "crew" not in _state(sims)["tenants"]["acme"]["groups"]
    with pytest.raises(ObjectNotFoundException):
        admin.groups.get(core_types.GroupAccount("crew"))


def test_services_portal_tenant_admin(sims, portal, address, admin):
    # On 127.0.0.1 the Host header names no tenant, so the simulator serves the first tenant, "acme".
    admin.portals.browse("acme")
    admin.users.add("rwadmin", "rw@example.com", "R", "W", "Tenant1!pw", Role.ReadWriteAdmin)
    admin.users.add("roadmin", "ro@example.com", "R", "O", "Tenant1!pw", Role.ReadOnlyAdmin)
    tenant_admin = cterasdk.ServicesPortal(*address)
    tenant_admin.login("rwadmin", "Tenant1!pw")
    try:
        assert tenant_admin.session().account.tenant == "acme"
        assert tenant_admin.session().account.role.name == "ReadWriteAdmin"
        tenant_admin.users.add("viaportal", "vp@example.com", "V", "P", "Tenant1!pw", Role.EndUser)
        assert "viaportal" in _state(sims)["tenants"]["acme"]["users"]
        assert "viaportal" in [u.name for u in tenant_admin.users.list_local_users()]
        assert tenant_admin.users.apply_changes(wait=True).completed
    finally:
        tenant_admin.logout()
    read_only = cterasdk.ServicesPortal(*address)
    read_only.login("roadmin", "Tenant1!pw")
    try:
        assert read_only.users.get(core_types.UserAccount("viaportal"), ["email"]).email == "vp@example.com"
        with pytest.raises(Forbidden):
            read_only.users.add("blocked", "b@example.com", "B", "B", "Tenant1!pw", Role.EndUser)
        with pytest.raises(Forbidden):
            read_only.users.delete(core_types.UserAccount("viaportal"))
    finally:
        read_only.logout()
    assert "blocked" not in _state(sims)["tenants"]["acme"]["users"]
    assert "viaportal" in _state(sims)["tenants"]["acme"]["users"]
    with pytest.raises(AuthenticationError):
        cterasdk.ServicesPortal(*address).login("rwadmin", "wrong")
    with pytest.raises(AuthenticationError):
        cterasdk.ServicesPortal(*address).login("admin", portal["password"])  # global admin is no tenant user


def test_services_portal_tenant_from_host_header(portal, admin):
    admin.portals.browse("globex")
    admin.users.add("gxadmin", "gx@example.com", "G", "X", "Tenant1!pw", Role.ReadWriteAdmin)
    form = "j_username=gxadmin&j_password=Tenant1%21pw"
    form_type = "application/x-www-form-urlencoded"
    status, headers, body = _raw(portal, "POST", "/ServicesPortal/api/login", form,
                                 {"Host": "globex.portal.example", "Content-Type": form_type})
    assert (status, body) == (200, "<val>Login succeed</val>")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.startswith("JSESSIONID=") and "Path=/" in headers["Set-Cookie"]
    status, headers, body = _raw(portal, "GET", "/ServicesPortal/api/currentPortal",
                                 headers={"Host": "globex.portal.example", "Cookie": cookie})
    assert (status, body) == (200, "<val>globex</val>")
    # The same user does not exist in the tenant named by another host.
    status, headers, body = _raw(portal, "POST", "/ServicesPortal/api/login", form,
                                 {"Host": "acme.portal.example", "Content-Type": form_type})
    assert status == 403 and "Set-Cookie" not in headers


def test_session_expiry_then_second_login(sims, portal, address):
    client = cterasdk.GlobalAdmin(*address)
    client.login(portal["username"], portal["password"])
    client.portals.browse("acme")
    sims.faults(portal, {"expire_sessions": True})
    assert _stats(sims)["active_sessions"] == 0
    with pytest.raises(SessionExpired):
        list(client.users.list_local_users())
    with pytest.raises(SessionExpired):
        client.api.get("/currentSession")
    client.login(portal["username"], portal["password"])
    assert client.session().account.tenant == "Administration"  # a new session starts outside any tenant
    client.portals.browse("acme")
    assert len(list(client.users.list_local_users())) >= 1
    client.logout()


def test_idle_session_timeout(tmp_path):
    with Simulators(str(tmp_path), portal=True, extra_args=["--session-timeout", "1"]) as short:
        entry = short.info["portal"]
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=entry["ca_path"])  # pylint: disable=W0212
        host, port = entry["url"].split("://", 1)[1].rsplit(":", 1)
        client = cterasdk.GlobalAdmin(host, int(port))
        client.login(entry["username"], entry["password"])
        client.api.get("/currentSession")
        time.sleep(1.3)
        with pytest.raises(SessionExpired):
            client.api.get("/currentSession")
        client.login(entry["username"], entry["password"])
        assert client.api.get("/currentSession").username == "admin"
        client.logout()


def test_devices_inventory(sims, admin):
    filers = list(admin.devices.filers(include=["deviceConnectionStatus", "uid"], allPortals=True))
    by_name = {f.name: f for f in filers}
    assert set(by_name) >= {d[0] for d in DEVICES}
    for name, tenant, url, model, connected in DEVICES:
        filer = by_name[name]
        assert filer.deviceType == model
        assert filer.remoteAccessUrl == url
        assert filer.version == "7.11.1000.1"
        assert filer.portal.split("/")[-1] == tenant
        assert filer.deviceConnectionStatus.connected is connected
    admin.portals.browse("globex")
    assert [f.name for f in admin.devices.filers()] == ["globex-filer-1"]
    one = admin.devices.device("acme-filer-2", tenant="acme")
    assert one.deviceType == "C800" and one.remoteAccessUrl == "https://127.0.0.1:9002"
    with pytest.raises(ObjectNotFoundException):
        admin.devices.device("ghost", tenant="acme")
    assert [f.name for f in admin.devices.by_name(["globex-filer-1"])] == ["globex-filer-1"]
    assert {d["name"] for d in _state(sims)["tenants"]["acme"]["devices"].values()} >= {"acme-filer-1", "acme-filer-2"}


def test_end_user_self_service_s3_keys(sims, address, admin):
    admin.portals.browse("acme")
    admin.users.add("enduser", "eu@example.com", "E", "U", "Tenant1!pw", Role.EndUser)
    admin.users.add("neighbour", "nb@example.com", "N", "B", "Tenant1!pw", Role.EndUser)
    user = cterasdk.ServicesPortal(*address)
    user.login("enduser", "Tenant1!pw")
    try:
        assert user.session().account.role.name == "EndUser"
        key = user.credentials.s3.create()
        assert [k.accessKey for k in user.credentials.s3.all()] == [key.accessKey]
        with pytest.raises(Forbidden):
            list(user.users.list_local_users())
        with pytest.raises(Forbidden):
            user.users.get(core_types.UserAccount("neighbour"))
        with pytest.raises(Forbidden):
            user.users.add("sneaky", "s@example.com", "S", "S", "Tenant1!pw", Role.ReadWriteAdmin)
    finally:
        user.logout()
    uid = _state(sims)["tenants"]["acme"]["users"]["enduser"]["uid"]
    assert [k["accessKey"] for k in _state(sims)["api_keys"][str(uid)]] == [key.accessKey]
    assert "sneaky" not in _state(sims)["tenants"]["acme"]["users"]


def test_restart_and_reset_keep_credentials_and_devices(tmp_path):
    seed = PortalService(os.path.join(str(tmp_path), "portal.json"))
    seed.register_device("keep-filer", "globex", "https://127.0.0.1:9100")
    password = seed.credentials()["password"]
    with Simulators(str(tmp_path), portal=True) as first:
        entry = first.info["portal"]
        assert entry["password"] == password
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=entry["ca_path"])  # pylint: disable=W0212
        host, port = entry["url"].split("://", 1)[1].rsplit(":", 1)
        client = cterasdk.GlobalAdmin(host, int(port))
        client.login(entry["username"], password)
        client.portals.browse("acme")
        client.users.add("persisted", "p@example.com", "P", "P", "Secret1!pw", Role.EndUser)
        client.logout()
    with Simulators(str(tmp_path), portal=True) as second:
        entry = second.info["portal"]
        assert entry["password"] == password
        host, port = entry["url"].split("://", 1)[1].rsplit(":", 1)
        client = cterasdk.GlobalAdmin(host, int(port))
        client.login(entry["username"], password)
        client.portals.browse("acme")
        assert client.users.get(core_types.UserAccount("persisted"), ["email"]).email == "p@example.com"
        client.logout()
        second.reset(entry)
        state = second.state(entry)
        assert state["tenants"]["acme"]["users"] == {}
        assert set(state["tenants"]) == {"acme", "globex"}
        assert "keep-filer" in state["tenants"]["globex"]["devices"]
        client = cterasdk.GlobalAdmin(host, int(port))
        client.login(entry["username"], password)
        assert [f.name for f in client.devices.filers(allPortals=True)] == ["keep-filer"]
        client.logout()


def test_delete_and_undelete_tenant(sims, admin):
    admin.portals.add("umbrella")
    admin.portals.delete("umbrella")
    assert "umbrella" not in [t.name for t in admin.portals.list_tenants()]
    assert "umbrella" in [t.name for t in admin.portals.tenants(include_deleted=True)]
    with pytest.raises(NotFound):
        admin.portals.browse("umbrella")
    admin.portals.undelete("umbrella")
    assert "umbrella" in [t.name for t in admin.portals.tenants()]
    admin.portals.browse("umbrella")
    assert _state(sims)["tenants"]["umbrella"]["deleted"] is False


def test_injected_fault_maps_to_sdk_error(sims, portal, admin):
    sims.faults(portal, {"errors": [{"status": 503, "count": 1, "path": "/admin/api/currentPortal", "method": "GET"}]})
    with pytest.raises(ServiceUnavailable) as info:
        admin.api.get("/currentPortal")
    assert info.value.reason == "Service Unavailable"
    assert admin.api.get("/currentPortal") == ""  # the plan held one error only


# -- answers no vendor source pins down: the evidence's answer by default, the other plausible ones as modes ------

def test_get_multi_of_a_missing_user_or_group_is_a_null_name(sims, admin):
    admin.portals.browse("acme")
    raw = admin.api.get_multi("/users/ghost", ["/baseObjectRef", "/name"])
    assert raw.name is None and raw.baseObjectRef is None
    with pytest.raises(ObjectNotFoundException):
        admin.users.get(core_types.UserAccount("ghost"), ["baseObjectRef"])
    with pytest.raises(ObjectNotFoundException):
        admin.groups.get(core_types.GroupAccount("ghost"))
    with sim_modes(sims, missing_get_multi="not_found"):
        with pytest.raises(NotFound):
            admin.users.get(core_types.UserAccount("ghost"))
        with pytest.raises(NotFound):
            admin.groups.get(core_types.GroupAccount("ghost"))
    assert admin.api.get_multi("/localGroups/ghost", ["/name"]).name is None


@pytest.mark.parametrize("mode, error", [("not_found", NotFound), ("bad_request", BadRequest),
                                         ("server_error", InternalServerError), ("empty", None)])
def test_full_get_of_a_missing_user_or_group_in_each_mode(sims, admin, mode, error):
    admin.portals.browse("acme")
    admin.users.add("present-" + mode, "p@example.com", "P", "P", "Secret1!pw", Role.EndUser)
    with sim_modes(sims, missing_get=mode):
        for path in ("/users/ghost", "/localGroups/ghost"):
            if error is None:
                assert admin.api.get(path) in (None, "")
            else:
                with pytest.raises(error):
                    admin.api.get(path)
        # The SDK's own existence check never depends on it, and an existing user reads as ever.
        with pytest.raises(ObjectNotFoundException):
            admin.users.get(core_types.UserAccount("ghost"))
        assert admin.api.get("/users/present-" + mode).name == "present-" + mode


def test_user_add_answer_and_whole_user_reference_modes(sims, admin):
    admin.portals.browse("acme")
    answer = admin.users.add("refd", "refd@example.com", "R", "D", "Secret1!pw", Role.EndUser)
    uid = _state(sims)["tenants"]["acme"]["users"]["refd"]["uid"]
    assert answer == "objs/%d/acme/PortalUser/refd" % uid
    assert admin.api.get("/users/refd").baseObjectRef == answer
    with sim_modes(sims, user_add_answer="none", user_get_ref="omitted"):
        assert admin.users.add("refless", "rl@example.com", "R", "L", "Secret1!pw", Role.EndUser) in (None, "")
        assert not hasattr(admin.api.get("/users/refless"), "baseObjectRef")
        ref = admin.users.get(core_types.UserAccount("refless"), ["baseObjectRef"]).baseObjectRef
        assert parse_base_object_ref(ref).name == "refless"
        # The SDK reads member references with get-multi, so groups work in this mode too.
        admin.groups.add("refgroup", members=[core_types.UserAccount("refless"), core_types.UserAccount("refd")])
        assert sorted(admin.groups.get_members(core_types.GroupAccount("refgroup"))) == sorted([ref, answer])
    state = _state(sims)["tenants"]["acme"]
    assert sorted(state["groups"]["refgroup"]["members"]) == sorted([uid, state["users"]["refless"]["uid"]])


def test_compliance_officer_role_spellings(sims, portal, address, admin):
    assert Role.ComplianceOfficer == "ComplianceOffer"
    admin.portals.browse("acme")
    # Default: the portal knows the role by the SDK's name, sent and answered, and no other.
    admin.users.add("cco", "cco@example.com", "C", "O", "Tenant1!pw", Role.ComplianceOfficer)
    assert admin.users.get(core_types.UserAccount("cco"), ["role"]).role == "ComplianceOffer"
    assert _state(sims)["tenants"]["acme"]["users"]["cco"]["role"] == "ComplianceOfficer"
    admin.users.modify("cco", comment="whole object PUT back with its role")
    with pytest.raises(BadRequest) as info:
        admin.users.add("cco2", "cco2@example.com", "C", "O", "Tenant1!pw", "ComplianceOfficer")
    assert "ComplianceOffer" in info.value.reason
    officer = cterasdk.ServicesPortal(*address)
    officer.login("cco", "Tenant1!pw")
    try:
        assert officer.session().account.role.name == Role.ComplianceOfficer  # what the SDK matches (enum.py)
        assert officer.users.get(core_types.UserAccount("cco"), ["email"]).email == "cco@example.com"
        with pytest.raises(Forbidden):
            officer.users.add("nope", "n@example.com", "N", "O", "Tenant1!pw", Role.EndUser)
    finally:
        officer.logout()
    # The other plausible portal: answers ComplianceOfficer and takes either name.
    with sim_modes(sims, compliance_role="ComplianceOfficer"):
        assert admin.users.get(core_types.UserAccount("cco"), ["role"]).role == "ComplianceOfficer"
        admin.users.add("cco2", "cco2@example.com", "C", "O", "Tenant1!pw", "ComplianceOfficer")
        admin.users.add("cco3", "cco3@example.com", "C", "O", "Tenant1!pw", Role.ComplianceOfficer)
        listed = admin.users.list_local_users(include=["role"], filters=[FilterBuilder("role").eq("ComplianceOfficer")])
        assert {"cco", "cco2", "cco3"} <= set(u.name for u in listed)
    users = _state(sims)["tenants"]["acme"]["users"]
    assert [users[n]["role"] for n in ("cco", "cco2", "cco3")] == ["ComplianceOfficer"] * 3


def test_every_tenant_has_a_plan_the_sdk_reads(sims, admin):
    plans = dict((plan.uid, plan) for plan in admin.plans.list_plans(["uid", "baseObjectRef", "storage", "services"]))
    assert [plan.name for plan in plans.values()] == ["Default"]
    default = admin.plans.get("Default", ["uid", "baseObjectRef", "retentionPolicy", "storage", "vGateways4"])
    assert isinstance(default.uid, int) and default.uid in plans
    assert int(parse_base_object_ref(default.baseObjectRef).uid) == default.uid
    assert default.retentionPolicy.daily >= 1 and default.storage.amount > 0 and default.vGateways4.amount == 0
    assert [plan.name for plan in admin.plans.by_name(["Default", "Platinum"])] == ["Default"]
    assert {s.serviceName for s in plans[default.uid].services} >= {"Cloud folders", "Cloud Backup"}
    assert admin.api.get("/plans/Default").name == "Default"  # the whole plan, as plans.modify reads it
    with pytest.raises(ObjectNotFoundException):
        admin.plans.get("Platinum")
    admin.portals.add("hooli", plan="Default")  # the SDK sends the plan's baseObjectRef
    admin.portals.add("piedpiper")  # no plan given: the portal's default plan
    admin.portals.subscribe("acme", "Default")
    with pytest.raises(NotFound):
        admin.portals.subscribe("acme", "Platinum")
    # Every tenant, also a deleted one, names its plan by reference, as cli/export.py maps it (by uid).
    admin.portals.delete("piedpiper")
    tenants = [t for deleted in (False, True) for t in admin.portals.tenants(include_deleted=deleted)]
    assert {"acme", "globex", "hooli", "piedpiper"} <= set(t.name for t in tenants)
    for tenant in tenants:
        assert plans[int(parse_base_object_ref(tenant.plan).uid)].name == "Default"
    assert admin.portals.get("hooli", include=["plan"]).plan == default.baseObjectRef
    assert _state(sims)["tenants"]["hooli"]["plan"] == "Default"
    admin.portals.browse("acme")  # plans are global objects, also read while browsing a tenant
    assert admin.plans.get("Default").name == "Default"
