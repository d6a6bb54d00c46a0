# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""filefleet.office.ctera_portal inventory plugin, run through ``ansible-inventory`` against the Portal simulator.

The expected hosts come from the simulator's own state (GET /_sim/state), not from the plugin.
"""

import json
import os
import subprocess

import pytest

from simulators.harness import Simulators

from integration_support import BIN, COLLECTIONS, _ensure_collection_link

# The inventory plugin runs in ansible-inventory, never as a module: the execution mode does not apply.
pytestmark = pytest.mark.one_mode("an inventory plugin, not a module: the execution mode does not apply")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    state = str(tmp_path_factory.mktemp("inv-sims"))
    sims = Simulators(state, portal=True, edges=4, extra_args=["--edge-tenants", "acme,globex"])
    sims.start()
    yield sims
    sims.stop()


def _inventory(sims, tmp_path, config, env_extra=None, args=("--list",)):
    _ensure_collection_link()
    path = tmp_path / "fleet.ctera_portal.yml"
    path.write_text(config)
    portal = sims.info["portal"]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               CTERA_PORTAL_URL=portal["url"], CTERA_PORTAL_USERNAME=portal["username"],
               CTERA_PORTAL_PASSWORD=portal["password"], CTERA_CA_PATH=portal["ca_path"], ANSIBLE_NOCOLOR="1")
    env.update(env_extra or {})
    proc = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path)] + list(args),
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120, check=False)
    return proc


def _plain(value):
    """ansible-inventory marks values that came from a remote source as unsafe: ``{"__ansible_unsafe": v}``."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _listing(proc):
    assert proc.returncode == 0, proc.stderr
    return _plain(json.loads(proc.stdout))


def _devices_in_state(sims):
    state = sims.state(sims.info["portal"])
    found = {}
    for tenant, record in state["tenants"].items():
        for device in (record.get("devices") or {}).values():
            found[device["name"]] = dict(device, tenant=tenant)
    return found


def test_every_registered_filer_becomes_a_host(fleet, tmp_path):
    proc = _inventory(fleet, tmp_path, "plugin: filefleet.office.ctera_portal\n")
    data = _listing(proc)
    expected = _devices_in_state(fleet)
    assert len(expected) == 4
    hostvars = data["_meta"]["hostvars"]
    assert set(hostvars) == set(expected)
    for name, device in expected.items():
        assert hostvars[name]["ctera_url"] == device["url"]
        assert hostvars[name]["ctera_tenant"] == device["tenant"]
        assert hostvars[name]["ctera_model"] == device["deviceType"]
        assert hostvars[name]["ctera_status"] == ("connected" if device["connected"] else "disconnected")
        assert hostvars[name]["ansible_connection"] == "local"
    for tenant in ("acme", "globex"):
        members = {n for n, d in expected.items() if d["tenant"] == tenant}
        assert set(data["ctera_tenant_%s" % tenant]["hosts"]) == members
    assert set(data["ctera_status_connected"]["hosts"]) == set(expected)
    # The password never lands in the inventory.
    assert fleet.info["portal"]["password"] not in proc.stdout + proc.stderr


def test_constructed_options_and_tenant_filter(fleet, tmp_path):
    config = (
        "plugin: filefleet.office.ctera_portal\n"
        "tenants: [GLOBEX]\n"
        "compose:\n  edge_url: ctera_url\n"
        "keyed_groups:\n  - key: ctera_model\n    prefix: model\n"
        "groups:\n  old_firmware: ctera_version is version('7.12', '<')\n"
    )
    proc = _inventory(fleet, tmp_path, config)
    data = _listing(proc)
    expected = {n: d for n, d in _devices_in_state(fleet).items() if d["tenant"] == "globex"}
    hostvars = data["_meta"]["hostvars"]
    assert set(hostvars) == set(expected)
    for name, device in expected.items():
        assert hostvars[name]["edge_url"] == device["url"]
    models = {d["deviceType"] for d in expected.values()}
    for model in models:
        assert set(data["model_%s" % model]["hosts"]) == {n for n, d in expected.items() if d["deviceType"] == model}
    old = {n for n, d in expected.items() if tuple(int(p) for p in d["version"].split(".")[:2]) < (7, 12)}
    assert set(data.get("old_firmware", {}).get("hosts", [])) == old
    assert "ctera_tenant_acme" not in data


