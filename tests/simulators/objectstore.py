# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The object storage behind the simulated Portal: serves the stored blocks of cloud folder files at the pre-signed
URLs the Portal's Direct IO answer hands out (spec section 6.1, step 3).

It runs on a listener of its own (another port, as a bucket is another host), shares the Portal's lock and fault
plan (``POST /_sim/faults`` on either listener reaches both) and reads the blocks the Portal wrote to its state dir.

Inferred behaviour (the SDK only GETs the URL, with no auth header, and reads the body):

* A URL is ``{store}/{bucket}/{block key}?X-Amz-Expires=..&X-Amz-Date=..&X-Amz-Signature=..``, signed by the Portal
  with a secret of its own (HMAC-SHA256 over the path and the expiry). A wrong signature or an expired URL answers
  403 with an S3 error document (``SignatureDoesNotMatch``, ``AccessDenied``), a missing block 404
  (``NoSuchKey``), as S3 does.
* Each answer carries ``ETag: "<MD5 of the stored bytes>"``, as S3 does for an object stored in one piece; a client
  may check the bytes it received against it. (The block key ends in that MD5, so it is known without a read.)
"""

from __future__ import annotations

import hmac
import os
import time

from simulators._base import Response, Service

BUCKET = "ctera-blocks"


def s3_error(status, code, message):
    body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>" % (
        code, message)
    return Response(status, body, "application/xml")


class ObjectStoreService(Service):
    """Pre-signed block reads for the Portal simulator (see module docstring)."""

    kind = "objectstore"

    def __init__(self, portal):
        self.portal = portal
        Service.__init__(self, None, name="objectstore")
        self.lock = portal.lock

    # The Portal's fault plan, so one plan reaches both listeners.
    @property
    def faults(self):
        return self.portal.faults

    @faults.setter
    def faults(self, _value):
        pass

    def _sim_endpoint(self, request):
        if request.path in ("/_sim/state", "/_sim/reset"):
            return self.portal._sim_endpoint(request)  # pylint: disable=protected-access
        return Service._sim_endpoint(self, request)

    def route(self, request):
        parts = request.path.strip("/").split("/")
        if request.method not in ("GET", "HEAD") or len(parts) != 2 or parts[0] != BUCKET:
            return s3_error(405 if len(parts) == 2 else 404, "MethodNotAllowed" if len(parts) == 2 else "NoSuchBucket",
                            "Not supported")
        key = parts[1]
        expires = request.query_one("X-Amz-Expires")
        signature = request.query_one("X-Amz-Signature", "")
        if expires is None or not hmac.compare_digest(signature, self.portal.sign_block_url(key, expires)):
            return s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        if int(expires) < time.time():
            return s3_error(403, "AccessDenied", "Request has expired")
        path = self.portal.block_path(key)
        if not os.path.exists(path):
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        # Sent piece by piece after the lock is released (see _base.Response.stream): block reads run in parallel.
        response = Response(200, b"", "application/octet-stream", [("ETag", '"%s"' % key.rsplit("-", 1)[1])])
        response.stream = _pieces(path)
        response.stream_length = os.path.getsize(path)
        return response


def _pieces(path, size=1024 * 1024):
    with open(path, "rb") as handle:
        while True:
            piece = handle.read(size)
            if not piece:
                return
            yield piece
