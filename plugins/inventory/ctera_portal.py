# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
name: ctera_portal
short_description: CTERA Edge Filers registered on a CTERA Portal as inventory hosts
version_added: 0.1.0
description:
  - Lists the Edge Filers (gateways) registered on a CTERA Portal and makes each one an inventory host, so a
    fleet is driven from the portal's own list instead of a hand-kept file.
  - Each host gets the variables C(ctera_url) (the filer's remote access URL), C(ctera_tenant), C(ctera_model),
    C(ctera_status) (V(connected) or V(disconnected)), C(ctera_version), C(ctera_uid) and C(ctera_portal_url).
  - Hosts are put in the groups C(ctera_tenant_<tenant>) and C(ctera_status_<status>) (names sanitised for
    Ansible), and in any group built with the O(compose), O(groups) and O(keyed_groups) options.
  - The configuration file name must end in C(ctera_portal.yml) or C(ctera_portal.yaml).
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: Token that ensures this is a source file for this plugin.
    type: str
    required: true
    choices: [filefleet.office.ctera_portal]
  portal_url:
    description:
      - Base URL of the CTERA Portal, for example C(https://portal.example.com). A global administrator sees the
        filers of every tenant; a URL ending in C(/ServicesPortal) signs in as a tenant administrator, who sees
        the filers of that tenant only.
    type: str
    required: true
    env:
      - name: CTERA_PORTAL_URL
  portal_username:
    description: User name to sign in with.
    type: str
    required: true
    env:
      - name: CTERA_PORTAL_USERNAME
  portal_password:
    description: Password of O(portal_username). Never written to the inventory or its cache.
    type: str
    required: true
    env:
      - name: CTERA_PORTAL_PASSWORD
  validate_certs:
    description: Whether to verify the portal's TLS certificate. Only set to V(false) on a lab system.
    type: bool
    default: true
    env:
      - name: CTERA_VALIDATE_CERTS
  ca_path:
    description: Path of a PEM bundle of the certificate authorities to trust instead of the system store.
    type: path
    env:
      - name: CTERA_CA_PATH
  timeout:
    description: Seconds to wait for the portal to answer one request.
    type: int
    default: 30
  tenants:
    description: Only list the filers of these tenants (case-insensitive). All tenants the user can see when empty.
    type: list
    elements: str
    default: []
  device_types:
    description:
      - Only list devices of these types (models), for example V([C400, C800, vGateway]), compared case-insensitively.
      - When empty, every device that is not a CTERA agent (C(Server Agent), C(Workstation Agent)) is listed.
    type: list
    elements: str
    default: []
  connected_only:
    description: Leave out filers the portal reports as disconnected.
    type: bool
    default: false
  office_leader_key:
    description:
      - Host variable (set by this plugin or by O(compose)) whose value names a filer's office. Every host gets the
        variable C(office_leader), the name of the first host (sorted by name) with the same value of that
        variable, so the roles of this collection do an office's office-wide work once however the inventory is
        sliced (C(--limit), AWX job slicing).
      - The default makes each tenant one office. Set it to a variable composed from the device (for example from
        C(ctera_comment)) when a tenant holds several offices, or to an empty string to set C(office_leader) in
        your own group variables instead (a host variable of this plugin would override them).
    type: str
    default: ctera_tenant
  local_connection:
    description:
      - Set C(ansible_connection=local) and C(ansible_python_interpreter={{ ansible_playbook_python }}) on every
        host. The collection's modules talk to the filers' HTTP APIs from the controller, so this is what a play
        over these hosts needs (a module that runs as an ordinary module then uses the controller's Python, which
        has the collection's requirements). Set V(false) to manage connection variables yourself.
    type: bool
    default: true
notes:
  - A filer name that exists in two tenants gives hosts named C(<name>@<tenant>) for both, with a warning.
  - With O(cache=true) the device list (never the password) is cached with the configured cache plugin.
requirements:
  - requests
  - defusedxml
'''

EXAMPLES = r'''
# inventories/portal.ctera_portal.yml  (ansible-inventory -i inventories/portal.ctera_portal.yml --graph)
plugin: filefleet.office.ctera_portal
portal_url: https://portal.example.com
portal_username: inventory-reader
# portal_password from the environment: CTERA_PORTAL_PASSWORD
tenants: [stockholm, oslo]
connected_only: false
keyed_groups:
  - key: ctera_model
    prefix: model
compose:
  edge_url: ctera_url
groups:
  outdated: ctera_version is version('7.11', '<')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/filefleet-inventory
cache_timeout: 600
'''

import re
import traceback

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

try:
    from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
    from ansible_collections.filefleet.office.plugins.module_utils._portal import PortalSession
    from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import HAS_DEFUSEDXML
    from ansible_collections.filefleet.office.plugins.module_utils._http import HAS_REQUESTS
    IMPORT_ERROR = None
except ImportError:  # pragma: no cover
    HAS_DEFUSEDXML = HAS_REQUESTS = False
    IMPORT_ERROR = traceback.format_exc()

DEVICE_FIELDS = ["name", "portal", "deviceType", "version", "remoteAccessUrl", "uid", "comment",
                 "deviceConnectionStatus", "deviceReportedStatus"]
GROUP_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def tenant_of(device):
    """The tenant name of a device: its ``portal`` attribute is the tenant's object reference (``objs/N/t/...``)."""
    portal = device.get("portal")
    if isinstance(portal, dict):
        return portal.get("name")
    if isinstance(portal, str) and portal:
        return portal.rstrip("/").split("/")[-1]
    return None


def connected(device):
    status = device.get("deviceConnectionStatus")
    if isinstance(status, dict) and status.get("connected") is not None:
        return str(status.get("connected")).lower() == "true"
    reported = device.get("deviceReportedStatus")
    try:
        return str(reported["status"]["device"]["deviceReportedStatus"]).lower() == "connected"
    except (KeyError, TypeError):
        return False


def group_name(prefix, value):
    return "%s_%s" % (prefix, GROUP_UNSAFE.sub("_", str(value)).lower())


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "filefleet.office.ctera_portal"

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        return path.endswith(("ctera_portal.yml", "ctera_portal.yaml"))

    def _fetch(self):
        if IMPORT_ERROR or not HAS_REQUESTS or not HAS_DEFUSEDXML:
            raise AnsibleError("The filefleet.office.ctera_portal inventory needs the Python libraries requests and "
                               "defusedxml on the controller: %s" % (IMPORT_ERROR or "import failed"))
        session = PortalSession(self.get_option("portal_url"), self.get_option("portal_username"),
                                self.get_option("portal_password"), validate_certs=self.get_option("validate_certs"),
                                ca_path=self.get_option("ca_path"), timeout=self.get_option("timeout"))
        try:
            session.login()
            devices = list(session.query(session.path("devices"), include=DEVICE_FIELDS, what="list portal devices"))
        except ApiError as exc:
            # ApiError text is already redacted (no password, no session cookie).
            raise AnsibleError("ctera_portal inventory: %s" % to_native(exc))
        finally:
            session.close()
        wanted_types = set(t.lower() for t in self.get_option("device_types"))
        filers = []
        for device in devices:
            device_type = str(device.get("deviceType") or "").lower()
            if (wanted_types and device_type not in wanted_types) or (not wanted_types and "agent" in device_type):
                continue
            filers.append({
                "name": device.get("name"),
                "tenant": tenant_of(device),
                "model": device.get("deviceType"),
                "version": device.get("version"),
                "url": device.get("remoteAccessUrl"),
                "uid": device.get("uid"),
                "comment": device.get("comment"),
                "connected": connected(device),
            })
        return filers

    def _populate(self, filers):
        tenants = set(t.lower() for t in self.get_option("tenants"))
        connected_only = self.get_option("connected_only")
        selected = [f for f in filers
                    if f["name"] and (not tenants or str(f["tenant"] or "").lower() in tenants) and (f["connected"] or not connected_only)]
        counts = {}
        for filer in selected:
            counts[filer["name"]] = counts.get(filer["name"], 0) + 1
        strict = self.get_option("strict")
        for filer in selected:
            host = filer["name"]
            if counts[host] > 1:
                host = "%s@%s" % (filer["name"], filer["tenant"])
                self.display.warning("Filer name %r exists in several tenants; using host name %r" % (filer["name"], host))
            status = "connected" if filer["connected"] else "disconnected"
            self.inventory.add_host(host)
            hostvars = {
                "ctera_name": filer["name"],
                "ctera_url": filer["url"],
                "ctera_tenant": filer["tenant"],
                "ctera_model": filer["model"],
                "ctera_version": filer["version"],
                "ctera_status": status,
                "ctera_uid": filer["uid"],
                "ctera_comment": filer["comment"],
                "ctera_portal_url": self.get_option("portal_url"),
            }
            if self.get_option("local_connection"):
                hostvars["ansible_connection"] = "local"
                hostvars["ansible_python_interpreter"] = "{{ ansible_playbook_python }}"
            for key, value in hostvars.items():
                self.inventory.set_variable(host, key, value)
            for group in (group_name("ctera_tenant", filer["tenant"] or "none"), group_name("ctera_status", status)):
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)
            variables = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
        self._set_office_leaders()

    def _set_office_leaders(self):
        """office_leader on every host: the first host by name of those with the same office_leader_key value."""
        key = self.get_option("office_leader_key")
        if not key:
            return
        offices = {}
        for host in self.inventory.hosts.values():
            value = host.get_vars().get(key)
            if value is not None and str(value) != "":
                offices.setdefault(str(value), []).append(host.name)
        for hosts in offices.values():
            leader = sorted(hosts)[0]
            for host in hosts:
                self.inventory.set_variable(host, "office_leader", leader)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        filers = None
        if use_cache:
            try:
                filers = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if filers is None:
            filers = self._fetch()
        if update_cache:
            self._cache[cache_key] = filers
        self._populate(filers)
