# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The official CTERA SDK (cterasdk 2.20.50), unchanged, connecting Edge Filer simulators to the Portal simulator.

``services.connect`` (user and password), ``services.activate`` (an activation code the portal issued through the
SDK's ``activation.generate_code``), ``services.disconnect``, ``services.get_status``/``connected`` and
``licenses.apply``/``get``, checked through the SDK, through both simulators' own state (``GET /_sim/state``) and
through the portal's device list as the SDK's ``devices`` reads it.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from simulators.harness import Simulators

cterasdk = pytest.importorskip("cterasdk")

# pylint: disable=wrong-import-position,wrong-import-order
import aiohttp.connector  # noqa: E402
import cterasdk.settings  # noqa: E402
from cterasdk import Edge, GlobalAdmin  # noqa: E402
from cterasdk.core.enum import Role  # noqa: E402
from cterasdk.exceptions import CTERAException, InputError  # noqa: E402

PASSWORD = "Connect-Passw0rd!"


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("edge-portal-sdk")), portal=True, edges=2,
                    extra_args=["--edge-tenants", "acme"]) as running:
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
            cafile=running.info["portal"]["ca_path"])
        yield running


def _address(url):
    split = urllib.parse.urlsplit(url)
    return split.hostname, split.port


@pytest.fixture(scope="module")
def admin(sims):
    client = GlobalAdmin(*_address(sims.info["portal"]["url"]))
    client.login(sims.info["portal"]["username"], sims.info["portal"]["password"])
    client.portals.browse("globex")
    client.users.add("filer-connect", "filer-connect@globex.example", "Filer", "Connect", PASSWORD,
                     Role.ReadWriteAdmin)
    client.portals.browse_global_admin()
    yield client
    client.logout()


@pytest.fixture
def filer(sims):
    opened = []

    def _open(index):
        entry = sims.info["edges"][index]
        sims.reset(entry)
        edge = Edge(*_address(entry["url"]))
        edge.login(entry["username"], entry["password"])
        opened.append(edge)
        return edge, entry
    yield _open
    for edge in opened:
        edge.logout()


@pytest.fixture(autouse=True)
def trust_portal_certificates():
    """The simulated portal's certificate is signed by a CA the filer does not know: the SDK then asks (its default
    'prompt'); False makes it trust the certificate, as an administrator answering yes does."""
    before = cterasdk.settings.edge.syn.services.ssl
    cterasdk.settings.edge.syn.services.ssl = False
    yield
    cterasdk.settings.edge.syn.services.ssl = before


def _server(sims):
    return sims.info["portal"]["url"].split("://", 1)[1]


def _devices(admin, tenant):
    admin.portals.browse(tenant)
    try:
        return {device.name: device for device in admin.devices.filers(include=["name", "deviceConnectionStatus"])}
    finally:
        admin.portals.browse_global_admin()


def test_connect_registers_in_the_users_tenant_and_disconnect_unregisters(sims, admin, filer):
    edge, entry = filer(1)
    assert edge.services.connected() is True  # started connected (to a portal outside the simulators)
    assert entry["name"] in _devices(admin, "acme")
    edge.services.disconnect()
    assert edge.services.connected() is False
    assert entry["name"] not in _devices(admin, "acme")

    edge.services.connect(_server(sims), "filer-connect", PASSWORD, ctera_license="EV32")
    status = edge.services.get_status()
    assert status.connected is True and status.user == "filer-connect" and status.server_address == _server(sims)
    assert edge.licenses.get() == "EV32"
    state = sims.state(entry)
    assert state["config"]["services"] == {"_classname": "ServicesSettings", "server": _server(sims),
                                           "user": "filer-connect", "trustCertificate": True}
    assert state["config"]["device"]["activeLicenseType"] == "vGateway32"
    assert PASSWORD not in json.dumps(state)
    devices = _devices(admin, "globex")
    assert devices[entry["name"]].deviceConnectionStatus.connected is True
    assert entry["name"] not in _devices(admin, "acme")
    portal_state = sims.state(sims.info["portal"])
    assert entry["name"] in portal_state["tenants"]["globex"]["devices"]

    edge.services.disconnect()
    assert edge.services.get_status().connected is False
    assert sims.state(entry)["config"]["services"] is None
    assert entry["name"] not in _devices(admin, "globex")


