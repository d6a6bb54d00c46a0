# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secure TLS default, per API family, at module level: a module run against the TLS simulators with no CA
fails and names ca_path and validate_certs; it succeeds with ca_path, and with validate_certs=false."""

import os

import pytest

from integration_support import run_playbook

PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "tls_default.yml")
TASKS = ("Portal without a CA", "Edge Filer without a CA", "Cloutility without a CA")
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "CTERA_CA_PATH",
                "CLOUTILITY_CA_PATH", "CTERA_VALIDATE_CERTS", "CLOUTILITY_VALIDATE_CERTS")


@pytest.fixture()
def no_ca_in_environment(monkeypatch):
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def tls_run(sims, **extra):
    variables = {"portal": sims.info["portal"], "edge": sims.info["edges"][0], "cloutility": sims.info["cloutility"],
                 "business_unit": "Company AB/Stockholm Office", "ca_given": False}
    variables.update(extra)
    run = run_playbook(PLAYBOOK, extra_vars=variables)
    assert run.rc == 0, run.stdout + run.stderr
    return [run.result(task) for task in TASKS]


def test_without_a_ca_every_family_refuses_the_server(sims, no_ca_in_environment):
    for result in tls_run(sims):
        # failed_when: false keeps the play going; the module's own answer is the error and nothing else.
        assert result.get("failed_when_result") is False and "msg" in result, result
        assert "users" not in result and "edge" not in result and "consumers" not in result, result
        assert "TLS verification failed" in result["msg"], result["msg"]
        assert "ca_path" in result["msg"] and "validate_certs=false" in result["msg"], result["msg"]


def test_with_ca_path_every_family_connects(sims, no_ca_in_environment):
    portal, edge, cloutility = tls_run(sims, ca_given=True)
    for result in (portal, edge, cloutility):
        assert "msg" not in result, result
    assert isinstance(portal["users"], list)
    assert edge["edge"]["hostname"] == sims.info["edges"][0]["name"]
    assert cloutility["business_unit"]["name"] == "Stockholm Office"


def test_with_validate_certs_false_every_family_connects(sims, no_ca_in_environment):
    for result, key in zip(tls_run(sims, validate_certs=False), ("users", "edge", "consumers")):
        assert "msg" not in result and key in result, result
