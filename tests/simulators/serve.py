#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the CTERA Portal, Edge Filer and Cloutility simulators on 127.0.0.1.

    python tests/simulators/serve.py --portal-port 9443 --state-dir /tmp/sim
    python tests/simulators/serve.py --portal-port 0 --edge-port 0 --edge-count 4 --cloutility-port 0 --state-dir D

    python tests/simulators/serve.py --portal-port 0 --edge-port 0 --edge-count 4 --edge-tenants acme,globex --state-dir D

``--edge-tenants`` registers the filers on the portal as devices of those tenants (consecutive blocks), so the
portal lists them as a real portal lists the filers connected to it; each edge entry of the ready line then
carries its ``tenant``. A port of 0 picks a free one (for ``--edge-port``: a free block of ``--edge-count`` consecutive ports).
When every listener is up, exactly one JSON line is printed on stdout:

    {"portal": {"url", "username", "password", "ca_path"}, "edges": [...], "cloutility": {...},
     "directory": {"domain", "username", "password"}}

``--edge-factory`` (with ``--edge-factory-count K``: the first K filers) starts filers factory-fresh: their edge
entries carry ``"factory": true`` and the ``username``/``password`` the setup is expected to create. Every edge
entry (and the top level) names the simulated Active Directory the filers can join (``directory``).

State lives in ``--state-dir`` (one JSON file per service), so a restart keeps every object.
SIGTERM or SIGINT stops the servers cleanly.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simulators._base import Listener, TLSMaterial  # noqa: E402  pylint: disable=wrong-import-position


def _port_free(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_block(host, count):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        start = sock.getsockname()[1]
    for base in list(range(start, 60000 - count, count + 7)) + list(range(20000, 60000 - count, count + 7)):
        if all(_port_free(host, base + i) for i in range(count)):
            return base
    raise SystemExit("no block of %d free consecutive ports" % count)


def _directory_password(state_dir):
    """The password of the simulated Active Directory's administrator: one per state directory, kept across
    restarts (every filer of the run joins the same directory)."""
    from simulators._base import random_secret

    path = os.path.join(state_dir, "directory.json")
    if os.path.exists(path):
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)["password"]
    password = random_secret()
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"password": password}, handle)
    return password


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", required=True, help="where state, CA and credentials are kept")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--portal-port", type=int, help="serve a CTERA Portal on this port (0: any free port)")
    parser.add_argument("--edge-port", type=int, help="first port of the Edge Filers (0: any free block)")
    parser.add_argument("--edge-count", type=int, default=1, help="how many Edge Filers (default 1)")
    parser.add_argument("--edge-prefix", default="edge", help="name prefix of the simulated filers")
    parser.add_argument("--edge-factory", action="store_true",
                        help="start the filers factory-fresh: no administrator yet (the ready line's username and "
                             "password are the ones setup is expected to create), the first-time wizard on, a default "
                             "host name, not joined to a domain, not connected to a portal, no license")
    parser.add_argument("--edge-factory-count", type=int,
                        help="with --edge-factory: only the first K filers start factory-fresh (default: all)")
    parser.add_argument("--edge-tenants", default="",
                        help="comma-separated portal tenants to register the filers on as devices, in consecutive "
                             "blocks (e.g. 'acme,globex' with 4 filers: 2 each); needs --portal-port")
    parser.add_argument("--cloutility-port", type=int, help="serve Cloutility on this port (0: any free port)")
    parser.add_argument("--plain-http", action="store_true", help="serve plain HTTP instead of TLS")
    parser.add_argument("--session-timeout", type=float, default=1800.0,
                        help="idle seconds before a Portal/Edge session expires (default 1800)")
    parser.add_argument("--token-lifetime", type=int, default=299,
                        help="Cloutility access token lifetime in seconds (default 299)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.portal_port is None and args.edge_port is None and args.cloutility_port is None:
        raise SystemExit("nothing to serve: give --portal-port, --edge-port and/or --cloutility-port")
    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    tls = None if args.plain_http else TLSMaterial(state_dir)
    ca_path = tls.ca_path if tls else None
    listeners = []
    ready = {}
    portal_service = None
    edges = []
    edge_services = []

    if args.portal_port is not None:
        from simulators.portal import PortalService

        service = portal_service = PortalService(os.path.join(state_dir, "portal.json"),
                                                 session_timeout=args.session_timeout)
        listener = Listener(service, args.portal_port, args.host, tls)
        listeners.append(listener)
        ready["portal"] = dict(service.credentials(), url=listener.url, ca_path=ca_path)
        # The object storage the Portal's Direct IO answers point at: a listener of its own (simulators/objectstore.py).
        from simulators.objectstore import ObjectStoreService

        store = Listener(ObjectStoreService(service), 0, args.host, tls)
        listeners.append(store)
        service.object_store_url = ready["portal"]["object_store_url"] = store.url

    if args.edge_port is not None:
        from simulators.edge import EdgeService

        count = max(1, args.edge_count)
        base = args.edge_port or _free_block(args.host, count)
        factory = (count if args.edge_factory_count is None else max(0, args.edge_factory_count)) \
            if args.edge_factory else 0
        directory_password = _directory_password(state_dir)
        edges = []
        for index in range(count):
            name = "%s-%03d" % (args.edge_prefix, index + 1)
            service = EdgeService(os.path.join(state_dir, "%s.json" % name), name=name, index=index,
                                  session_timeout=args.session_timeout, factory=index < factory,
                                  directory_password=directory_password)
            listener = Listener(service, base + index, args.host, tls)
            listeners.append(listener)
            edges.append(dict(service.credentials(), url=listener.url, ca_path=ca_path, name=name))
            edge_services.append(service)
        ready["edges"] = edges
        ready["directory"] = edge_services[0].directory_credentials()

    tenants = [t.strip() for t in args.edge_tenants.split(",") if t.strip()]
    if portal_service is not None and edges:
        # Each filer is linked to the portal: connecting to the portal's address ("host:port" of its URL) makes it
        # a device of the connecting user's tenant. With --edge-tenants, the filers that start connected are
        # devices of those tenants already, as a real portal lists the filers that connected to it.
        address = ready["portal"]["url"].split("://", 1)[1]
        for index, edge in enumerate(edges):
            tenant = tenants[index * len(tenants) // len(edges)] if tenants else None
            edge_services[index].link_portal(portal_service, address, tls is not None, edge["url"], tenant=tenant)
            if tenant:
                edge["tenant"] = tenant

    if args.cloutility_port is not None:
        from simulators.cloutility import CloutilityService

        service = CloutilityService(os.path.join(state_dir, "cloutility.json"), token_lifetime=args.token_lifetime)
        listener = Listener(service, args.cloutility_port, args.host, tls)
        listeners.append(listener)
        ready["cloutility"] = dict(service.credentials(), url=listener.url, ca_path=ca_path)

    for listener in listeners:
        listener.start()

    stop = threading.Event()

    def _on_signal(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    with open(os.path.join(state_dir, "ready.json"), "w", encoding="utf-8") as handle:
        json.dump(ready, handle)
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    # Stop every listener at once: each shutdown waits for its serve_forever poll (0.5 s), so 300 filers
    # stopped one after another would take minutes.
    stoppers = [threading.Thread(target=listener.stop) for listener in listeners]
    for thread in stoppers:
        thread.start()
    for thread in stoppers:
        thread.join()
    for listener in listeners:
        listener.service.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
