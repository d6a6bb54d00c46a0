# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""edge_portal_connection through ansible-playbook, checked through both simulators' own state (the filer's
connection and license, the portal's devices of each tenant).

The two portal accounts the filer connects as, and an activation code for the second, are made beforehand with
cterasdk (the vendor's client), so the playbook holds only the tasks under test and the reads of the filer's state:
every other task would cost a module process of its own in module mode."""

import json

import pytest

from integration_support import edge_env, playbook_path, run_playbook
from simulators.harness import Simulators

PW, PW2 = "Connect-Passw0rd-1", "Connect-Passw0rd-2"


@pytest.fixture(scope="module")
def linked(tmp_path_factory, execution_mode):
    """A portal and two filers of their own (this test adds users and moves devices between tenants)."""
    with Simulators(str(tmp_path_factory.mktemp("portal-conn-" + execution_mode)), portal=True, edges=2,
                    extra_args=["--edge-tenants", "acme"]) as running:
        yield running


def _connect_accounts(portal):
    """The two globex accounts the filer connects as, added with cterasdk; returns an activation code for the
    second (``GET /ssoActivation``, as the SDK's ``activation.generate_code`` asks for it)."""
    import aiohttp.connector  # pylint: disable=import-outside-toplevel
    import cterasdk  # pylint: disable=import-outside-toplevel
    from cterasdk.core.enum import Role  # pylint: disable=import-outside-toplevel
    # cterasdk verifies TLS with aiohttp's default context; trust the simulator's CA there (verification stays on).
    aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=portal["ca_path"])  # pylint: disable=protected-access
    host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
    admin = cterasdk.GlobalAdmin(host, int(port))
    admin.login(portal["username"], portal["password"])
    try:
        admin.portals.browse("globex")
        admin.users.add("filer-connect", "filer-connect@globex.example", "Filer", "Connect", PW, Role.ReadWriteAdmin)
        admin.users.add("filer-connect-2", "filer-connect-2@globex.example", "Filer", "Two", PW2, Role.ReadWriteAdmin)
        return admin.activation.generate_code("filer-connect-2", "globex")
    finally:
        admin.logout()


def _devices(sims, tenant):
    return sorted(sims.state(sims.info["portal"])["tenants"][tenant]["devices"])


def test_connect_disconnect_force_and_failures(linked):
    sims = linked
    edge = sims.info["edges"][0]
    server = sims.info["portal"]["url"].split("://", 1)[1]
    assert _devices(sims, "acme") == ["edge-001", "edge-002"]
    code = _connect_accounts(sims.info["portal"])
    assert {"filer-connect", "filer-connect-2"} <= set(sims.state(sims.info["portal"])["tenants"]["globex"]["users"])
    run = run_playbook(playbook_path("edge_portal_connection.yml"), env=edge_env(sims, 0), verbosity=3,
                       extra_vars=dict(server=server, ca=edge["ca_path"], pw=PW, pw2=PW2, code=code))
    assert run.rc == 0, run.stdout[-4000:]

    def failure(task):
        records = [r for r in run.tasks if r["task"] == task]
        assert records and records[-1]["status"] == "failed", task
        return records[-1]["result"]["msg"]
    assert "without a scheme" in failure("Server with a scheme")
    assert "mutually exclusive" in failure("Password and code together")
    message = failure("Other server without force")
    assert "force: true" in message and "portal.filefleet.test" in message and "edge-admin" in message

    predicted = run.result("Predict disconnect")
    assert predicted["changed"] is True
    assert predicted["portal_connection"] == {"state": "disconnected", "server": None, "portal_user": None,
                                              "license": "EV16"}
    assert predicted["diff"] == {"before": {"portal_user": "edge-admin", "server": "portal.filefleet.test",
                                            "state": "connected"},
                                 "after": {"portal_user": None, "server": None, "state": "disconnected"}}
    assert run.result("State after predict")["ansible_facts"]["after_predict"]["portal"]["connected"] is True
    disconnected = run.result("Disconnect")
    assert disconnected["changed"] is True and disconnected["diff"] == predicted["diff"]
    assert disconnected["portal_connection"] == predicted["portal_connection"]
    assert run.result("Disconnect again")["changed"] is False
    assert "edge-001" not in _devices(sims, "acme")

    assert "Wrong user name or password" in failure("Wrong password") and "is Disconnected" in failure("Wrong password")
    untrusted = failure("Untrusted certificate")
    assert "trust_certificate" in untrusted and "portal_ca_path" in untrusted
    assert "cannot open a TCP connection to no-such-portal.example" in failure("Unknown server")

    predicted = run.result("Predict connect")
    expected = {"state": "connected", "server": server, "portal_user": "filer-connect", "license": "EV32"}
    assert predicted["changed"] is True and predicted["portal_connection"] == expected
    assert predicted["diff"] == {"before": {"license": "EV16", "portal_user": None, "server": None,
                                            "state": "disconnected"},
                                 "after": {"license": "EV32", "portal_user": "filer-connect", "server": server,
                                           "state": "connected"}}
    state = run.result("State after predict connect")["ansible_facts"]["after_predict_connect"]
    assert state["config"]["services"] is None and state["config"]["device"]["activeLicenseType"] == "vGateway"
    connected = run.result("Connect")
    assert connected["changed"] is True and connected["portal_connection"] == expected
    assert connected["diff"] == predicted["diff"]
    again = run.result("Connect again without a password")
    assert again["changed"] is False and again["portal_connection"] == expected
    portal = run.result("Info")["edge"]["portal"]
    assert portal["connected"] is True and portal["server"] == server and portal["user"] == "filer-connect"
    assert portal["license"] == "EV32"

    # The failed forced reconnect dropped the old connection on the filer; the module connected it again.
    message = failure("Forced reconnect with a wrong password")
    assert "Wrong user name or password" in message and "still connected to %s as filer-connect" % server in message
    assert run.result("Connection after the failed reconnect")["edge"]["portal"]["user"] == "filer-connect"

    moved = run.result("Forced reconnect with an activation code")
    assert moved["changed"] is True and moved["portal_connection"]["portal_user"] == "filer-connect-2"
    assert moved["diff"] == {"before": {"portal_user": "filer-connect"}, "after": {"portal_user": "filer-connect-2"}}

    # Independent readers: the filer's own state and the portal's devices.
    state = sims.state(edge)
    assert state["config"]["services"] == {"_classname": "ServicesSettings", "server": server,
                                           "user": "filer-connect-2", "trustCertificate": True}
    assert state["config"]["device"]["activeLicenseType"] == "vGateway32"
    assert _devices(sims, "globex") == ["edge-001"] and _devices(sims, "acme") == ["edge-002"]
    # Secrets: in no result, no diff, not at -vvv.
    output = run.output()
    for secret in (PW, PW2, code):
        assert secret not in output
    for task in ("Predict connect", "Connect", "Forced reconnect with an activation code"):
        assert set(run.result(task)) - {"changed", "portal_connection", "diff", "invocation", "_ansible_no_log",
                                        "warnings", "deprecations"} == set(), run.result(task).keys()
    assert json.dumps(run.result("Connect")["portal_connection"]).count(PW) == 0
