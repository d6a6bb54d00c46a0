# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input to every module (issue 10): each case must fail with a message that names the option and says what
is allowed, and nothing may reach the simulators: no request at all (``/_sim/stats`` of the portal, every filer
and Cloutility unchanged) and the same ``/_sim/state`` before and after.

The cases are one table (``CASES``); one generated playbook runs them all, one task per case with
``ignore_errors``, so the whole table costs one ansible-playbook run. The full table runs in-process; the cases
that prove strict types (and a few others) run again as real modules (``test_bad_input_as_modules``), so the type
checks are proven in both execution modes. Every case is recorded for docs/reliability.md.
"""

import json
import os

import pytest
import yaml

from integration_support import cloutility_env, edge_env, portal_env, run_playbook
from reliability_log import record

COLLECTION = "filefleet.office."
NAN, INF = float("nan"), float("inf")
HUGE = 10 ** 300

# Arguments every case of a module starts from (valid on their own; the connection comes from the environment).
BASE = {
    "ctera_user": {"name": "bi-user"},
    "ctera_user_info": {},
    "ctera_group": {"name": "bi-group"},
    "ctera_share": {"name": "bi-share"},
    "ctera_share_info": {},
    "edge_sync": {"state": "disabled"},
    "edge_backup": {"state": "suspended"},
    "edge_config_export": {"dest": "@DEST@"},
    "edge_info": {},
    "cloutility_consumer": {"business_unit": "bi-bu", "name": "bi-consumer"},
    "cloutility_consumer_info": {"business_unit": "bi-bu"},
    "backup_node": {"business_unit": "bi-bu", "consumer": "bi-consumer"},
    "backup_node_info": {"business_unit": "bi-bu"},
    # The modules added since (direct transfer, tenancy, device): NEW_MODULES.
    "ctera_file": {"path": "My Files/bi.bin", "dest": "@DEST@"},
    "ctera_tenant": {"name": "bi-tenant"},
    "ctera_tenant_info": {},
    "ctera_plan": {"name": "bi-plan"},
    "ctera_folder_group": {"name": "bi-fg", "tenant": "acme"},
    "ctera_cloud_folder": {"name": "bi-folder", "owner": "bi-owner", "group": "bi-fg", "tenant": "acme"},
    "ctera_cloud_folder_info": {"tenant": "acme"},
    "ctera_zone": {"name": "bi-zone", "tenant": "acme"},
    "ctera_zone_info": {"tenant": "acme"},
    "ctera_activation_code": {"user": "bi-user", "tenant": "acme"},
    "edge_setup": {},
    "edge_settings": {"location": "bi-room"},
    "edge_domain": {"state": "left"},
    "edge_user": {"name": "bi-user"},
    "edge_group": {"name": "bi-group"},
    "edge_portal_connection": {"state": "disconnected"},
}
NEW_MODULES = ("ctera_file", "ctera_tenant", "ctera_tenant_info", "ctera_plan", "ctera_folder_group",
               "ctera_cloud_folder", "ctera_cloud_folder_info", "ctera_zone", "ctera_zone_info", "ctera_activation_code",
               "edge_setup", "edge_settings", "edge_domain", "edge_user", "edge_group", "edge_portal_connection")
FAMILY = {"ctera_user": "portal", "ctera_user_info": "portal", "ctera_group": "portal",
          "cloutility_consumer": "cloutility", "cloutility_consumer_info": "cloutility", "backup_node": "cloutility",
          "backup_node_info": "cloutility"}
FAMILY.update((m, "portal") for m in NEW_MODULES if m.startswith("ctera_"))
# A local file that exists (the src of an upload that must be refused for another reason).
EXISTING_FILE = os.path.abspath(__file__)
URL_OPTION = {"portal": "portal_url", "edge": "edge_url", "cloutility": "cloutility_url"}


def family(module):
    return FAMILY.get(module, "edge")


def case(module, label, args, *expected):
    """One bad input: ``args`` over the module's BASE (a None value removes the option); ``expected``: texts the
    message must hold (the first names the option)."""
    return {"module": module, "label": label, "args": args, "expected": expected}


def common_cases(module):
    """Connection and TLS options every module shares (three of them for the modules added since: the same
    FilefleetModule plumbing, proven wired to each)."""
    url = URL_OPTION[family(module)]
    if module in NEW_MODULES:
        return [
            case(module, "%s plain http" % url, {url: "http://@HOST@"}, url, "plain http", "allow_insecure_http"),
            case(module, "timeout a boolean", {"timeout": True}, "timeout", "whole number, got a boolean"),
            case(module, "validate_certs a list", {"validate_certs": [True]}, "validate_certs", "true or false, got a list"),
        ]
    return [
        case(module, "%s plain http" % url, {url: "http://@HOST@"}, url, "plain http", "allow_insecure_http"),
        case(module, "%s with credentials" % url, {url: "https://admin:pw@@HOST@"}, url, "must not hold credentials"),
        case(module, "%s a list" % url, {url: ["https://a.example", "https://b.example"]}, url, "must be a text, got a list"),
        case(module, "%s bad port" % url, {url: "https://@HOST@:99999"}, url, "port"),
        case(module, "timeout nan", {"timeout": "nan"}, "timeout", "finite number"),
        case(module, "timeout 1e300", {"timeout": "1e300"}, "timeout", "between 1 and 3600"),
        case(module, "timeout a boolean", {"timeout": True}, "timeout", "whole number, got a boolean"),
        case(module, "timeout 0", {"timeout": 0}, "timeout", "between 1 and 3600"),
        case(module, "validate_certs a list", {"validate_certs": [True]}, "validate_certs", "true or false, got a list"),
        case(module, "ca_path a dict", {"ca_path": {"file": "x.pem"}}, "ca_path", "file path (text), got a dictionary"),
        case(module, "allow_insecure_http a list", {"allow_insecure_http": ["yes"]}, "allow_insecure_http", "true or false"),
    ]


def module_cases():
    cases = []
    u = "ctera_user"
    cases += [
        case(u, "name a list", {"name": ["a", "b"]}, "name", "must be a text, got a list"),
        case(u, "name a dict", {"name": {"first": "a"}}, "name", "got a dictionary"),
        case(u, "name a boolean", {"name": True}, "name", "got a boolean", "quote it"),
        case(u, "name a fraction", {"name": 1.5}, "name", "got a fractional number"),
        case(u, "name padded", {"name": " bob "}, "name", "leading or trailing whitespace"),
        case(u, "name trailing tab", {"name": "bob\t"}, "name", "leading or trailing whitespace"),
        case(u, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(u, "name .", {"name": "."}, "name", "'.' and '..'"),
        case(u, "name slash", {"name": "a/b"}, "name", "does not allow"),
        case(u, "name question mark", {"name": "a?b"}, "name", "does not allow"),
        case(u, "name percent", {"name": "100%"}, "name", "does not allow"),
        case(u, "name control char", {"name": "bob\x01"}, "name", "control character"),
        case(u, "name empty", {"name": ""}, "name", "must not be empty"),
        case(u, "name too long", {"name": "x" * 5000}, "name", "at most 4096"),
        case(u, "email a list", {"email": ["a@example.com"]}, "email", "got a list"),
        case(u, "email malformed", {"email": "not-an-address"}, "email", "name@domain.tld"),
        case(u, "role unknown", {"role": "Root"}, "role", "allowed"),
        case(u, "role a list", {"role": ["EndUser"]}, "role", "got a list"),
        case(u, "first_name blank", {"first_name": "   "}, "first_name", "must not be empty"),
        case(u, "password a list", {"password": ["pw-1", "pw-2"]}, "password", "got a list"),
        case(u, "password_change 1e300 days", {"password_change": HUGE}, "password_change", "0 to 3650"),
        case(u, "password_change negative", {"password_change": -1}, "password_change", "0 to 3650"),
        case(u, "password_change nan", {"password_change": NAN}, "password_change", "YYYY-MM-DD"),
        case(u, "password_change bad date", {"password_change": "2025-02-30"}, "password_change", "YYYY-MM-DD"),
        case(u, "groups element a dict", {"groups": [{"name": "g"}]}, "groups[0]", "got a dictionary"),
        case(u, "groups element padded", {"groups": [" admins"]}, "groups[0]", "leading or trailing whitespace"),
        case(u, "concurrency 0", {"concurrency": 0}, "concurrency", "between 1 and 16"),
        case(u, "concurrency 1e300", {"concurrency": "1e300"}, "concurrency", "between 1 and 16"),
        case(u, "concurrency a boolean", {"concurrency": True}, "concurrency", "got a boolean"),
        case(u, "concurrency nan", {"concurrency": "nan"}, "concurrency", "finite number"),
        case(u, "update_password unknown", {"update_password": "sometimes"}, "update_password", "on_create, always"),
        case(u, "state unknown", {"state": "gone"}, "state", "present, absent"),
        case(u, "tenant padded", {"tenant": "acme "}, "tenant", "leading or trailing whitespace"),
        case(u, "tenant a list", {"tenant": ["acme"]}, "tenant", "got a list"),
        case(u, "users entry name a list", {"name": None, "users": [{"name": ["x"]}]}, "users[0].name", "got a list"),
        case(u, "users entry name padded", {"name": None, "users": [{"name": "ok"}, {"name": " bad"}]},
             "users[1].name", "leading or trailing whitespace"),
        case(u, "users entry not a dict", {"name": None, "users": ["alice"]}, "users[0]", "must be a dictionary"),
        case(u, "users twice", {"name": None, "users": [{"name": "ann"}, {"name": "ANN"}]}, "users", "more than once"),
        case(u, "users empty", {"name": None, "users": []}, "users", "at least one"),
    ]
    i = "ctera_user_info"
    cases += [
        case(i, "name a list", {"name": ["a"]}, "name", "got a list"),
        case(i, "name padded", {"name": " a"}, "name", "leading or trailing whitespace"),
        case(i, "fields unknown", {"fields": ["password"]}, "fields", "email"),
        case(i, "fields a dict", {"fields": {"name": 1}}, "fields", "must be a list, got a dictionary"),
        case(i, "tenant a dict", {"tenant": {"name": "t"}}, "tenant", "got a dictionary"),
        case(i, "name_contains a boolean", {"name_contains": False}, "name_contains", "got a boolean"),
    ]
    g = "ctera_group"
    cases += [
        case(g, "name a list", {"name": ["g1", "g2"]}, "name", "got a list"),
        case(g, "name padded", {"name": "team "}, "name", "leading or trailing whitespace"),
        case(g, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(g, "name hash", {"name": "a#b"}, "name", "does not allow"),
        case(g, "description a dict", {"description": {"text": "x"}}, "description", "got a dictionary"),
        case(g, "description NUL", {"description": "a\x00b"}, "description", "control character"),
        case(g, "members element a list", {"members": [["alice"]]}, "members[0]", "got a list"),
        case(g, "members element padded", {"members": ["alice", " bob"]}, "members[1]", "leading or trailing whitespace"),
        case(g, "members empty name", {"members": [""]}, "members", "must not contain empty names"),
        case(g, "members_mode unknown", {"members_mode": "merge"}, "members_mode", "exact, append, remove"),
        case(g, "tenant padded", {"tenant": " acme"}, "tenant", "leading or trailing whitespace"),
        case(g, "state a boolean", {"state": True}, "state", "got a boolean"),
    ]
    s = "ctera_share"
    nfs = {"address": "10.0.0.0", "netmask": "255.255.255.0"}
    cases += [
        case(s, "name a list", {"name": ["a", "b"]}, "name", "got a list"),
        case(s, "name padded", {"name": " docs"}, "name", "leading or trailing whitespace"),
        case(s, "name colon", {"name": "a:b"}, "name", "not a valid share name"),
        case(s, "name too long", {"name": "s" * 81}, "name", "up to 80 characters"),
        case(s, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(s, "directory ..", {"directory": "cloud/../etc"}, "directory", "'..'"),
        case(s, "directory a list", {"directory": ["cloud/a"]}, "directory", "got a list"),
        case(s, "nfs address 999.1.1.1", {"trusted_nfs_clients": [dict(nfs, address="999.1.1.1")]},
             "trusted_nfs_clients", "999.1.1.1", "IPv4"),
        case(s, "nfs address host name", {"trusted_nfs_clients": [dict(nfs, address="fileserver")]},
             "trusted_nfs_clients", "IPv4"),
        case(s, "nfs address IPv6", {"trusted_nfs_clients": [dict(nfs, address="2001:db8::1")]},
             "trusted_nfs_clients", "IPv4"),
        case(s, "nfs address padded", {"trusted_nfs_clients": [dict(nfs, address=" 10.0.0.0")]},
             "trusted_nfs_clients", "IPv4"),
        case(s, "nfs address three octets", {"trusted_nfs_clients": [dict(nfs, address="10.0.0")]},
             "trusted_nfs_clients", "IPv4"),
        case(s, "nfs netmask 999", {"trusted_nfs_clients": [dict(nfs, netmask="255.255.999.0")]},
             "trusted_nfs_clients", "netmask", "255.255.255.0"),
        case(s, "nfs netmask not contiguous", {"trusted_nfs_clients": [dict(nfs, netmask="255.0.255.0")]},
             "trusted_nfs_clients", "netmask"),
        case(s, "nfs netmask prefix length", {"trusted_nfs_clients": [dict(nfs, netmask="24")]},
             "trusted_nfs_clients", "netmask"),
        case(s, "nfs address a list", {"trusted_nfs_clients": [dict(nfs, address=["10.0.0.0"])]},
             "trusted_nfs_clients[0].address", "got a list"),
        case(s, "nfs access unknown", {"trusted_nfs_clients": [dict(nfs, access="Full")]},
             "access", "ReadWrite"),
        case(s, "nfs insecure a dict", {"trusted_nfs_clients": [dict(nfs, insecure={"x": 1})]},
             "trusted_nfs_clients[0].insecure", "true or false"),
        case(s, "nfs entry a text", {"trusted_nfs_clients": ["10.0.0.0/24"]}, "trusted_nfs_clients[0]",
             "must be a dictionary"),
        case(s, "acl name padded", {"acl": [{"type": "local_user", "name": " admin", "permission": "ReadOnly"}]},
             "acl[0].name", "leading or trailing whitespace"),
        case(s, "acl name a list", {"acl": [{"type": "local_user", "name": ["admin"], "permission": "ReadOnly"}]},
             "acl[0].name", "got a list"),
        case(s, "acl type unknown", {"acl": [{"type": "robot", "name": "r2", "permission": "ReadOnly"}]},
             "type", "local_user"),
        case(s, "acl without permission", {"acl": [{"type": "local_user", "name": "admin"}]}, "acl", "needs a permission"),
        case(s, "dir_permissions 1e300", {"dir_permissions": "1e300"}, "dir_permissions", "octal digits"),
        case(s, "dir_permissions 999", {"dir_permissions": 999}, "dir_permissions", "octal digits"),
        case(s, "dir_permissions a boolean", {"dir_permissions": True}, "dir_permissions", "got a boolean"),
        case(s, "dir_permissions nan", {"dir_permissions": "nan"}, "dir_permissions", "finite number"),
        case(s, "export_to_nfs a list", {"export_to_nfs": [True]}, "export_to_nfs", "true or false, got a list"),
        case(s, "comment a dict", {"comment": {"a": 1}}, "comment", "got a dictionary"),
        case(s, "comment a fraction", {"comment": 3.10}, "comment", "quote it"),
        case(s, "access unknown", {"access": "public"}, "access", "winAclMode"),
        case(s, "csc unknown", {"csc": "always"}, "csc", "manual"),
    ]
    si = "ctera_share_info"
    cases += [
        case(si, "name a list", {"name": ["a"]}, "name", "got a list"),
        case(si, "name padded", {"name": "docs "}, "name", "leading or trailing whitespace"),
        case(si, "name a boolean", {"name": False}, "name", "got a boolean"),
    ]
    y = "edge_sync"
    cases += [
        case(y, "state unknown", {"state": "paused"}, "state", "enabled, disabled, suspended"),
        case(y, "state a list", {"state": ["enabled"]}, "state", "got a list"),
        case(y, "wait_timeout negative", {"wait_timeout": -1}, "wait_timeout", "between 0 and 86400"),
        case(y, "wait_timeout 1e300", {"wait_timeout": "1e300"}, "wait_timeout", "between 0 and 86400"),
        case(y, "poll_interval nan", {"poll_interval": NAN}, "poll_interval", "finite number"),
        case(y, "poll_interval nan text", {"poll_interval": "nan"}, "poll_interval", "finite number"),
        case(y, "poll_interval inf", {"poll_interval": INF}, "poll_interval", "finite number"),
        case(y, "poll_interval 1e300", {"poll_interval": 1e300}, "poll_interval", "between 0 and 3600"),
        case(y, "poll_interval 0", {"poll_interval": 0}, "poll_interval", "more than 0"),
        case(y, "poll_interval a boolean", {"poll_interval": True}, "poll_interval", "got a boolean"),
        case(y, "wait a list", {"wait": [True]}, "wait", "true or false, got a list"),
        case(y, "wait_for unknown", {"wait_for": ["Done"]}, "wait_for", "Synced"),
    ]
    b = "edge_backup"
    cases += [
        case(b, "state unknown", {"state": "on"}, "state", "enabled, disabled, suspended"),
        case(b, "state a boolean", {"state": False}, "state", "got a boolean"),
        case(b, "passphrase a list", {"state": "enabled", "passphrase": ["s3cret-passphrase"]}, "passphrase", "got a list"),
        case(b, "passphrase blank", {"state": "enabled", "passphrase": "   "}, "passphrase", "must not be empty"),
        case(b, "passphrase a number", {"state": "enabled", "passphrase": 1.5}, "passphrase", "quote it"),
    ]
    x = "edge_config_export"
    cases += [
        case(x, "mode unquoted 0644", {"mode": 420}, "mode", "quoted text"),
        case(x, "mode not octal", {"mode": "0999"}, "mode", "octal"),
        case(x, "mode too large", {"mode": "77777"}, "mode", "between 0000 and 7777"),
        case(x, "mode a list", {"mode": ["0600"]}, "mode", "got a list"),
        case(x, "max_size_mb 0", {"max_size_mb": 0}, "max_size_mb", "between 1 and 4096"),
        case(x, "max_size_mb 1e300", {"max_size_mb": "1e300"}, "max_size_mb", "between 1 and 4096"),
        case(x, "max_size_mb nan", {"max_size_mb": "nan"}, "max_size_mb", "finite number"),
        case(x, "dest a list", {"dest": ["a.xml"]}, "dest", "got a list"),
        case(x, "dest missing directory", {"dest": "/nonexistent-dir-bi/cfg.xml"}, "dest", "does not exist"),
    ]
    c = "cloutility_consumer"
    cases += [
        case(c, "name a list", {"name": ["a", "b"]}, "name", "got a list"),
        case(c, "name padded", {"name": " lisa-pc"}, "name", "leading or trailing whitespace"),
        case(c, "name too long", {"name": "n" * 256}, "name", "at most 255"),
        case(c, "name blank", {"name": "  "}, "name", "must not be empty"),
        case(c, "business_unit a list", {"business_unit": ["a"]}, "business_unit", "id (a whole number) or a name"),
        case(c, "business_unit a dict", {"business_unit": {"id": 1}}, "business_unit", "id (a whole number) or a name"),
        case(c, "business_unit a boolean", {"business_unit": True}, "business_unit", "got a boolean"),
        case(c, "business_unit id 0", {"business_unit": 0}, "business_unit", "between 1 and 2147483647"),
        case(c, "business_unit id huge", {"business_unit": HUGE}, "business_unit", "between 1 and 2147483647"),
        case(c, "business_unit padded", {"business_unit": "Marketing "}, "business_unit", "leading or trailing"),
        case(c, "id 0", {"id": 0}, "id", "between 1 and 2147483647"),
        case(c, "id 1e300", {"id": "1e300"}, "id", "between 1 and 2147483647"),
        case(c, "id a list", {"id": [5]}, "id", "got a list"),
        case(c, "storage_limit_gb nan", {"storage_limit_gb": NAN}, "storage_limit_gb", "finite number"),
        case(c, "storage_limit_gb nan text", {"storage_limit_gb": "nan"}, "storage_limit_gb", "finite number"),
        case(c, "storage_limit_gb inf", {"storage_limit_gb": INF}, "storage_limit_gb", "finite number"),
        case(c, "storage_limit_gb -inf text", {"storage_limit_gb": "-inf"}, "storage_limit_gb", "finite number"),
        case(c, "storage_limit_gb 1e300", {"storage_limit_gb": 1e300}, "storage_limit_gb", "between 0 and 1000000000"),
        case(c, "storage_limit_gb negative", {"storage_limit_gb": -5}, "storage_limit_gb", "between 0 and 1000000000"),
        case(c, "storage_limit_gb a boolean", {"storage_limit_gb": True}, "storage_limit_gb", "got a boolean"),
        case(c, "storage_limit_gb a list", {"storage_limit_gb": [1]}, "storage_limit_gb", "got a list"),
        case(c, "billing end before start", {"billing_start_date": "2025-05-01", "billing_end_date": "2025-04-30"},
             "billing_end_date", "before billing_start_date"),
        case(c, "billing_start_date not a date", {"billing_start_date": "01/05/2025"}, "billing_start_date", "YYYY-MM-DD"),
        case(c, "billing_start_date Feb 30", {"billing_start_date": "2025-02-30"}, "billing_start_date", "calendar date"),
        case(c, "billing_end_date a list", {"billing_end_date": ["2025-01-01"]}, "billing_end_date", "got a list"),
        case(c, "tags element a dict", {"tags": [{"k": "v"}]}, "tags[0]", "got a dictionary"),
        case(c, "tags element padded", {"tags": ["ok", "bad "]}, "tags[1]", "leading or trailing whitespace"),
        case(c, "tags empty text", {"tags": [""]}, "tags", "empty"),
        case(c, "allow_no_activity a dict", {"allow_no_activity": {"a": 1}}, "allow_no_activity", "true or false"),
        case(c, "wait_timeout 1e300", {"wait_timeout": "1e300"}, "wait_timeout", "between 0 and 86400"),
        case(c, "note control char", {"note": "line\x07bell"}, "note", "control character"),
        case(c, "state unknown", {"state": "deleted"}, "state", "present, absent"),
    ]
    ci = "cloutility_consumer_info"
    cases += [
        case(ci, "id 0", {"id": 0}, "id", "between 1 and 2147483647"),
        case(ci, "id a list", {"id": [1, 2]}, "id", "got a list"),
        case(ci, "name padded", {"name": "pc "}, "name", "leading or trailing"),
        case(ci, "business_unit a list", {"business_unit": ["a", "b"]}, "business_unit", "id (a whole number) or a name"),
        case(ci, "business_unit empty", {"business_unit": ""}, "business_unit", "empty"),
    ]
    n = "backup_node"
    cases += [
        case(n, "cpu_count negative", {"cpu_count": -1}, "cpu_count", "between 0 and 65535"),
        case(n, "cpu_count 1e300", {"cpu_count": "1e300"}, "cpu_count", "between 0 and 65535"),
        case(n, "cpu_count nan", {"cpu_count": "nan"}, "cpu_count", "finite number"),
        case(n, "cpu_count a boolean", {"cpu_count": True}, "cpu_count", "got a boolean"),
        case(n, "consumer a list", {"consumer": ["a"]}, "consumer", "id (a whole number) or a name"),
        case(n, "consumer padded", {"consumer": " pc"}, "consumer", "leading or trailing"),
        case(n, "consumer id 0", {"consumer": 0}, "consumer", "between 1 and 2147483647"),
        case(n, "operating_system a dict", {"operating_system": {"name": "Linux"}}, "operating_system", "id (a whole number) or a name"),
        case(n, "node_type a boolean", {"node_type": False}, "node_type", "got a boolean"),
        case(n, "domain empty", {"domain": ""}, "domain", "empty"),
        case(n, "client_option_set id huge", {"client_option_set": HUGE}, "client_option_set", "between 1 and 2147483647"),
        case(n, "proxy_agents element a dict", {"proxy_agents": [{"id": 1}]}, "proxy_agents[0]", "id (a whole number) or a name"),
        case(n, "proxy_targets element a boolean", {"proxy_targets": [True]}, "proxy_targets[0]", "got a boolean"),
        case(n, "node_name invalid", {"state": "activated", "node_name": "bad name!"}, "node_name", "1 to 64 characters"),
        case(n, "node_name too long", {"state": "activated", "node_name": "N" * 65}, "node_name", "1 to 64 characters"),
        case(n, "node_name a list", {"state": "activated", "node_name": ["N1"]}, "node_name", "got a list"),
        case(n, "node_name without activated", {"node_name": "N1"}, "node_name", "state=activated"),
        case(n, "wait_timeout nan", {"wait_timeout": "nan"}, "wait_timeout", "finite number"),
        case(n, "contact a dict", {"contact": {"mail": "a@b"}}, "contact", "got a dictionary"),
        case(n, "return_password a list", {"return_password": [True]}, "return_password", "true or false"),
        case(n, "state unknown", {"state": "active"}, "state", "present, activated, absent"),
    ]
    ni = "backup_node_info"
    cases += [
        case(ni, "consumer a dict", {"consumer": {"id": 1}}, "consumer", "id (a whole number) or a name"),
        case(ni, "consumer blank", {"consumer": "   "}, "consumer", "empty"),
        case(ni, "business_unit padded", {"business_unit": " Acme"}, "business_unit", "leading or trailing"),
        case(ni, "business_unit id huge", {"business_unit": 2 ** 40}, "business_unit", "between 1 and 2147483647"),
    ]
    return cases


def file_cases():
    f = "ctera_file"
    upload = {"dest": None, "src": "@SRC@"}
    return [
        case(f, "path missing", {"path": None}, "path", "missing required"),
        case(f, "path a list", {"path": ["My Files/a", "My Files/b"]}, "path", "must be a text, got a list"),
        case(f, "path a boolean", {"path": True}, "path", "got a boolean"),
        case(f, "path empty", {"path": ""}, "path", "must name a cloud folder"),
        case(f, "path only slashes", {"path": "//"}, "path", "must name a cloud folder"),
        case(f, "path ..", {"path": ".."}, "path", "'..'"),
        case(f, "path escapes with ..", {"path": "My Files/../../Users/other/secret.txt"}, "path", "'..'"),
        case(f, "path escapes upward on upload", dict(upload, path="My Files/docs/../../../etc"), "path", "'..'"),
        case(f, "path . segment", {"path": "My Files/./bi.bin"}, "path", "'.'"),
        case(f, "path empty segment", {"path": "My Files//bi.bin"}, "path", "empty"),
        case(f, "path backslash escape", {"path": "My Files\\..\\..\\secret.txt"}, "path", "backslash"),
        case(f, "path padded", {"path": " My Files/bi.bin"}, "path", "leading or trailing whitespace"),
        case(f, "path segment padded", {"path": "My Files/bi.bin "}, "path", "leading or trailing whitespace"),
        case(f, "path control char", {"path": "My Files/a\x01b"}, "path", "control character"),
        case(f, "src and dest both", {"src": "@SRC@"}, "src", "dest", "mutually exclusive"),
        case(f, "neither src nor dest", {"dest": None}, "src", "dest", "state=present"),
        case(f, "state=directory with src", dict(upload, state="directory"), "src", "only for state=present"),
        case(f, "state=absent with dest", {"state": "absent"}, "dest", "only for state=present"),
        case(f, "src missing", dict(upload, src="/nonexistent-bi/file.bin"), "src", "does not exist"),
        case(f, "src a list", dict(upload, src=["@SRC@"]), "src", "got a list"),
        case(f, "dest a dict", {"dest": {"path": "/tmp/x"}}, "dest", "got a dictionary"),
        case(f, "state unknown", {"state": "file"}, "state", "present, absent, directory"),
        case(f, "compare unknown", {"compare": "md5"}, "compare", "size_mtime, checksum"),
        case(f, "compare a list", {"compare": ["checksum"]}, "compare", "got a list"),
        case(f, "force a list", {"force": [True]}, "force", "true or false, got a list"),
        case(f, "workers 0", {"workers": 0}, "workers", "between 1 and 64"),
        case(f, "workers 65", {"workers": 65}, "workers", "between 1 and 64"),
        case(f, "workers 1e300", {"workers": "1e300"}, "workers", "between 1 and 64"),
        case(f, "workers nan", {"workers": "nan"}, "workers", "finite number"),
        case(f, "workers a boolean", {"workers": True}, "workers", "got a boolean"),
        case(f, "files_in_flight 0", dict(upload, files_in_flight=0), "files_in_flight", "between 1 and 32"),
        case(f, "files_in_flight huge", dict(upload, files_in_flight=HUGE), "files_in_flight", "between 1 and 32"),
        case(f, "s3 key id without secret", {"s3_access_key_id": "AKIDBI"}, "s3_secret_access_key", "required together"),
        case(f, "s3 secret a list", {"s3_access_key_id": "AKIDBI", "s3_secret_access_key": ["bi-s3-secret-1"]},
             "s3_secret_access_key", "got a list"),
        case(f, "tenant padded", {"tenant": "acme "}, "tenant", "leading or trailing whitespace"),
        case(f, "tenant ..", {"tenant": ".."}, "tenant", "'.' and '..'"),
    ]


def tenancy_cases():
    cases = []
    t = "ctera_tenant"
    cases += [
        case(t, "name missing", {"name": None}, "name", "missing required"),
        case(t, "name a list", {"name": ["a", "b"]}, "name", "got a list"),
        case(t, "name padded", {"name": " acme2"}, "name", "lower-case letters"),
        case(t, "name ..", {"name": ".."}, "name", "lower-case letters"),
        case(t, "name upper case", {"name": "Acme"}, "name", "lower-case letters"),
        case(t, "name too long", {"name": "a" * 64}, "name", "at most 63"),
        case(t, "name leading dash", {"name": "-acme"}, "name", "not starting or ending with '-'"),
        case(t, "display_name a dict", {"display_name": {"text": "Acme"}}, "display_name", "got a dictionary"),
        case(t, "company a boolean", {"company": True}, "company", "got a boolean"),
        case(t, "comment a fraction", {"comment": 1.5}, "comment", "quote it"),
        case(t, "billing_id control char", {"billing_id": "b\x1bi"}, "billing_id", "control character"),
        case(t, "plan padded", {"plan": " Default"}, "plan", "leading or trailing whitespace"),
        case(t, "plan blank", {"plan": "  "}, "plan", "must not be empty"),
        case(t, "plan ..", {"plan": ".."}, "plan", "'.' and '..'"),
        case(t, "state unknown", {"state": "deleted"}, "state", "present, absent"),
    ]
    ti = "ctera_tenant_info"
    cases += [
        case(ti, "name a list", {"name": ["acme"]}, "name", "got a list"),
        case(ti, "name padded", {"name": "acme "}, "name", "leading or trailing whitespace"),
        case(ti, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(ti, "include_deleted a list", {"include_deleted": [True]}, "include_deleted", "true or false"),
    ]
    p = "ctera_plan"
    cases += [
        case(p, "name a list", {"name": ["p"]}, "name", "got a list"),
        case(p, "name padded", {"name": "Gold "}, "name", "leading or trailing whitespace"),
        case(p, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(p, "name slash", {"name": "a/b"}, "name", "does not allow"),
        case(p, "services a list", {"services": ["cloud_drive"]}, "services", "must be a dictionary, got a list"),
        case(p, "services.cloud_drive unknown", {"services": {"cloud_drive": "on"}}, "cloud_drive",
             "enabled, disabled, connect"),
        case(p, "services unknown key", {"services": {"ftp": "enabled"}}, "ftp", "cloud_drive"),
        case(p, "retention.daily negative", {"retention": {"daily": -1}}, "retention.daily", "0"),
        case(p, "retention.daily huge", {"retention": {"daily": HUGE}}, "retention.daily", "at most 2147483647"),
        case(p, "retention.deleted nan", {"retention": {"deleted": "nan"}}, "retention.deleted", "finite number"),
        case(p, "retention.hourly a boolean", {"retention": {"hourly": True}}, "retention.hourly", "got a boolean"),
        case(p, "retention a text", {"retention": "daily=7"}, "retention", "dictionary"),
        case(p, "quotas.storage_gb 1e300", {"quotas": {"storage_gb": "1e300"}}, "quotas.storage_gb", "at most 2147483647"),
        case(p, "quotas.ev4 negative", {"quotas": {"ev4": -2}}, "quotas.ev4", "0"),
        case(p, "quotas a list", {"quotas": [1]}, "quotas", "must be a dictionary, got a list"),
        case(p, "state unknown", {"state": "archived"}, "state", "present, absent"),
    ]
    g = "ctera_folder_group"
    cases += [
        case(g, "name missing", {"name": None}, "name", "missing required"),
        case(g, "name padded", {"name": " fg"}, "name", "leading or trailing whitespace"),
        case(g, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(g, "name hash", {"name": "a#b"}, "name", "does not allow"),
        case(g, "owner padded", {"owner": "bob "}, "owner", "leading or trailing whitespace"),
        case(g, "owner slash", {"owner": "a/b"}, "owner", "does not allow"),
        case(g, "owner a list", {"owner": ["bob"]}, "owner", "got a list"),
        case(g, "tenant padded", {"tenant": " acme"}, "tenant", "leading or trailing whitespace"),
        case(g, "tenant ..", {"tenant": ".."}, "tenant", "'.' and '..'"),
        case(g, "state unknown", {"state": "gone"}, "state", "present, absent"),
    ]
    c = "ctera_cloud_folder"
    cases += [
        case(c, "owner missing", {"owner": None}, "owner", "missing required"),
        case(c, "name a list", {"name": ["Projects"]}, "name", "got a list"),
        case(c, "name padded", {"name": "Projects "}, "name", "leading or trailing whitespace"),
        case(c, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(c, "name .", {"name": "."}, "name", "'.' and '..'"),
        case(c, "name slash", {"name": "a/b"}, "name", "does not allow"),
        case(c, "owner padded", {"owner": " bi-owner"}, "owner", "leading or trailing whitespace"),
        case(c, "owner percent", {"owner": "100%"}, "owner", "does not allow"),
        case(c, "group empty", {"group": ""}, "group", "must not be empty"),
        case(c, "group ..", {"group": ".."}, "group", "'.' and '..'"),
        case(c, "description a dict", {"description": {"a": 1}}, "description", "got a dictionary"),
        case(c, "winacls a list", {"winacls": [True]}, "winacls", "true or false"),
        case(c, "quota_gb negative", {"quota_gb": -5}, "quota_gb", "0 (no quota) or more"),
        case(c, "quota_gb huge", {"quota_gb": HUGE}, "quota_gb", "at most"),
        case(c, "quota_gb nan", {"quota_gb": "nan"}, "quota_gb", "finite number"),
        case(c, "quota_gb a boolean", {"quota_gb": False}, "quota_gb", "got a boolean"),
        case(c, "permanently with present", {"permanently": True}, "permanently", "state=absent"),
        case(c, "tenant a list", {"tenant": ["acme"]}, "tenant", "got a list"),
        case(c, "tenant padded", {"tenant": "acme\t"}, "tenant", "leading or trailing whitespace"),
        case(c, "state unknown", {"state": "recycled"}, "state", "present, absent"),
    ]
    ci = "ctera_cloud_folder_info"
    cases += [
        case(ci, "name padded", {"name": " Projects"}, "name", "leading or trailing whitespace"),
        case(ci, "owner ..", {"owner": ".."}, "owner", "'.' and '..'"),
        case(ci, "owner a list", {"owner": ["a"]}, "owner", "got a list"),
        case(ci, "tenant padded", {"tenant": "acme "}, "tenant", "leading or trailing whitespace"),
        case(ci, "include_deleted a dict", {"include_deleted": {"a": 1}}, "include_deleted", "true or false"),
    ]
    z = "ctera_zone"
    folder = {"name": "Projects", "owner": "bi-owner"}
    cases += [
        case(z, "name padded", {"name": "zone "}, "name", "leading or trailing whitespace"),
        case(z, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(z, "name question mark", {"name": "a?b"}, "name", "does not allow"),
        case(z, "description control char", {"description": "a\x00b"}, "description", "control character"),
        case(z, "folders a dict", {"folders": folder}, "folders", "must be a list, got a dictionary"),
        case(z, "folders entry a text", {"folders": ["Projects"]}, "folders[0]", "must be a dictionary"),
        case(z, "folders entry without owner", {"folders": [{"name": "Projects"}]}, "owner", "missing required"),
        case(z, "folders owner empty", {"folders": [dict(folder, owner="")]}, "folders[0].owner", "must not be empty"),
        case(z, "folders name padded", {"folders": [folder, dict(folder, name=" Scans")]}, "folders[1].name",
             "leading or trailing whitespace"),
        case(z, "folders name ..", {"folders": [dict(folder, name="..")]}, "folders[0].name", "'.' and '..'"),
        case(z, "folders owner a list", {"folders": [dict(folder, owner=["bi-owner"])]}, "folders[0].owner", "got a list"),
        case(z, "folders_mode unknown", {"folders_mode": "merge"}, "folders_mode", "exact, append, remove"),
        case(z, "devices element padded", {"devices": ["filer-1 "]}, "devices[0]", "leading or trailing whitespace"),
        case(z, "devices element a dict", {"devices": [{"name": "filer-1"}]}, "devices[0]", "got a dictionary"),
        case(z, "devices empty name", {"devices": [""]}, "devices", "must not contain empty names"),
        case(z, "devices_mode unknown", {"devices_mode": "replace"}, "devices_mode", "exact, append, remove"),
        case(z, "tenant ..", {"tenant": ".."}, "tenant", "'.' and '..'"),
        case(z, "state unknown", {"state": "off"}, "state", "present, absent"),
    ]
    zi = "ctera_zone_info"
    cases += [
        case(zi, "name padded", {"name": " zone"}, "name", "leading or trailing whitespace"),
        case(zi, "name ..", {"name": ".."}, "name", "'.' and '..'"),
        case(zi, "tenant a list", {"tenant": ["acme"]}, "tenant", "got a list"),
    ]
    a = "ctera_activation_code"
    cases += [
        case(a, "user missing", {"user": None}, "user", "missing required"),
        case(a, "user padded", {"user": "bi-user "}, "user", "leading or trailing whitespace"),
        case(a, "user ..", {"user": ".."}, "user", "'.' and '..'"),
        case(a, "user slash", {"user": "a/b"}, "user", "does not allow"),
        case(a, "user a list", {"user": ["a"]}, "user", "got a list"),
        case(a, "tenant padded", {"tenant": " acme"}, "tenant", "leading or trailing whitespace"),
    ]
    return cases


def device_cases():
    cases = []
    s = "edge_setup"
    cases += [
        case(s, "username invalid", {"username": "bad name!"}, "username", "1 to 64 letters"),
        case(s, "username padded", {"username": " admin"}, "username", "1 to 64 letters"),
        case(s, "username ..", {"username": ".."}, "username", "1 to 64 letters"),
        case(s, "username a boolean", {"username": True}, "username", "got a boolean"),
        case(s, "password empty", {"password": ""}, "password", "required"),
        case(s, "password a list", {"password": ["Setup-pw-1"]}, "password", "got a list"),
        case(s, "email malformed", {"email": "not-an-address"}, "email", "e-mail address"),
        case(s, "email a dict", {"email": {"a": "b"}}, "email", "got a dictionary"),
    ]
    e = "edge_settings"
    cases += [
        case(e, "nothing to manage", {"location": None}, "hostname, location, timezone, ntp_servers"),
        case(e, "hostname invalid", {"hostname": "bad_host!"}, "hostname", "letters, digits or '-'"),
        case(e, "hostname padded", {"hostname": " filer"}, "hostname", "letters, digits or '-'"),
        case(e, "hostname ..", {"hostname": ".."}, "hostname", "letters, digits or '-'"),
        case(e, "hostname leading dash", {"hostname": "-filer"}, "hostname", "not starting or ending with '-'"),
        case(e, "hostname too long", {"hostname": "h" * 64}, "hostname", "1 to 63"),
        case(e, "hostname a list", {"hostname": ["a"]}, "hostname", "got a list"),
        case(e, "timezone unknown form", {"timezone": "Europe/Stockholm"}, "timezone", "(GMT+HH:MM) Name"),
        case(e, "timezone a number", {"timezone": 1.0}, "timezone", "quote it"),
        case(e, "ntp_servers element ..", {"ntp_servers": ["pool.ntp.org", ".."]}, "ntp_servers", "host names or addresses"),
        case(e, "ntp_servers element padded", {"ntp_servers": [" pool.ntp.org"]}, "ntp_servers",
             "host names or addresses"),
        case(e, "ntp_servers twice", {"ntp_servers": ["pool.ntp.org", "POOL.ntp.org"]}, "ntp_servers", "twice"),
        case(e, "ntp_servers element a dict", {"ntp_servers": [{"host": "a"}]}, "ntp_servers[0]", "got a dictionary"),
        case(e, "location control char", {"location": "room\x07"}, "location", "control character"),
        case(e, "location a list", {"location": ["a"]}, "location", "got a list"),
    ]
    d = "edge_domain"
    join = {"state": "joined", "domain": "corp.example.com", "username": "ad-admin", "password": "Bi-domain-pw-1"}
    cases += [
        case(d, "joined without credentials", {"state": "joined"}, "domain", "username", "password", "joined"),
        case(d, "domain ..", dict(join, domain=".."), "domain", "DNS name"),
        case(d, "domain padded", dict(join, domain=" corp.example.com"), "domain", "DNS name"),
        case(d, "domain empty label", dict(join, domain="corp..example.com"), "domain", "DNS name"),
        case(d, "domain a list", dict(join, domain=["corp.example.com"]), "domain", "got a list"),
        case(d, "username padded", dict(join, username="ad-admin "), "username", "leading or trailing whitespace"),
        case(d, "username blank", dict(join, username="   "), "username", "must not be empty"),
        case(d, "password a list", dict(join, password=["Bi-domain-pw-1"]), "password", "got a list"),
        case(d, "ou empty", dict(join, ou=""), "ou", "must not be empty"),
        case(d, "ou padded", dict(join, ou=" OU=Stockholm,DC=corp"), "ou", "leading or trailing whitespace"),
        case(d, "state unknown", {"state": "member"}, "state", "joined, left"),
    ]
    u = "edge_user"
    cases += [
        case(u, "name missing", {"name": None}, "name", "missing required"),
        case(u, "name invalid", {"name": "bad user"}, "name", "1 to 64 letters"),
        case(u, "name ..", {"name": ".."}, "name", "1 to 64 letters"),
        case(u, "name leading dash", {"name": "-bi"}, "name", "not starting with '.' or '-'"),
        case(u, "name too long", {"name": "u" * 65}, "name", "1 to 64 letters"),
        case(u, "password empty", {"password": ""}, "password", "must not be empty"),
        case(u, "password a number", {"password": 1.5}, "password", "quote it"),
        case(u, "uid 0", {"uid": 0}, "uid", "between 1 and 65533"),
        case(u, "uid huge", {"uid": HUGE}, "uid", "between 1 and 65533"),
        case(u, "uid nan", {"uid": "nan"}, "uid", "finite number"),
        case(u, "uid a boolean", {"uid": True}, "uid", "got a boolean"),
        case(u, "email malformed", {"email": "bi-user.example.com"}, "email", "e-mail address"),
        case(u, "full_name a dict", {"full_name": {"first": "a"}}, "full_name", "got a dictionary"),
        case(u, "update_password unknown", {"update_password": "never"}, "update_password", "on_create, always"),
        case(u, "deleting oneself", {"name": "@EDGE_USER@", "state": "absent"}, "edge_username", "cannot delete itself"),
        case(u, "state unknown", {"state": "disabled"}, "state", "present, absent"),
    ]
    gr = "edge_group"
    cases += [
        case(gr, "name invalid", {"name": "bad/group"}, "name", "1 to 64 letters"),
        case(gr, "name padded", {"name": " team"}, "name", "not starting with a space"),
        case(gr, "name trailing space", {"name": "team "}, "name", "1 to 64 letters"),
        case(gr, "name ..", {"name": ".."}, "name", "1 to 64 letters"),
        case(gr, "built-in deleted", {"name": "Everyone", "state": "absent"}, "name", "built-in group"),
        case(gr, "description a list", {"description": ["a"]}, "description", "got a list"),
        case(gr, "members a text", {"members": "alice"}, "members", "must be a list"),
        case(gr, "members entry a text", {"members": ["alice"]}, "members[0]", "must be a dictionary"),
        case(gr, "members entry without name", {"members": [{"type": "local_user"}]}, "name", "missing required"),
        case(gr, "members name invalid", {"members": [{"name": "bad user"}]}, "members[0].name", "1 to 64 letters"),
        case(gr, "members name ..", {"members": [{"name": ".."}]}, "members[0].name", "1 to 64 letters"),
        case(gr, "members type unknown", {"members": [{"name": "alice", "type": "robot"}]}, "type",
             "local_user, local_group, domain_user, domain_group"),
        case(gr, "members group itself", {"members": [{"name": "bi-group", "type": "local_group"}]},
             "members[0].name", "member of itself"),
        case(gr, "members domain without domain", {"members": [{"name": "alice", "type": "domain_user"}]},
             "members[0].name", "DOMAIN\\name"),
        case(gr, "members_mode unknown", {"members_mode": "merge"}, "members_mode", "exact, append, remove"),
        case(gr, "state unknown", {"state": "off"}, "state", "present, absent"),
    ]
    pc = "edge_portal_connection"
    connect = {"state": "connected", "server": "portal.example.com", "portal_user": "svc", "portal_password": "Bi-conn-pw-1"}
    cases += [
        case(pc, "connected without server", {"state": "connected"}, "server", "portal_user", "connected"),
        case(pc, "server with a scheme", dict(connect, server="https://portal.example.com"), "server", "without a scheme"),
        case(pc, "server padded", dict(connect, server=" portal.example.com"), "server", "without spaces"),
        case(pc, "server ..", dict(connect, server=".."), "server", "host name or address"),
        case(pc, "server with a path", dict(connect, server="portal.example.com/../admin"), "server",
             "host name or address"),
        case(pc, "server bad port", dict(connect, server="portal.example.com:99999"), "server", "port"),
        case(pc, "server a list", dict(connect, server=["a", "b"]), "server", "got a list"),
        case(pc, "portal_user padded", dict(connect, portal_user="svc "), "portal_user", "without spaces"),
        case(pc, "password and code", dict(connect, activation_code="bi-code-1"), "portal_password", "activation_code",
             "mutually exclusive"),
        case(pc, "trust and ca path", dict(connect, trust_certificate=True, portal_ca_path="@SRC@"),
             "trust_certificate", "portal_ca_path", "mutually exclusive"),
        case(pc, "license unknown", dict(connect, license="EV5"), "license", "EV4"),
        case(pc, "connect_timeout 0", {"connect_timeout": 0}, "connect_timeout", "1"),
        case(pc, "connect_timeout huge", {"connect_timeout": HUGE}, "connect_timeout", "between 1 and 86400"),
        case(pc, "connect_timeout nan", {"connect_timeout": "nan"}, "connect_timeout", "finite number"),
        case(pc, "force a list", {"force": [True]}, "force", "true or false"),
        case(pc, "activation_code a list", dict(connect, portal_password=None, activation_code=["bi-code-1"]),
             "activation_code", "got a list"),
        case(pc, "state unknown", {"state": "attached"}, "state", "connected, disconnected"),
    ]
    return cases


def all_cases():
    cases = []
    for module in sorted(BASE):
        if module not in NEW_MODULES:
            cases += common_cases(module)
    cases += module_cases()
    for module in NEW_MODULES:
        cases += common_cases(module)
    cases += file_cases() + tenancy_cases() + device_cases()
    for index, entry in enumerate(cases):
        entry["id"] = "bad %03d %s: %s" % (index, entry["module"], entry["label"])
    return cases


CASES = all_cases()
# Run again as real modules (a new process per case, about two seconds each here): the type cases of one module per
# family and per kind of option, a plain http URL per family, nan and a bound.
AS_MODULES_CASES = (
    ("ctera_user", "name a list"), ("ctera_user", "name a boolean"), ("ctera_user", "concurrency a boolean"),
    ("ctera_user", "users entry name a list"), ("ctera_user", "portal_url plain http"),
    ("ctera_share", "nfs address a list"), ("ctera_share", "comment a fraction"), ("ctera_share", "export_to_nfs a list"),
    ("ctera_share", "nfs address 999.1.1.1"), ("edge_sync", "poll_interval nan"), ("edge_sync", "edge_url plain http"),
    ("edge_config_export", "mode unquoted 0644"), ("cloutility_consumer", "storage_limit_gb a list"),
    ("cloutility_consumer", "storage_limit_gb nan text"), ("cloutility_consumer", "cloutility_url plain http"),
    ("backup_node", "consumer a list"), ("backup_node", "cpu_count 1e300"),
    # The modules added since: a refused activation code is shown, a path that escapes, a server that is no host,
    # nan in a suboption.
    ("ctera_activation_code", "user padded"), ("ctera_file", "path escapes with .."),
    ("edge_portal_connection", "server .."), ("ctera_plan", "retention.deleted nan"),
)
AS_MODULES = [c for c in CASES if (c["module"], c["label"]) in AS_MODULES_CASES]


def _substitute(value, replacements):
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return dict((k, _substitute(v, replacements)) for k, v in value.items())
    if isinstance(value, list):
        return [_substitute(v, replacements) for v in value]
    return value


def task_args(entry, sims, dest):
    args = dict(BASE[entry["module"]])
    args.update(entry["args"])
    args = dict((k, v) for k, v in args.items() if v is not None)
    url = {"portal": sims.info["portal"]["url"], "edge": sims.info["edges"][0]["url"],
           "cloutility": sims.info["cloutility"]["url"]}[family(entry["module"])]
    host = url.split("://", 1)[1]
    return _substitute(args, {"@HOST@": host, "@DEST@": dest, "@SRC@": EXISTING_FILE,
                              "@EDGE_USER@": sims.info["edges"][0]["username"]})


def playbook(cases, sims, dest):
    """One task per module, looping over its cases (one worker per task, not per case); an option a case does not
    give is omitted."""
    tasks = []
    for module in sorted(set(entry["module"] for entry in cases)):
        mine = [entry for entry in cases if entry["module"] == module]
        items = [{"id": entry["id"], "args": task_args(entry, sims, dest)} for entry in mine]
        options = sorted(set(option for item in items for option in item["args"]))
        args = dict((option, "{{ item.args.%s | default(omit) }}" % option) for option in options)
        tasks.append({"name": "bad input to %s" % module, COLLECTION + module: args, "loop": items,
                      "loop_control": {"label": "{{ item.id }}"}, "ignore_errors": True})
    return yaml.safe_dump([{"name": "Bad input", "hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                          sort_keys=False, allow_unicode=True, width=1000)


def item_results(run):
    """Each case's result by its id."""
    found = {}
    for task in run.tasks:
        for result in task["result"].get("results") or []:
            item = result.get("item") or {}
            if isinstance(item, dict) and "id" in item:
                found[item["id"]] = result
    return found


