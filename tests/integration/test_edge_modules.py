# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_share, ctera_share_info, edge_sync and edge_backup through real ansible-playbook runs against the Edge Filer
simulator. What the filer holds is read from the simulator's own state (GET /_sim/state, also from inside a
playbook with ansible.builtin.uri between two tasks), never through the modules under test.

Filers of the session fixture: 0 (firmware 7.12) shares, 1 sync, 2 portal connection + backup, 3 (firmware 7.11,
the older share shape) shares.
"""

import hashlib
import uuid

import requests

from integration_support import edge_env, playbook_path, run_playbook

SHARE_TASK = "Shares exist"
SHARES = playbook_path("edge_shares.yml")


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:6])


def shares_of(sims, index):
    state = sims.state(sims.info["edges"][index])
    return dict((s["name"], s) for s in state["config"]["fileservices"]["share"])


def shares_run(shares, share_info_name=None, **kwargs):
    """playbooks/edge_shares.yml over shares (and ctera_share_info on share_info_name, when given)."""
    extra_vars = {"shares": shares}
    if share_info_name is not None:
        extra_vars["share_info_name"] = share_info_name
    return run_playbook(SHARES, extra_vars=extra_vars, **kwargs)


def sim_vars(sims, index):
    edge = sims.info["edges"][index]
    return {"sim_url": edge["url"], "sim_ca": edge["ca_path"]}


def failed(run, task):
    records = [r for r in run.tasks if r["task"] == task]
    assert records, "no result for task %r" % task
    return records[-1]["status"] == "failed"


def item_results(run):
    return dict((r["item"]["name"], r) for r in run.result(SHARE_TASK)["results"])


def edge_login(edge):
    http = requests.Session()
    http.trust_env = False  # REQUESTS_CA_BUNDLE from the environment would override the simulator's CA
    http.verify = edge["ca_path"]
    response = http.post(edge["url"] + "/admingui/api/login", data={"username": edge["username"],
                                                                    "password": edge["password"]}, timeout=10)
    assert response.status_code == 200
    return http


def test_shares_create_check_diff_converge_modify_remove(sims):
    env = edge_env(sims, 0)
    docs, plans, tmp = unique("docs"), unique("Plans & Budget #1 100%+ åäö"), unique("tmp")
    shares = [
        {"name": docs, "directory": "cloud/users", "comment": "Team documents", "export_to_nfs": True,
         "acl": [{"type": "local_group", "name": "Administrators", "permission": "ReadWrite"},
                 {"type": "domain_group", "name": "CORP\\Domain Users", "permission": "ReadOnly"}],
         "trusted_nfs_clients": [{"address": "10.0.0.0", "netmask": "255.255.255.0"}]},
        {"name": plans, "directory": "/cloud/projects/", "access": "authenticated", "csc": "documents"},
        {"name": tmp, "directory": "local/scratch", "indexed": True},
    ]
    # Check mode predicts, writes nothing.
    check = shares_run(shares, env=env, check=True, diff=True)
    assert check.rc == 0, check.stdout
    assert not set(shares_of(sims, 0)) & {docs, plans, tmp}, "check mode wrote to the filer"
    predicted = item_results(check)
    assert all(r["changed"] for r in predicted.values())
    assert predicted[plans]["diff"]["before"] == {} and predicted[plans]["diff"]["after"]["name"] == plans

    real = shares_run(shares, env=env, diff=True)
    assert real.rc == 0, real.stdout
    done = item_results(real)
    for name in (docs, plans, tmp):
        assert done[name]["changed"] and done[name]["share"] == predicted[name]["share"], name
    stored = shares_of(sims, 0)
    assert stored[docs]["volume"] == "cloud" and stored[docs]["directory"] == "users"
    assert stored[docs]["comment"] == "Team documents" and stored[docs]["exportToNFS"] is True
    assert {(a["principal2"]["_classname"], a["principal2"].get("ref") or a["principal2"].get("name"),
             a["permissions"]["allowedFileAccess"]) for a in stored[docs]["acl"]} == {
        ("LocalGroup", "#config#auth#groups#Administrators", "ReadWrite"),
        ("DomainGroup", "CORP\\Domain Users", "ReadOnly")}
    assert [(c["address"], c["netmask"], c["accessLevel"], c["insecure"]) for c in stored[docs]["trustedNFSClients"]] == [
        ("10.0.0.0", "255.255.255.0", "ReadWrite", False)]
    assert stored[plans]["directory"] == "projects" and stored[plans]["access"] == "authenticated"
    assert stored[plans]["clientSideCaching"] == "documents"
    assert stored[tmp]["volume"] == "local" and stored[tmp]["indexed"] is True

    # Converged: same input, ACL given in another order, nothing changes; ctera_share_info sees the shares.
    shares[0]["acl"] = list(reversed(shares[0]["acl"]))
    again = shares_run(shares, env=env, diff=True, share_info_name=plans.upper())
    assert again.rc == 0, again.stdout
    assert again.changed() == 0
    info = again.result("Share info")
    assert info["count"] == 1 and info["shares"][0]["name"] == plans and info["shares"][0]["access"] == "authenticated"

    # Modify: only what is given changes; append and remove keep other entries. Check mode predicts the real run.
    modify = [
        {"name": docs, "comment": "", "acl_mode": "append",
         "acl": [{"type": "local_user", "name": "admin", "permission": "ReadOnly"},
                 {"type": "domain_group", "name": "corp\\domain users", "permission": "None"}]},
        {"name": plans, "trusted_nfs_clients_mode": "append",
         "trusted_nfs_clients": [{"address": "192.0.2.7", "netmask": "255.255.255.255", "access": "ReadOnly",
                                  "insecure": True}]},
        {"name": tmp, "state": "absent"},
    ]
    before = shares_of(sims, 0)
    check = shares_run(modify, env=env, check=True, diff=True)
    assert check.rc == 0, check.stdout
    assert shares_of(sims, 0) == before, "check mode wrote to the filer"
    real = shares_run(modify, env=env, diff=True)
    assert real.rc == 0, real.stdout
    predicted, done = item_results(check), item_results(real)
    for name in (docs, plans, tmp):
        assert predicted[name]["changed"] is done[name]["changed"] is True, name
        assert predicted[name]["share"] == done[name]["share"], name
        assert predicted[name]["diff"] == done[name]["diff"], name
    assert set(done[docs]["diff"]["before"]) == {"comment", "acl"}
    assert set(done[plans]["diff"]["before"]) == {"trusted_nfs_clients"}
    stored = shares_of(sims, 0)
    assert tmp not in stored
    assert stored[docs]["comment"] is None and stored[docs]["exportToNFS"] is True
    assert stored[docs]["directory"] == "users" and len(stored[docs]["trustedNFSClients"]) == 1
    assert {(a["principal2"]["_classname"], a["permissions"]["allowedFileAccess"]) for a in stored[docs]["acl"]} == {
        ("LocalGroup", "ReadWrite"), ("DomainGroup", "None"), ("LocalUser", "ReadOnly")}
    assert stored[plans]["access"] == "authenticated" and stored[plans]["clientSideCaching"] == "documents"
    assert [c["address"] for c in stored[plans]["trustedNFSClients"]] == ["192.0.2.7"]

    # Remove mode drops only the listed principal; a second run of everything is converged.
    remove = [{"name": docs, "acl_mode": "remove", "acl": [{"type": "local_user", "name": "ADMIN"}]},
              {"name": tmp, "state": "absent"}]
    real = shares_run(remove, env=env)
    assert real.rc == 0 and real.changed() == 1, real.stdout
    assert len(shares_of(sims, 0)[docs]["acl"]) == 2
    again = shares_run(remove, env=env)
    assert again.rc == 0 and again.changed() == 0, again.stdout


def test_bad_input_is_rejected_before_anything_is_written(sims):
    env = edge_env(sims, 0)
    name = unique("guarded")
    first = shares_run([{"name": name, "directory": "cloud/public", "comment": "keep"}], env=env)
    assert first.rc == 0, first.stdout
    before = sims.state(sims.info["edges"][0])["config"]["fileservices"]
    # The cases are the tasks Bad 0 to Bad 9 of playbooks/edge_share_bad_input.yml, in this order:
    bad = [
        "'nosuch' is not a volume",  # new share, directory nosuch/dir
        "give directory",  # new share, no directory
        "dir_permissions: not available",  # dir_permissions on firmware 7.12
        "permission",  # ACL permission Full
        "type",  # ACL principal type robot
        "acl_mode",  # acl_mode replace
        "not a valid share name",  # a/b
        "netmask",  # netmask 255.0.255.0
        "Directory does not exist",  # cloud/nonexistent
        "must be 'volume/path'",  # cloud/../x
    ]
    variables = {
        "share": name, "new_shares": [unique("new"), unique("new")],
        "bad_permission_acl": [{"type": "local_user", "name": "admin", "permission": "Full"}],
        "bad_type_acl": [{"type": "robot", "name": "x", "permission": "ReadOnly"}],
        "bad_acl_mode": "replace",
    }
    run = run_playbook(playbook_path("edge_share_bad_input.yml"), env=env, extra_vars=variables)
    for i, fragment in enumerate(bad):
        result = run.result("Bad %d" % i)
        assert failed(run, "Bad %d" % i) and fragment in result["msg"], (i, result.get("msg"))
    assert sims.state(sims.info["edges"][0])["config"]["fileservices"] == before


def test_v1_firmware_share_options(sims):
    env = edge_env(sims, 3)
    name = unique("legacy")
    shares = [{"name": name, "directory": "cloud/team", "dir_permissions": 755, "export_to_rsync": True,
               "export_to_pc_agent": True}]
    real = shares_run(shares, env=env)
    assert real.rc == 0, real.stdout
    stored = shares_of(sims, 3)[name]
    assert stored["dirPermissions"] == 755 and stored["exportToRSync"] is True and stored["exportToPCAgent"] is True
    again = shares_run(shares, env=env)
    assert again.rc == 0 and again.changed() == 0, again.stdout


def sync_mode(sims, index):
    return sims.state(sims.info["edges"][index])["config"]["cloudsync"]["mode"]


def test_sync_disable_enable_wait_and_timeout(sims):
    env = edge_env(sims, 1)
    run = run_playbook(playbook_path("edge_sync.yml"), env=env, diff=True, extra_vars=sim_vars(sims, 1))
    assert run.rc == 0, run.stdout
    predicted = run.result("Predict disable")
    assert predicted["changed"] and predicted["diff"] == {"before": {"state": "enabled"}, "after": {"state": "disabled"}}
    states = run.results("State after check")[0], run.results("State after disable")[0]
    assert states[0]["json"]["config"]["cloudsync"]["mode"] == "enabled"
    assert states[1]["json"]["config"]["cloudsync"]["mode"] == "disabled"
    disabled = run.result("Disable and wait")
    assert disabled["changed"] and disabled["sync"]["status"] == "Off" and disabled["sync"]["state"] == "disabled"
    assert run.result("Suspend again")["changed"] is False
    enabled = run.result("Enable and wait until synced")
    assert enabled["changed"] and enabled["sync"]["status"] == "Synced"
    assert enabled["sync"]["portal_connection"] == "Connected"
    assert run.result("Enable again")["changed"] is False
    assert sync_mode(sims, 1) == "enabled"

    # A wait that cannot be met fails with the last status seen.
    timeout = run_playbook(playbook_path("edge_sync_timeout.yml"), env=env)
    assert timeout.rc != 0
    message = timeout.result("Enable with no time to sync")["msg"]
    assert "did not reach Synced within 0 s; last status InitializingConnection" in message


def test_disconnected_filer_then_backup(sims):
    edge = sims.info["edges"][2]
    env = edge_env(sims, 2)
    http = edge_login(edge)
    assert http.put(edge["url"] + "/admingui/api/config/cloudsync/mode", data="<val>disabled</val>", timeout=10).ok
    assert http.put(edge["url"] + "/admingui/api/config/services", timeout=10).ok  # the SDK's services.disconnect()
    try:
        run = run_playbook(playbook_path("edge_sync_disconnected.yml"), env=env)
        assert run.rc != 0
        message = run.result("Enable")["msg"]
        assert "not connected to a CTERA Portal" in message and "Disconnected" in message
        assert sync_mode(sims, 2) == "disabled", "the sync mode was written although the filer is disconnected"
    finally:
        attach = ('<obj><att id="type"><val>user-defined</val></att><att id="name"><val>attachAndSave</val></att>'
                  '<att id="param"><obj><att id="server"><val>portal.filefleet.test</val></att>'
                  '<att id="user"><val>edge-admin</val></att></obj></att></obj>')
        assert http.post(edge["url"] + "/admingui/api/status/services", data=attach, timeout=10).ok

    passphrase = "Backup-%s-phrase" % uuid.uuid4().hex[:8]
    run = run_playbook(playbook_path("edge_backup.yml"), env=env, diff=True, verbosity=3,
                       extra_vars=dict(sim_vars(sims, 2), phrase=passphrase))
    assert run.rc == 0, run.stdout
    assert failed(run, "Enable without passphrase")
    assert "passphrase is required" in run.result("Enable without passphrase")["msg"]
    assert run.result("Predict enable")["changed"]
    assert run.result("State after predict")["json"]["backup"]["folder"] is None
    enabled = run.result("Enable")
    assert enabled["changed"] and enabled["backup"]["configured"] and enabled["backup"]["state"] == "enabled"
    assert enabled["diff"] == {"before": {"state": "not_configured"}, "after": {"state": "enabled"}}
    assert run.result("Enable again")["changed"] is False
    assert run.result("Suspend")["changed"] and run.result("Suspend")["backup"]["state"] == "suspended"
    assert run.result("State after suspend")["json"]["backup"]["run"] == "Suspended"
    assert run.result("Disabled is suspended")["changed"] is False
    assert run.result("Resume")["changed"]
    state = sims.state(edge)["backup"]
    assert state["attached"] and state["run"] == "Idle"
    folder = state["folder"]
    assert folder["encryptionMode"] == "SecretKeyEncryption"
    # The folder is encrypted with exactly our passphrase (the filer keeps sha256(salt:passphrase)).
    assert folder["passphraseCheck"] == hashlib.sha256(("%s:%s" % (folder["salt"], passphrase)).encode()).hexdigest()
    assert passphrase not in run.output()


def test_password_never_in_output_with_vvv(sims):
    edge = sims.info["edges"][0]
    # The password comes from a variable, as from a vault (a literal in the playbook text is echoed by Ansible itself
    # when it shows the task of a failure).
    run = run_playbook(playbook_path("edge_secrets.yml"), verbosity=3,
                       extra_vars={"pw": edge["password"], "edge_url": edge["url"], "edge_ca": edge["ca_path"]})
    assert run.rc == 0, run.stdout
    assert run.result("Info with explicit credentials")["count"] >= 1
    assert failed(run, "Wrong password") and "wrong username or password" in run.result("Wrong password")["msg"]
    assert edge["password"] not in run.output()
