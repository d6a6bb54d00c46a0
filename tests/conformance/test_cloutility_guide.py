# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Cloutility simulator judged by a client we did not write: the vendor guide's example program.

The "Full Python Example Program" of the Cloutility REST API guide is read from the guide at test time, only its
four constants and ``CLOUTILITY_API_URL`` are replaced, and it runs in a subprocess with ``requests`` trusting the
simulator's CA through ``REQUESTS_CA_BUNDLE`` (verification stays on). Its output must be the guide's output.
The other tests drive the wire protocol with plain ``requests`` and check the simulator's state through
``GET /_sim/state``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
import requests

from simulators.harness import Simulators

# The vendor guide sits in ../shared beside the repository (as on the developers' machines and in CI).
GUIDE = os.environ.get("FILEFLEET_CLOUTILITY_GUIDE", os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
    "shared", "reference", "cloutility-rest-api-guide.md"))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_PYTHON = os.path.join(REPO_ROOT, ".venv", "bin", "python")
SHORT_LIFETIME = 1
STOCKHOLM = 101
OSLO = 102


def _guide_text():
    if not os.path.exists(GUIDE):
        pytest.skip("the Cloutility REST API guide is not at %s (set FILEFLEET_CLOUTILITY_GUIDE)" % GUIDE)
    with open(GUIDE, "r", encoding="utf-8") as handle:
        return handle.read()


def _guide_program_and_output():
    text = _guide_text()
    section = text.split("### Full Python Example Program", 1)[1]
    program = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    after = section.split("The output should be something like:", 1)[1]
    output = re.search(r"```\n(.*?)```", after, re.S).group(1)
    return program, output.strip().splitlines()


def _configure(program, username, password, client_id, origin, api_url):
    """Replace exactly the five assignment lines the guide tells its reader to set."""
    values = {"USERNAME": username, "PASSWORD": password, "CLIENT_ID": client_id, "CLIENT_ORIGIN": origin,
              "CLOUTILITY_API_URL": api_url}
    for name, value in values.items():
        pattern = re.compile(r"^%s = \"[^\"]*\"$" % name, re.M)
        assert len(pattern.findall(program)) == 1, "the guide's program no longer assigns %s once" % name
        program = pattern.sub(lambda _m, n=name, v=value: "%s = %r" % (n, v), program)
    return program


def _run_program(program, ca_path, tmp_path):
    script = tmp_path / "guide_example.py"
    script.write_text(program, encoding="utf-8")
    env = dict(os.environ, REQUESTS_CA_BUNDLE=ca_path)
    python = VENV_PYTHON if os.path.exists(VENV_PYTHON) else sys.executable
    return subprocess.run([python, str(script)], capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("cloutility")), cloutility=True) as running:
        yield running


@pytest.fixture(scope="module")
def short_sims(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("cloutility-short")), cloutility=True,
                    extra_args=["--token-lifetime", str(SHORT_LIFETIME)]) as running:
        yield running