def simulators(sims):
    return [("portal", sims.info["portal"])] + [("edge%d" % i, e) for i, e in enumerate(sims.info["edges"])] + \
        [("cloutility", sims.info["cloutility"])]


def snapshot(sims):
    """``{simulator: (state, requests by "METHOD path", total requests)}`` of every simulator."""
    out = {}
    for name, entry in simulators(sims):
        stats = sims.stats(entry)
        out[name] = (json.dumps(sims.state(entry), sort_keys=True), stats["requests"], stats["total_requests"])
    return out


def writes_between(before, after):
    """Requests other than GET that the simulators answered between two snapshots."""
    count = 0
    for name, (_state, requests, _total) in after.items():
        for key, hits in requests.items():
            if not key.startswith("GET "):
                count += hits - before[name][1].get(key, 0)
    return count


def run_cases(cases, sims, tmp_path):
    env = {}
    for part in (portal_env(sims), edge_env(sims, 0), cloutility_env(sims)):
        env.update(part)
    dest = os.path.join(str(tmp_path), "config.xml")
    before = snapshot(sims)
    run = run_playbook(playbook(cases, sims, dest), env=env)
    after = snapshot(sims)
    assert run.tasks, run.stdout + run.stderr
    requests = sum(after[n][2] - before[n][2] for n in after)
    writes = writes_between(before, after)
    changed_state = sorted(n for n in after if after[n][0] != before[n][0])
    problems = []
    results = item_results(run)
    for entry in cases:
        result = results.get(entry["id"]) or {"msg": "no result recorded"}
        msg = str(result.get("msg", ""))
        wrong = []
        if result.get("failed") is not True:
            wrong.append("not refused")
        if "MODULE FAILURE" in msg or "Traceback" in json.dumps(result):
            wrong.append("traceback")
        missing = [text for text in entry["expected"] if text.lower() not in msg.lower()]
        if missing:
            wrong.append("message lacks %s" % missing)
        outcome = "FAILED" if wrong or requests or changed_state else "refused"
        record("bad_input", entry["label"], entry["module"], outcome, requests=requests,
               writes=writes, detail=msg if not wrong else "%s: %s" % ("; ".join(wrong), msg))
        if wrong:
            problems.append("%s: %s (msg: %s)" % (entry["id"], "; ".join(wrong), msg[:300]))
    assert not problems, "\n".join(problems)
    assert requests == 0 and writes == 0, "bad input reached the simulators: %d requests, %d writes" % (requests, writes)
    assert not changed_state, "simulator state changed: %s" % changed_state
    assert os.listdir(str(tmp_path)) == [], "edge_config_export wrote a file"
    return run


@pytest.mark.one_mode("checks the table only")
def test_the_table_has_150_cases_across_every_module():
    assert len(CASES) >= 150
    assert set(c["module"] for c in CASES) == set(BASE)
    assert len(set(c["id"] for c in CASES)) == len(CASES)
    for entry in CASES:
        assert entry["expected"] and entry["expected"][0].split("[")[0] in entry["expected"][0], entry["id"]


@pytest.mark.one_mode("the whole table in-process; test_bad_input_as_modules repeats the type cases as modules")
def test_bad_input_refused_before_any_request(sims, tmp_path):
    run_cases(CASES, sims, tmp_path)


@pytest.mark.one_mode("the type cases (and some others) as real modules: strict types proven in both modes", mode="module")
def test_bad_input_as_modules(sims, tmp_path):
    assert len(AS_MODULES) == len(AS_MODULES_CASES)
    run_cases(AS_MODULES, sims, tmp_path)