def test_wrong_password_or_untrusted_certificate_leaves_the_filer_as_it_was(sims, admin, filer):
    edge, entry = filer(1)
    edge.services.disconnect()
    with pytest.raises(CTERAException):  # the task fails and the filer stays Disconnected: the SDK's tracker gives up
        edge.services.connect(_server(sims), "filer-connect", PASSWORD + "x")
    assert edge.services.connected() is False
    tasks = sims.state(entry)["tasks"]
    assert tasks[-1]["end"] == "failed" and tasks[-1]["description"] == "Wrong user name or password"
    assert sims.state(entry)["config"]["services"] is None
    assert entry["name"] not in _devices(admin, "globex")

    cterasdk.settings.edge.syn.services.ssl = True  # never trust: the attach is sent untrusted and fails
    untrusting = Edge(*_address(entry["url"]))  # a new client: the SDK remembers a certificate it trusted
    untrusting.login(entry["username"], entry["password"])
    with pytest.raises(CTERAException):
        untrusting.services.connect(_server(sims), "filer-connect", PASSWORD)
    untrusting.logout()
    assert sims.state(entry)["tasks"][-1]["description"] == "The certificate of %s is not trusted" % _server(sims)
    cterasdk.settings.edge.syn.services.ssl = False

    with pytest.raises(ConnectionError):  # no TCP connection to an unknown server (the port 995 check)
        edge.services.connect("no-such-portal.example", "filer-connect", PASSWORD)
    with pytest.raises(InputError):
        edge.services.connect(_server(sims), "filer-connect", PASSWORD, ctera_license="EV3")
    assert sims.state(entry)["config"]["services"] is None


def test_failed_connect_of_a_connected_filer_keeps_the_old_connection(sims, admin, filer):
    """The SDK waits for the attach task but does not read how it ended, and then tracks the connection state:
    a filer still connected to its old portal looks like a success to it. The old connection is what stays."""
    edge, entry = filer(1)
    before = sims.state(entry)["config"]["services"]
    edge.services.connect(_server(sims), "filer-connect", PASSWORD + "x")  # returns: Connected (to the old portal)
    assert sims.state(entry)["tasks"][-1]["end"] == "failed"
    assert edge.services.get_status().user == before["user"]
    assert sims.state(entry)["config"]["services"] == before
    assert entry["name"] in _devices(admin, "acme") and entry["name"] not in _devices(admin, "globex")

    sims.sim_call(entry, "/_sim/edge", "POST", {"failed_attach": "drops"})  # a filer that drops the old one meanwhile
    with pytest.raises(CTERAException):
        edge.services.connect(_server(sims), "filer-connect", PASSWORD + "x")
    assert edge.services.connected() is False and sims.state(entry)["config"]["services"] == before
    edge.services.reconnect()
    assert edge.services.get_status().user == before["user"]


def test_activate_with_a_code_the_portal_issued(sims, admin, filer):
    edge, entry = filer(0)
    edge.services.disconnect()
    admin.portals.browse("globex")
    code = admin.activation.generate_code("filer-connect", "globex")
    admin.portals.browse_global_admin()
    # activate() sends trustCertificate only for a server this client trusted before: its connection check (what
    # connect() runs first) is where the certificate is trusted.
    edge.services._check_connection(_server(sims))  # pylint: disable=protected-access
    with pytest.raises(CTERAException):
        edge.services.activate(_server(sims), "filer-connect", "0000-0000-0000-0000")
    assert edge.services.connected() is False
    edge.services.activate(_server(sims), "filer-connect", code, ctera_license="EV8")
    assert edge.services.get_status().user == "filer-connect"
    assert sims.state(entry)["config"]["device"]["activeLicenseType"] == "vGateway8"
    assert entry["name"] in _devices(admin, "globex")
    assert code not in json.dumps(sims.state(entry))


def test_licenses_as_the_sdk_knows_them(filer):
    edge, entry = filer(0)
    for name, wire in (("EV4", "vGateway4"), ("EV16", "vGateway"), ("EV128", "vGateway128")):
        edge.licenses.apply(name)
        assert sims_license(entry, edge) == (name, wire)


def sims_license(entry, edge):
    del entry
    return edge.licenses.get(), edge.api.get("/config/device/activeLicenseType")
