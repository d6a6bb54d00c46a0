# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets in every encoding stay out of the output (issue 10), in both execution modes: the simulators answer a
Portal write, an Edge backup write and the Cloutility login with an error whose body echoes every secret the
client holds (the service passwords, a user's password, a backup passphrase) plain, URL-encoded, base64, as
``user:secret`` in base64 and in an Authorization header, JSON- and XML-escaped. The run uses -vvv and --diff;
every encoding of every secret is counted in everything the run printed or recorded and must be absent, and so
must pieces of one (a message cut inside an encoded secret before redaction leaked most of a base64 password). Each
(module, secret) is recorded for docs/reliability.md (suite secrets, the occurrence count)."""

import base64
import binascii
import json
import re
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

import reliability_log
from integration_support import cloutility_env, edge_env, playbook_path, portal_env, run_playbook

PLAYBOOK = playbook_path("secret_echo.yml")
# Characters that every encoding changes differently (space, &, +, /, <, a non-ASCII letter).
USER_PASSWORD = "Echo pass&word+/<1>ü"
PASSPHRASE = "Bkp phrase=2&x+y/ö"


def encodings(secret, username=None):
    """Every form a client or a server might show a secret in."""
    forms = {"plain": secret, "url": quote(secret, safe=""), "url_plus": quote_plus(secret),
             "base64": base64.b64encode(secret.encode("utf-8")).decode("ascii"),
             "json": json.dumps(secret)[1:-1], "xml": escape(secret)}
    if username:
        basic = base64.b64encode(("%s:%s" % (username, secret)).encode("utf-8")).decode("ascii")
        forms["basic"] = basic
    return forms


def partial_leaks(output, secret, username=None):
    """Pieces of a secret that escaped redaction because the text was cut inside an encoded form: any 8 characters
    of a textual form in a row, or any 6 characters of the secret inside a base64 run of the output."""
    found = 0
    for name, form in encodings(secret, username).items():
        if name in ("base64", "basic"):
            continue
        found += sum(1 for i in range(len(form) - 7) if form[i:i + 8] in output and form[i:i + 8] not in (username or ""))
    raw = secret.encode("utf-8")
    windows = set(raw[i:i + 6] for i in range(len(raw) - 5))
    for run in set(re.findall(r"[A-Za-z0-9+/_-]{8,}", output)):
        for start in range(4):
            chunk = run[start:]
            chunk = chunk[:len(chunk) - len(chunk) % 4].replace("-", "+").replace("_", "/")
            try:
                decoded = base64.b64decode(chunk)
            except (binascii.Error, ValueError):
                continue
            if any(window in decoded for window in windows):
                found += 1
                break
    return found


def echo(*secrets):
    """An error body that repeats every encoding of each (secret, username)."""
    parts = []
    for secret, username in secrets:
        for name, form in sorted(encodings(secret, username).items()):
            parts.append("%s=%s" % (name, form))
        if username:
            parts.append("Authorization: Basic %s" % encodings(secret, username)["basic"])
    return "request refused; echo: " + " | ".join(parts)


def test_no_secret_in_any_encoding_reaches_the_output(sims, execution_mode):
    portal, edge, clou = sims.info["portal"], sims.info["edges"][1], sims.info["cloutility"]
    secrets = {
        "ctera_user": [("portal password", portal["password"], portal["username"]),
                       ("user password", USER_PASSWORD, None)],
        "edge_backup": [("edge password", edge["password"], edge["username"]), ("backup passphrase", PASSPHRASE, None)],
        "cloutility_consumer": [("cloutility password", clou["password"], clou["username"])],
    }
    bodies = dict((module, echo(*[(secret, user) for _label, secret, user in rows])) for module, rows in secrets.items())
    sims.faults(portal, {"errors": [{"status": 400, "count": 1, "method": "POST", "path": "/admin/api/users",
                                     "body": bodies["ctera_user"]}]})
    sims.faults(edge, {"errors": [{"status": 500, "count": 1, "method": "PUT", "path": "/admingui/api/config/backup",
                                   "body": bodies["edge_backup"]}]})
    sims.faults(clou, {"errors": [{"status": 503, "count": 10, "path": "/v1/oauth", "body": bodies["cloutility_consumer"]}]})
    env = dict(portal_env(sims))
    env.update(edge_env(sims, 1))
    env.update(cloutility_env(sims))
    try:
        run = run_playbook(PLAYBOOK, env=env, extra_vars={"user_password": USER_PASSWORD, "passphrase": PASSPHRASE},
                           verbosity=3, diff=True)
    finally:
        for entry in (portal, edge, clou):
            sims.faults(entry, {})
    # The echo reached the client: each task failed on its injected error.
    for module in secrets:
        record = [t for t in run.tasks if t["task"] == "Module " + module][-1]
        assert record["status"] == "failed", (module, record["result"])
        assert "echo" in json.dumps(record["result"]), (module, record["result"])
    output = run.stdout + run.stderr + json.dumps(run.records)
    leaks = []
    for module, rows in sorted(secrets.items()):
        for label, secret, user in rows:
            count = 0
            for form_name, form in sorted(encodings(secret, user).items()):
                found = output.count(form)
                count += found
                if found:
                    leaks.append((module, label, form_name, found))
            pieces = partial_leaks(output, secret, user)
            if pieces:
                leaks.append((module, label, "pieces", pieces))
            count += pieces
            reliability_log.record("secrets", "%s in every encoding (-vvv, --diff, echoed in an error)" % label, module,
                                   "ok" if count == 0 else "FAILED", secrets=count)
    assert not leaks, leaks
