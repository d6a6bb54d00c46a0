# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start ``serve.py`` as a child process from tests, benchmarks and the demo, and talk to ``/_sim/*``."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

SERVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve.py")


class Simulators:
    """``with Simulators(state_dir, portal=True, edges=2, cloutility=True) as sims: sims.info[...]``"""

    def __init__(self, state_dir, portal=False, edges=0, cloutility=False, plain_http=False, extra_args=(),
                 timeout=60, edge_factory=None):
        """``edge_factory``: True starts every filer factory-fresh (serve.py ``--edge-factory``), a number K the
        first K of them."""
        self.state_dir = state_dir
        self.args = [sys.executable, SERVE, "--state-dir", state_dir]
        if portal:
            self.args += ["--portal-port", "0"]
        if edges:
            self.args += ["--edge-port", "0", "--edge-count", str(edges)]
        if edge_factory:
            self.args.append("--edge-factory")
            if edge_factory is not True:
                self.args += ["--edge-factory-count", str(int(edge_factory))]
        if cloutility:
            self.args += ["--cloutility-port", "0"]
        if plain_http:
            self.args.append("--plain-http")
        self.args += list(extra_args)
        self.timeout = timeout
        self.proc = None
        self.info = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read()
            raise RuntimeError("simulators did not start: %s" % err)
        self.info = json.loads(line)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()

    def restart(self, pause=0.0):
        """Stop the services (they save their state) and start them again on the same ports after ``pause``
        seconds: a restarted server keeps its objects and forgets its sessions."""
        ports = {"--portal-port": self.info.get("portal"), "--cloutility-port": self.info.get("cloutility"),
                 "--edge-port": (self.info.get("edges") or [None])[0]}
        args = list(self.args)
        for flag, entry in ports.items():
            if entry and flag in args:
                args[args.index(flag) + 1] = entry["url"].rsplit(":", 1)[1]
        self.stop()
        time.sleep(pause)
        self.args = args
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- /_sim helpers -----------------------------------------------------------
    def _ctx(self, entry):
        if entry.get("ca_path"):
            return ssl.create_default_context(cafile=entry["ca_path"])
        return None

    def sim_call(self, entry, path, method="GET", data=None):
        body = json.dumps(data).encode() if data is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(entry["url"] + path, data=body, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self._ctx(entry), timeout=self.timeout) as resp:
            return json.loads(resp.read().decode())

    def stats(self, entry):
        return self.sim_call(entry, "/_sim/stats")

    def reset(self, entry):
        return self.sim_call(entry, "/_sim/reset", "POST")

    def faults(self, entry, plan):
        return self.sim_call(entry, "/_sim/faults", "POST", plan)

    def state(self, entry):
        return self.sim_call(entry, "/_sim/state")

    def seed_drive_owner(self, username, full_name, password, drive, tenant="acme", s3_key=True):
        """Through cterasdk (a client we did not write), as the Portal's global administrator: an end user
        ``username`` (``full_name``: first and last name, which name the user's folder in cloud paths) in
        ``tenant`` with a folder group ``<username>-fg`` and a cloud drive ``drive``, and (with ``s3_key``) an S3
        access key of that user. Returns ``(key, uid)``: the key (``accessKey``, ``secretKey``;
        None without ``s3_key``) and the drive's id in the simulator's state. Also makes cterasdk's Direct IO
        client (aiohttp) trust the simulator's CA."""
        import aiohttp.connector  # pylint: disable=import-outside-toplevel
        import cterasdk  # pylint: disable=import-outside-toplevel
        from cterasdk import core_types  # pylint: disable=import-outside-toplevel
        from cterasdk.core.enum import Role  # pylint: disable=import-outside-toplevel
        portal = self.info["portal"]
        aiohttp.connector._SSL_CONTEXT_VERIFIED.load_verify_locations(  # pylint: disable=protected-access
            cafile=portal["ca_path"])
        host, port = portal["url"].split("://", 1)[1].rsplit(":", 1)
        admin = cterasdk.GlobalAdmin(host, int(port))
        admin.login(portal["username"], portal["password"])
        try:
            admin.portals.browse(tenant)
            first, last = full_name.split(" ", 1)
            admin.users.add(username, "%s@%s.example" % (username, tenant), first, last, password, Role.EndUser)
            owner = core_types.UserAccount(username)
            admin.cloudfs.groups.add(username + "-fg", owner)
            admin.cloudfs.drives.add(drive, group=username + "-fg", owner=owner)
            key = admin.users.credentials.s3.create(owner) if s3_key else None
        finally:
            admin.logout()
        drives = self.state(portal)["tenants"][tenant]["cloud_drives"]
        uid = next(int(u) for u, d in drives.items() if d["name"] == drive)
        return key, uid
