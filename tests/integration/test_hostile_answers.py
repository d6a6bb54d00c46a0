# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Answers that are not the API's (issue 10): every info module and the ctera_portal inventory plugin, against
each ``foreign`` answer the simulators give (a captive portal's HTML page, JSON where XML is expected or the
reverse, an empty body, a redirect to another host, a 10 MB body), fail with an error naming the URL and what came
back, never with an empty success, and with a bounded result.

One run of playbooks/hostile_answers.yml per kind (the inventory plugin alongside, on its own path), on the
session's simulators; each (module, kind) is recorded for docs/reliability.md (suite hostile_answer)."""

import json
import os
import subprocess
import threading

import pytest

import reliability_log
from integration_support import BIN, COLLECTIONS, _ensure_collection_link, cloutility_env, edge_env, playbook_path
from integration_support import portal_env, run_playbook

pytestmark = pytest.mark.one_mode("the answers are judged by the shared HTTP client and protocol layers, the same in "
                                  "both modes; test_client_reliability.py checks two readers in both")

PLAYBOOK = playbook_path("hostile_answers.yml")
# Module -> (which simulator, the path its read is answered on, the key a success would carry).
READS = {
    "ctera_user_info": ("portal", "/admin/api/users", "users"),
    "ctera_share_info": ("edge", "/admingui/api/config/fileservices/share", "shares"),
    "edge_info": ("edge", "/admingui/api/proc/cloudsync/serviceStatus", "edge"),
    "cloutility_consumer_info": ("cloutility", "/v1/bunits/102/consumers", "consumers"),
    # Not the node itself: for a unit without a node Cloutility may answer an empty body (docs/protocol-cloutility.md).
    "backup_node_info": ("cloutility", "/v1/bunits/76/consumers", "nodes"),
    "inventory:ctera_portal": ("portal", "/admin/api/devices", None),
}
# Kind -> words of which one must be in the error (what came back).
KINDS = {
    "html": ("HTML", "text/html"),
    "json": ("JSON", "application/json", '{"status": "ok"}'),
    "xml": ("XML", "xml"),
    "empty": ("empty",),
    "redirect": ("redirect", "302", "captive.example"),
    # 10 MB, under the 16 MiB cap on what is read: refused as the wrong format or shape, and the result is bounded.
    "large": ("larger than", " bytes: ", "not a list or a page of items"),
}
MAX_RESULT_CHARS = 20000


def inventory(sims, tmp_path):
    _ensure_collection_link()
    path = tmp_path / "fleet.ctera_portal.yml"
    path.write_text("plugin: filefleet.office.ctera_portal\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_NOCOLOR="1", ANSIBLE_INVENTORY_UNPARSED_FAILED="true", **portal_env(sims))
    return subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list"], capture_output=True,
                          text=True, env=env, cwd=str(tmp_path), timeout=300, check=False)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_reader_fails_clearly_on_an_answer_that_is_not_the_apis(sims, tmp_path, kind):
    entries = {"portal": sims.info["portal"], "edge": sims.info["edges"][0], "cloutility": sims.info["cloutility"]}
    plans = dict((name, {"foreign": []}) for name in entries)
    for service, path, _key in READS.values():
        plans[service]["foreign"].append({"kind": kind, "count": 1000, "path": path})
    for name, entry in entries.items():
        sims.faults(entry, plans[name])
    env = dict(portal_env(sims))
    env.update(edge_env(sims, 0))
    env.update(cloutility_env(sims))
    outcome = {}
    listing = threading.Thread(target=lambda: outcome.update(proc=inventory(sims, tmp_path)))
    listing.start()
    try:
        run = run_playbook(PLAYBOOK, env=env)
        listing.join(timeout=300)
        stats = dict((name, sims.stats(entry)) for name, entry in entries.items())
    finally:
        for entry in entries.values():
            sims.faults(entry, {})

    failures = []
    for module, (service, path, key) in sorted(READS.items()):
        hits = sum(n for k, n in stats[service]["fault_hits"].items() if k.startswith("foreign ") and k.split(" ", 2)[2].startswith(path))
        if key is None:
            proc = outcome["proc"]
            failed, message, size = proc.returncode != 0, proc.stderr, len(proc.stdout)
            shown = ([line for line in message.splitlines() if path in line] or [message])[0]
        else:
            record = [t for t in run.tasks if t["task"] == "Module " + module][-1]
            failed, message = record["status"] == "failed", record["result"].get("msg", "")
            size = len(json.dumps(record["result"]))
            shown = message if key not in record["result"] else "success with %s" % key
        held = (failed and hits > 0 and path in message and any(word in message for word in KINDS[kind])
                and size <= MAX_RESULT_CHARS and (key is None or key not in record["result"]))
        reliability_log.record("hostile_answer", "%s answer to %s" % (kind, path), module,
                               "error" if held else "FAILED", requests=hits, detail=shown[:300])
        if not held:
            failures.append((module, failed, hits, size, shown[-500:]))
    assert not failures, failures
