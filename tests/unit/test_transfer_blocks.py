# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Direct IO block pipeline of module_utils/_transfer.py (BlockWorker) against blocks encoded here the way
object storage holds them (compressed, then byte 0 + IV + AES-256-CBC/PKCS#7): every codec, encrypted or not, is
written byte-exact at its offset; byte ranges clip; a wrong ETag, a cut body or a wrong length is refused."""

import gzip
import hashlib
import os
import secrets

import cramjam
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ansible_collections.filefleet.office.plugins.module_utils._transfer import BlockWorker, PIECE


def encode(data, key, compression):
    if compression == "gzip":
        half = len(data) // 2  # two members, as a concatenating writer would make
        data = gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0)
    elif compression == "snappy":
        data = bytes(cramjam.snappy.compress_raw(data))
    elif compression == "snappy-java":
        out = [b"\x82SNAPPY\x00" + b"\0\0\0\1\0\0\0\1"]
        for start in range(0, len(data), 32768):
            piece = bytes(cramjam.snappy.compress_raw(data[start:start + 32768]))
            out.append(len(piece).to_bytes(4, "big") + piece)
        data = b"".join(out)
    if key is None:
        return data
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    iv = secrets.token_bytes(16)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return b"\x01" + iv + encryptor.update(padded) + encryptor.finalize()


class Raw:
    def __init__(self, body, cut=None):
        self.body, self.cut = body, cut

    def stream(self, size, decode_content=True):
        assert decode_content is False  # the ETag is over the stored bytes
        end = len(self.body) if self.cut is None else self.cut
        for start in range(0, end, size):
            yield self.body[start:min(start + size, end)]


class Answer:
    def __init__(self, body, etag=None, cut=None, status=200, length=True):
        self.status_code = status
        self.raw = Raw(body, cut)
        self.headers = {"ETag": '"%s"' % (etag or hashlib.md5(body).hexdigest())}
        if length:
            self.headers["Content-Length"] = str(len(body))
        self.closed = False

    def close(self):
        self.closed = True


class Storage:
    def __init__(self, answers):
        self.answers = answers

    def __call__(self, url):
        return self

    def request(self, method, url, idempotent=None, stream=False):
        assert (method, idempotent, stream) == ("GET", True, True)
        return self.answers[url]


def _run(tmp_path, blocks, key, compression, byte_range=None, **answer):
    answers, chunks, start = {}, [], 0
    for number, plain in enumerate(blocks):
        url = "https://store/b/%d" % number
        answers[url] = Answer(encode(plain, key, compression), **answer)
        chunks.append(({"url": url, "len": len(plain)}, start))
        start += len(plain)
    target = str(tmp_path / "out.bin")
    fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        worker = BlockWorker(Storage(answers), fd, key, compression != "none", byte_range)
        for chunk, offset in reversed(chunks):  # out of order on purpose: each block lands at its offset
            worker.run(chunk, offset)
    finally:
        os.close(fd)
    assert all(a.closed for a in answers.values())
    with open(target, "rb") as handle:
        return handle.read()


BLOCKS = [os.urandom(PIECE + 5) + b"office " * 70000, b"policy " * 3, os.urandom(3 * PIECE + 1)]


@pytest.mark.parametrize("compression", ["none", "gzip", "snappy", "snappy-java"])
@pytest.mark.parametrize("encrypted", [True, False])
def test_every_codec_written_byte_exact(tmp_path, compression, encrypted):
    key = secrets.token_bytes(32) if encrypted else None
    assert _run(tmp_path, BLOCKS, key, compression) == b"".join(BLOCKS)


def test_no_content_length_still_read_whole(tmp_path):
    key = secrets.token_bytes(32)
    assert _run(tmp_path, BLOCKS, key, "snappy", length=False) == b"".join(BLOCKS)


def test_byte_range_clips_across_blocks(tmp_path):
    whole = b"".join(BLOCKS)
    first, last = len(BLOCKS[0]) - 10, len(BLOCKS[0]) + len(BLOCKS[1]) + 4
    assert _run(tmp_path, BLOCKS, secrets.token_bytes(32), "gzip", (first, last)) == whole[first:last + 1]


@pytest.mark.parametrize("answer, message", [
    ({"etag": "0" * 32}, "checksum mismatch"),
    ({"cut": 1000}, r"1000 of \d+ bytes"),
    ({"status": 503}, "HTTP 503"),
])
def test_bad_blocks_refused(tmp_path, answer, message):
    with pytest.raises(ValueError, match=message):
        _run(tmp_path, BLOCKS[:1], secrets.token_bytes(32), "snappy", **answer)


@pytest.mark.parametrize("compression", ["none", "gzip", "snappy", "snappy-java"])
def test_length_other_than_the_block_map_refused(tmp_path, compression):
    key = secrets.token_bytes(32)
    answers = {"u": Answer(encode(BLOCKS[1] + b"x", key, compression))}
    fd = os.open(str(tmp_path / "f"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        with pytest.raises(ValueError, match="block map says"):
            BlockWorker(Storage(answers), fd, key, compression != "none").run({"url": "u", "len": len(BLOCKS[1])}, 0)
    finally:
        os.close(fd)


def test_tls_session_cut_short_is_a_connection_failure_not_a_trust_problem():
    import ssl
    import requests
    from ansible_collections.filefleet.office.plugins.module_utils._http import _verification_failed
    cut = requests.exceptions.SSLError(ssl.SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2427)"))
    refused = requests.exceptions.SSLError(ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"))
    assert not _verification_failed(cut) and _verification_failed(refused)