class Api:
    """Plain ``requests`` against one simulator, verifying TLS against its CA."""

    def __init__(self, sims_obj):
        self.sims = sims_obj
        self.entry = sims_obj.info["cloutility"]
        self.url = self.entry["url"]
        self.ca = self.entry["ca_path"]
        self.origin = self.entry["origin"]
        self.token = None
        self.refresh_token = None

    def oauth(self, data, origin=True):
        headers = {"Origin": self.origin if origin is True else origin} if origin else {}
        return requests.post(self.url + "/v1/oauth", data=data, headers=headers, verify=self.ca, timeout=10)

    def password_grant(self, password=None):
        return self.oauth({"client_id": self.entry["client_id"], "grant_type": "password",
                           "username": self.entry["username"], "password": password or self.entry["password"]})

    def login(self):
        response = self.password_grant()
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        self.refresh_token = response.json()["refresh_token"]
        return response.json()

    def refresh(self):
        return self.oauth({"client_id": self.entry["client_id"], "grant_type": "refresh_token",
                           "refresh_token": self.refresh_token})

    def call(self, method, path, origin=True, token=True, **kwargs):
        headers = {}
        if origin:
            headers["Origin"] = self.origin if origin is True else origin
        if token:
            headers["Authorization"] = "Bearer " + (self.token if token is True else token)
        return requests.request(method, self.url + path, headers=headers, verify=self.ca, timeout=10, **kwargs)

    def ok(self, method, path, status=200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, "%s %s: %s %s" % (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def state(self):
        return self.sims.state(self.entry)


@pytest.fixture
def api(sims):
    sims.reset(sims.info["cloutility"])
    client = Api(sims)
    client.login()
    return client


def _assert_error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "developerMessage", "status"}, body
    assert body["status"] == status and body["message"] and body["developerMessage"]
    return body


# -- the vendor's example program ------------------------------------------------------------------------------

def test_guide_example_program_prints_the_guides_output(sims, tmp_path):
    entry = sims.info["cloutility"]
    sims.reset(entry)
    program, expected = _guide_program_and_output()
    assert expected == ["Got access token! Expires in 299 seconds.", "API call successful!",
                        "API full version is: 1.0.4480.0", "Refreshed access token. Expires in 299 seconds."]
    configured = _configure(program, entry["username"], entry["password"], entry["client_id"], entry["origin"],
                            entry["url"] + "/v1/")
    result = _run_program(configured, entry["ca_path"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == expected
    stats = sims.stats(entry)
    assert stats["logins"] == 2 and stats["failed_logins"] == 0
    assert stats["requests"]["POST /v1/oauth"] == 2 and stats["requests"]["GET /v1/fullVersion"] == 1
    state = sims.state(entry)
    assert len(state["refreshTokens"]) == 1 and len(state["accessTokens"]) == 2


def test_guide_example_program_fails_with_an_unregistered_origin(sims, tmp_path):
    entry = sims.info["cloutility"]
    sims.reset(entry)
    program, _expected = _guide_program_and_output()
    configured = _configure(program, entry["username"], entry["password"], entry["client_id"],
                            "https://elsewhere.example", entry["url"] + "/v1/")
    result = _run_program(configured, entry["ca_path"], tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["Authentication failed."]
    assert sims.stats(entry)["failed_logins"] == 1


# -- tokens -----------------------------------------------------------------------------------------------------

def test_access_token_expires_and_refresh_token_renews_it(short_sims):
    short_sims.reset(short_sims.info["cloutility"])
    client = Api(short_sims)
    grant = client.login()
    assert grant["expires_in"] == SHORT_LIFETIME and grant["token_type"] == "bearer"
    assert client.ok("GET", "/v1/fullVersion") == "1.0.4480.0"
    time.sleep(SHORT_LIFETIME + 0.5)
    expired = client.call("GET", "/v1/fullVersion")
    assert _assert_error(expired, 401)["developerMessage"] == "The access token has expired."
    assert expired.headers.get("WWW-Authenticate") == "Bearer"
    assert short_sims.stats(client.entry)["active_sessions"] == 0
    refreshed = client.refresh()
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert body["refresh_token"] == client.refresh_token and body["access_token"] != client.token
    assert body["expires_in"] == SHORT_LIFETIME
    client.token = body["access_token"]
    assert client.ok("GET", "/v1/fullVersion") == "1.0.4480.0"
    assert short_sims.stats(client.entry)["logins"] == 2


def test_expired_sessions_fault_keeps_refresh_tokens(sims, api):
    assert sims.stats(api.entry)["active_sessions"] == 1
    sims.faults(api.entry, {"expire_sessions": True})
    assert sims.stats(api.entry)["active_sessions"] == 0
    _assert_error(api.call("GET", "/v1/me"), 401)
    refreshed = api.refresh()
    assert refreshed.status_code == 200, refreshed.text
    api.token = refreshed.json()["access_token"]
    me = api.ok("GET", "/v1/me")
    assert me["name"] == api.entry["username"] and me["businessUnit"]["name"] == "Company AB"


def test_missing_or_unknown_token_is_refused(api):
    assert _assert_error(api.call("GET", "/v1/fullVersion", token=False), 401)["code"] == "Unauthorized"
    _assert_error(api.call("GET", "/v1/fullVersion", token="not-a-token"), 401)
    bad_refresh = api.oauth({"client_id": api.entry["client_id"], "grant_type": "refresh_token", "refresh_token": "x"})
    assert bad_refresh.status_code == 400 and bad_refresh.json()["error"] == "invalid_grant"


def test_origin_is_required_on_every_call(api):
    missing = api.oauth({"client_id": api.entry["client_id"], "grant_type": "password",
                         "username": api.entry["username"], "password": api.entry["password"]}, origin=False)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_client"
    wrong = api.oauth({"client_id": api.entry["client_id"], "grant_type": "password",
                       "username": api.entry["username"], "password": api.entry["password"]},
                      origin="https://elsewhere.example")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"
    assert _assert_error(api.call("GET", "/v1/fullVersion", origin=False), 403)["code"] == "OriginNotAllowed"
    _assert_error(api.call("GET", "/v1/fullVersion", origin="https://elsewhere.example"), 403)
    unknown_client = api.oauth({"client_id": "00000000-0000-0000-0000-000000000000", "grant_type": "password",
                                "username": api.entry["username"], "password": api.entry["password"]})
    assert unknown_client.status_code == 400 and unknown_client.json()["error"] == "invalid_client"
    assert api.sims.stats(api.entry)["logins"] == 1


def test_lockout_after_five_consecutive_bad_passwords(sims, api):
    for _attempt in range(4):
        bad = api.password_grant("wrong-password")
        assert bad.status_code == 400
        assert bad.json() == {"error": "invalid_grant", "error_description": "The user name or password is incorrect."}
    assert api.state()["user"]["failedLoginAttempts"] == 4
    api.login()  # a success resets the counter
    assert api.state()["user"]["failedLoginAttempts"] == 0
    for _attempt in range(5):
        assert api.password_grant("wrong-password").status_code == 400
    user = api.state()["user"]
    assert user["locked"] is True and user["failedLoginAttempts"] == 5
    right = api.password_grant()
    assert right.status_code == 400 and right.json()["error"] == "invalid_grant"
    assert "locked" in right.json()["error_description"]
    refused = api.refresh()
    assert refused.status_code == 400 and "locked" in refused.json()["error_description"]
    stats = sims.stats(api.entry)
    assert stats["logins"] == 2 and stats["failed_logins"] == 11
    sims.reset(api.entry)
    assert api.state()["user"]["locked"] is False
    api.login()


# -- business units and catalogues ------------------------------------------------------------------------------

def test_business_unit_tree_and_catalogues(api):
    tree = api.ok("GET", "/v1/bunits")
    assert tree["name"] == "Company AB" and "parentId" not in tree
    children = {b["name"]: b for b in tree["businessUnits"]}
    assert {"Marketing Department", "HR Department", "Stockholm Office", "Oslo Office"} <= set(children)
    assert all(b["parentId"] == tree["id"] for b in children.values())
    sub = api.ok("GET", "/v1/bunits?BUNITID=%d" % STOCKHOLM)
    assert sub["name"] == "Stockholm Office" and sub["businessUnits"] == []
    listed = api.ok("GET", "/v1/bunits/%d/bunits" % tree["id"])
    assert listed["total"] == len(listed["items"]) == len(children)
    host = api.url.split("://", 1)[1]
    assert listed["href"] == "https://%s/v1/bunits/%d/bunits" % (host, tree["id"])
    domains = api.ok("GET", "/v1/bunits/%d/defaultserver/domains" % OSLO)
    assert {d["name"] for d in domains["items"]} == {"30DAYS", "60DAYS", "90DAYS", "180DAYS", "1YEAR", "2YEAR",
                                                     "STANDARD"}
    option_sets = api.ok("GET", "/v1/bunits/%d/defaultserver/clientoptionsets" % OSLO)
    assert {o["name"] for o in option_sets["items"]} == {"DEDUP_AND_COMPRESS", "FORCE_ENCRYPT", "None"}
    systems = {o["name"]: o for o in api.ok("GET", "/v1/nodeoperatingsystems")["items"]}
    assert set(systems) == {"Linux", "Windows", "macOS"}
    assert [t["name"] for t in systems["macOS"]["supportedNodeTypes"]] == ["Workstation"]
    types = {t["name"] for t in api.ok("GET", "/v1/nodetypes")["items"]}
    assert types == {"File Server", "Workstation", "Application server"}
    _assert_error(api.call("GET", "/v1/bunits/99999"), 404)
    _assert_error(api.call("GET", "/v1/bunits/%d" % api.state()["bunits"][str(tree["id"])]["parentId"]), 403)


# -- consumers ----------------------------------------------------------------------------------------------------

def test_consumer_crud_envelope_and_audit_log(api):
    first = api.ok("POST", "/v1/bunits/%d/consumers" % STOCKHOLM, json={"Name": "Reception PC"})
    second = api.ok("POST", "/v1/bunits/%d/consumers" % STOCKHOLM, json={"name": "Reception PC"})
    assert first["id"] != second["id"] and first["name"] == second["name"] == "Reception PC"
    assert first["businessUnit"]["id"] == STOCKHOLM and first["dataSourceState"]["name"] == "New"
    for key in ("href", "dataSourceType", "billingStartDate", "limitHighStorage", "allowNoActivity", "tags",
                "createdDate"):
        assert key in first
    listing = api.ok("GET", "/v1/bunits/%d/consumers" % STOCKHOLM)
    assert set(listing) >= {"href", "total", "offset", "first", "items"}
    assert listing["total"] == 2 and listing["offset"] == 0
    assert sorted(i["id"] for i in listing["items"]) == sorted([first["id"], second["id"]])
    assert all("businessUnit" not in i for i in listing["items"])
    assert listing["items"][0]["href"] == api.url + "/v1/bunits/%d/consumers/%d" % (STOCKHOLM, first["id"])
    _assert_error(api.call("POST", "/v1/bunits/%d/consumers" % STOCKHOLM, json={"note": "no name"}), 400)

    path = "/v1/bunits/%d/consumers/%d" % (STOCKHOLM, first["id"])
    updated = api.ok("PUT", path, json={"name": "Reception PC 1", "note": "front desk", "allowNoActivity": True})
    assert updated["note"] == "front desk" and updated["allowNoActivity"] is True
    replaced = api.ok("PUT", path, json={"Name": "Reception PC 1"})
    assert "note" not in replaced and replaced["allowNoActivity"] is False
    assert replaced["billingStartDate"] == first["billingStartDate"]
    _assert_error(api.call("PUT", path, json={"note": "x"}), 400)
    stored = api.state()["consumers"][str(first["id"])]
    assert stored["name"] == "Reception PC 1" and stored["note"] is None

    logs = api.ok("GET", path + "/auditlogs")
    assert [e["type"] for e in logs["items"]] == [200, 200, 100]
    creates = api.ok("GET", path + "/auditlogs?types=100")
    assert creates["total"] == 1 and creates["items"][0]["type"] == 100
    page = api.ok("GET", path + "/auditlogs?limit=1&offset=1&orderDesc=false")
    assert page["total"] == 3 and page["offset"] == 1 and [e["type"] for e in page["items"]] == [200]

    response = api.call("DELETE", path + "?deleteAssociations=false&deletionComment=moved%20out")
    assert response.status_code == 204, response.text
    _assert_error(api.call("GET", path), 404)
    state = api.state()
    assert str(first["id"]) not in state["consumers"] and str(second["id"]) in state["consumers"]
    deleted = [e for e in state["auditLogs"] if e["consumerId"] == first["id"] and e["type"] == 300]
    assert len(deleted) == 1 and "moved out" in deleted[0]["message"]
    _assert_error(api.call("GET", "/v1/bunits/%d/consumers/%d" % (OSLO, second["id"])), 404)


# -- backup nodes -----------------------------------------------------------------------------------------------

def _new_node(api, bunit, name, os_id=3, type_id=1):
    consumer = api.ok("POST", "/v1/bunits/%d/consumers" % bunit, json={"Name": name})
    node = api.ok("POST", "/v1/bunits/%d/consumers/%d/node" % (bunit, consumer["id"]), json={
        "OperatingSystem": {"ID": os_id}, "Type": {"ID": type_id}, "Domain": {"ID": 1},
        "ClientOptionSet": {"ID": 2}, "contact": "it@companyab.example", "CpuCount": 2})
    return consumer, node


def test_node_create_and_activation_name_rules(api):
    consumer = api.ok("POST", "/v1/bunits/%d/consumers" % STOCKHOLM, json={"Name": "Stockholm FS01"})
    node_path = "/v1/bunits/%d/consumers/%d/node" % (STOCKHOLM, consumer["id"])
    assert _assert_error(api.call("GET", node_path), 404)["code"] == "NotFound"
    _assert_error(api.call("POST", node_path, json={"operatingSystem": {"id": 3}, "type": {"id": 1},
                                                    "domain": {"id": 999}}), 400)
    _assert_error(api.call("POST", node_path, json={"operatingSystem": {"id": 4}, "type": {"id": 1},
                                                    "domain": {"id": 1}}), 400)
    node = api.ok("POST", node_path, json={"OperatingSystem": {"ID": 3}, "Type": {"ID": 1}, "Domain": {"ID": 1},
                                           "ClientOptionSet": {"ID": 2}, "contact": "it", "CpuCount": 2})
    assert node["domain"]["name"] == "STANDARD" and node["server"]["id"] == node["domain"]["server"]["id"]
    assert "tsmName" not in node and "tsmPassword" not in node and node["dataSourceState"]["name"] == "Pending"
    _assert_error(api.call("POST", node_path, json={"operatingSystem": {"id": 3}, "type": {"id": 1},
                                                    "domain": {"id": 1}}), 409)
    assert api.ok("GET", node_path + "/spname") == "STOCKHOLM_FS01"

    for bad in ("bad name", "x" * 65, "åsa", "a/b"):
        assert api.call("GET", node_path + "/activate", params={"tsmName": bad}).status_code == 400, bad
    taken = api.call("GET", node_path + "/activate", params={"tsmName": "jennysws"})
    assert _assert_error(taken, 409)["code"] == "NodeNameTaken"
    assert api.ok("GET", node_path + "/activate", params={"tsmName": "stockholm-fs01+a&b"}) == "STOCKHOLM-FS01+A&B"

    activated = api.ok("GET", node_path)
    assert activated["tsmName"] == "STOCKHOLM-FS01+A&B" and activated["activatedDate"]
    assert activated["tsmNodeId"] and len(activated["tsmPassword"]) >= 8
    assert activated["dataSourceState"]["name"] == "Active"
    files = api.ok("GET", node_path + "/filespaces?tsmSync=true")
    assert files["total"] == len(files["items"]) > 0
    # No backup can have ended before the node was activated (right after activation: none yet).
    assert all(f["lastBackupEnd"] is None or f["lastBackupEnd"] >= activated["activatedDate"] for f in files["items"])
    assert activated.get("lastAccessTime") is None or activated["lastAccessTime"] >= activated["activatedDate"]
    assert api.ok("GET", node_path + "/activate", params={"tsmName": "Stockholm-FS01+a&B"}) == "STOCKHOLM-FS01+A&B"
    _assert_error(api.call("GET", node_path + "/activate", params={"tsmName": "OTHER"}), 409)

    other, _node = _new_node(api, OSLO, "Oslo FS01")
    other_path = "/v1/bunits/%d/consumers/%d/node" % (OSLO, other["id"])
    _assert_error(api.call("GET", other_path + "/activate", params={"tsmName": "stockholm-FS01+A&b"}), 409)
    state = api.state()
    assert state["consumers"][str(consumer["id"])]["node"]["tsmName"] == "STOCKHOLM-FS01+A&B"
    assert "tsmName" not in state["consumers"][str(other["id"])]["node"]

    edited = api.ok("PUT", node_path, json={"operatingSystem": {"id": 3}, "type": {"id": 3}, "domain": {"id": 6},
                                            "contact": "ops"})
    assert edited["domain"]["name"] == "1YEAR" and edited["type"]["name"] == "Application server"
    assert "clientOptionSet" not in edited and edited["cpuCount"] == 1 and edited["tsmName"] == "STOCKHOLM-FS01+A&B"
    _assert_error(api.call("PUT", node_path, json={"operatingSystem": {"id": 3}, "type": {"id": 1},
                                                   "domain": {"id": 1}, "server": {"id": 99}}), 400)
    changed = api.ok("POST", node_path + "/password", json={"tsmPassword": "N3w-Passw0rd"})
    assert changed["tsmPassword"] == "N3w-Passw0rd"
    _assert_error(api.call("POST", node_path + "/password", json={"tsmPassword": "short"}), 400)


def test_proxy_relations_stay_consistent_and_node_delete_removes_consumer(api):
    agent, _node = _new_node(api, STOCKHOLM, "Backup proxy")
    target, _node = _new_node(api, STOCKHOLM, "File server")
    agent_path = "/v1/bunits/%d/consumers/%d" % (STOCKHOLM, agent["id"])
    target_path = "/v1/bunits/%d/consumers/%d" % (STOCKHOLM, target["id"])
    _assert_error(api.call("POST", target_path + "/node/proxyagents?proxyAgentId=%d" % agent["id"]), 400)
    api.ok("GET", agent_path + "/node/activate", params={"tsmName": "STHLM-PROXY"})
    api.ok("GET", target_path + "/node/activate", params={"tsmName": "STHLM-FS"})
    possible = api.ok("GET", target_path + "/node/possibleproxynodes")
    assert agent["id"] in [n["consumerId"] for n in possible["items"]]

    node = api.ok("POST", target_path + "/node/proxyagents?proxyAgentId=%d" % agent["id"])
    assert [n["tsmName"] for n in node["proxyAgents"]] == ["STHLM-PROXY"]
    assert [n["tsmName"] for n in api.ok("GET", agent_path + "/node")["proxyTargets"]] == ["STHLM-FS"]
    assert api.call("DELETE", agent_path + "/node/proxytargets/%d" % target["id"]).status_code == 204
    state = api.state()["consumers"]
    assert state[str(agent["id"])]["node"]["proxyTargets"] == [] and state[str(target["id"])]["node"]["proxyAgents"] == []
    _assert_error(api.call("DELETE", target_path + "/node/proxyagents/%d" % agent["id"]), 404)

    api.ok("POST", agent_path + "/node/proxytargets?proxyTargetId=%d" % target["id"])
    deleted = api.ok("DELETE", agent_path + "/node?deleteAssociations=true")
    assert deleted["tsmName"] == "STHLM-PROXY"
    _assert_error(api.call("GET", agent_path), 404)
    state = api.state()
    assert str(agent["id"]) not in state["consumers"]
    assert state["consumers"][str(target["id"])]["node"]["proxyAgents"] == []
    assert [n["tsmName"] for n in state["spServer"]["deletedNodes"]] == ["STHLM-PROXY"]
    reuse, _node = _new_node(api, OSLO, "New proxy")
    assert api.ok("GET", "/v1/bunits/%d/consumers/%d/node/activate" % (OSLO, reuse["id"]),
                  params={"tsmName": "sthlm-proxy"}) == "STHLM-PROXY"


def test_consumer_posted_with_an_existing_id_moves_between_business_units(api):
    created = api.ok("POST", "/v1/bunits/%d/consumers" % STOCKHOLM, json={"name": "Travelling laptop"})
    moved = api.ok("POST", "/v1/bunits/%d/consumers" % OSLO, json={"id": created["id"], "name": "Travelling laptop"})
    assert moved["id"] == created["id"] and moved["businessUnit"]["id"] == OSLO
    assert api.state()["consumers"][str(created["id"])]["bunitId"] == OSLO
    assert api.ok("GET", "/v1/bunits/%d/consumers" % STOCKHOLM)["total"] == 0
    _assert_error(api.call("GET", "/v1/bunits/%d/consumers/%d" % (STOCKHOLM, created["id"])), 404)


def test_restart_keeps_objects_credentials_and_sessions(tmp_path):
    state_dir = str(tmp_path / "restart")
    with Simulators(state_dir, cloutility=True) as first:
        client = Api(first)
        client.login()
        consumer = client.ok("POST", "/v1/bunits/%d/consumers" % OSLO, json={"name": "Survivor"})
        token, entry = client.token, client.entry
    with Simulators(state_dir, cloutility=True) as second:
        again = Api(second)
        assert {k: again.entry[k] for k in ("username", "password", "client_id", "origin")} == \
            {k: entry[k] for k in ("username", "password", "client_id", "origin")}
        again.token = token
        assert again.ok("GET", "/v1/bunits/%d/consumers/%d" % (OSLO, consumer["id"]))["name"] == "Survivor"


def test_plain_http_hrefs_use_the_request_scheme_and_host(tmp_path):
    with Simulators(str(tmp_path / "plain"), cloutility=True, plain_http=True) as plain:
        client = Api(plain)
        assert client.url.startswith("http://")
        client.login()
        listing = client.ok("GET", "/v1/bunits/%d/consumers" % STOCKHOLM)
        assert listing["href"] == client.url + "/v1/bunits/%d/consumers" % STOCKHOLM
        headers = {"Origin": client.origin, "Authorization": "Bearer " + client.token, "Host": "backup.example:8080"}
        other = requests.get(client.url + "/v1/bunits/%d" % OSLO, headers=headers, timeout=10)
        assert other.json()["href"] == "http://backup.example:8080/v1/bunits/%d" % OSLO