def test_cache_serves_the_list_without_the_portal(fleet, tmp_path):
    cache_dir = tmp_path / "cache"
    config = ("plugin: filefleet.office.ctera_portal\ncache: true\ncache_plugin: ansible.builtin.jsonfile\n"
              "cache_connection: %s\ncache_timeout: 3600\n" % cache_dir)
    first = _inventory(fleet, tmp_path, config)
    assert first.returncode == 0, first.stderr
    assert any(cache_dir.iterdir())
    cached_text = "".join(p.read_text() for p in cache_dir.iterdir())
    assert fleet.info["portal"]["password"] not in cached_text
    logins_before = fleet.stats(fleet.info["portal"])["logins"]
    # An unreachable portal URL proves the second run reads the cache instead of the portal.
    second = _inventory(fleet, tmp_path, config, env_extra={"CTERA_PORTAL_URL": "https://127.0.0.1:9"})
    hosts = _listing(second)["_meta"]["hostvars"]
    assert set(hosts) == set(_devices_in_state(fleet))
    first_hosts = _listing(first)["_meta"]["hostvars"]
    for name, hostvars in hosts.items():
        # ctera_portal_url is the configured URL (changed on purpose here); every other value comes from the cache.
        assert {k: v for k, v in hostvars.items() if k != "ctera_portal_url"} == \
            {k: v for k, v in first_hosts[name].items() if k != "ctera_portal_url"}
    assert fleet.stats(fleet.info["portal"])["logins"] == logins_before


def test_wrong_password_fails_without_echoing_it(fleet, tmp_path):
    proc = _inventory(fleet, tmp_path, "plugin: filefleet.office.ctera_portal\n",
                      env_extra={"CTERA_PORTAL_PASSWORD": "Wrong-Secret-123"}, args=("--list", "-vvv"))
    output = proc.stdout + proc.stderr
    assert "Portal login refused" in output
    assert "Wrong-Secret-123" not in output


def test_device_types_and_connected_only(fleet, tmp_path):
    expected = _devices_in_state(fleet)
    model = sorted(d["deviceType"] for d in expected.values())[0]
    data = _listing(_inventory(fleet, tmp_path, "plugin: filefleet.office.ctera_portal\ndevice_types: [%s]\n"
                                                "connected_only: true\n" % model.lower()))
    assert set(data["_meta"]["hostvars"]) == {n for n, d in expected.items() if d["deviceType"] == model and d["connected"]}


def test_office_leader_is_the_first_filer_of_each_office(fleet, tmp_path):
    expected = _devices_in_state(fleet)
    hostvars = _listing(_inventory(fleet, tmp_path, "plugin: filefleet.office.ctera_portal\n"))["_meta"]["hostvars"]
    for name, device in expected.items():
        same_tenant = sorted(n for n, d in expected.items() if d["tenant"] == device["tenant"])
        assert hostvars[name]["office_leader"] == same_tenant[0]
    # Offices keyed by a composed variable: every filer is its own office here; an empty key sets nothing.
    composed = _listing(_inventory(fleet, tmp_path, "plugin: filefleet.office.ctera_portal\n"
                                                    "compose:\n  site: ctera_name\noffice_leader_key: site\n"))
    assert dict((n, v["office_leader"]) for n, v in composed["_meta"]["hostvars"].items()) == dict((n, n) for n in expected)
    unset = _listing(_inventory(fleet, tmp_path, "plugin: filefleet.office.ctera_portal\noffice_leader_key: ''\n"))
    assert not any("office_leader" in v for v in unset["_meta"]["hostvars"].values())
