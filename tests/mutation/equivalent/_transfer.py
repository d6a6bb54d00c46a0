# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_transfer.py (see README.md; docs/mutation/transfer.md). Each was read
from its diff against the file as of the Direct IO stop-after-failure and single re-login fixes."""

M = "_transfer."
BW = M + "xǁBlockWorkerǁ"
CF = M + "xǁCloudFilesǁ"
MF = M + "xǁMultipartFileǁ"
COUNTER = ("direct_blocks/fallbacks: counters that nothing reads (no result, no message, no decision uses them), so "
           "any value is the same")

ENTRIES = (
    # -- pure functions
    (M + "x_remote_mtime", (13, 14),
     "replace('XXZXX'|'z', '+00:00'): Python 3.11's fromisoformat reads a trailing 'Z' itself (the test of 'Z' kills "
     "them on Python 3.10)"),
    (M + "x_remote_mtime", (7,), "a missing lastmodified read as 'XXXX' instead of '': neither parses, None either way"),
    (M + "x_unwrap_key", (28,),
     "'0 <= plain[-1]': a last byte 0 cuts the whole text (plain[:-0] is empty); a key whose decrypted text ends in "
     "NUL is refused either way (the original fails decoding '...\\0', the mutant json.loads('')), no key comes out; "
     "only which decoding error names the refusal can differ"),
    (M + "x_unwrap_key", (37,), "codec name 'UTF-8': codec names are case-insensitive"),
    # -- the multipart body
    (MF + "__init__", (1,), "io.RawIOBase.__init__(None): the base initialiser sets nothing the body reads"),
    (MF + "__init__", (35, 42), "codec names 'UTF-8'/'ASCII': codec names are case-insensitive"),
    (MF + "__init__", (48, 49), "self.sent = None/1: an attribute nothing reads"),
    (MF + "read", (6, 7),
     "read(0) gives a 1 MiB piece instead of one byte: no reader asks for 0 bytes (http.client reads 8 KiB blocks, "
     "readinto the buffer's length, which is never empty)"),
    (MF + "read", (14,), "'pos > total': at pos == total the tail slice is empty, b'' either way"),
    (MF + "read", (16, 17), "the initial value of out: every branch below assigns it before it is used"),
    # -- Direct IO clients (secrets)
    (CF + "_api", (15, 19, 20),
     "the Direct IO client's redactor not the session's one (or the secret not added to it): this client sends only "
     "the access key id (bearer), never the S3 secret or the session password, and its errors carry no server text "
     "(block map errors: status and the /directio/<id> URL); a fresh Redactor masks pre-signed URL signatures the "
     "same way; ctera_file registers the secret on the session's redactor itself"),
    (CF + "_storage_clients", (14, 19),
     "the storage clients' redactor not the session's one: they send only pre-signed URLs (no cookie, no "
     "credential), and a fresh Redactor masks the URLs' signatures the same way, so no error text differs"),
    (CF + "block_map", (9,), "'get': HttpClient.request upper-cases the method"),
    (CF + "block_map", (61,), "codec name 'UTF-8': codec names are case-insensitive"),
    # -- Direct IO downloads (numbers as of the stop-after-failure fix)
    (CF + "__init__", (25, 27), COUNTER),
    (CF + "_direct", (132, 133, 134), COUNTER),
    (CF + "_direct", (36,), "a missing compression type read as 'none': upper-cased to 'NONE' like the default"),
    (CF + "_direct", (105,),
     "last = '' before the attempts: every attempt assigns it (None on success, the error's text on failure), and a "
     "worker that stops before an attempt returns without reading it"),
    (CF + "_direct", (112, 115),
     "min(3.0, ...) / 0.2 * (2 * attempt): with 3 attempts the pauses are 0.4 and 0.8 s either way (under 2 s)"),
    (CF + "_direct", (118,),
     "'failed <= number': a block's own number is never among the failures while a worker still tries it (one "
     "worker holds a block, and records its failure only when it stops trying it)"),
    (CF + "_direct", (129,),
     "type(None).__name__ for an error with an empty text: no block failure has one (every ValueError/TransportError "
     "of a block carries its message, OSErrors are wrapped in 'the block was cut short: ...')"),
    (CF + "_direct", (139, 142, 145), "the worker threads' names: nothing reads them"),
    (CF + "_direct", (140, 143, 147),
     "daemon None/left out/False: the workers are joined before _direct goes on; daemon only matters to threads still "
     "running when the interpreter exits"),
    # -- BlockWorker
    (BW + "__init__", (11,),
     "a scratch buffer of PIECE + 17 bytes: update_into needs at most PIECE + 15 for a PIECE of input"),
    (BW + "_gunzip", (7,),
     "decompressobj(32) (zlib or gzip, by header) for 31 (gzip): _gunzip only sees data that starts with the gzip "
     "magic, so both read it as gzip, member by member"),
    (BW + "fetch", (28, 29),
     "the initial pos (None/1): both branches assign pos before it is read, and an exception never reads it"),
    (BW + "fetch", (39,),
     "17 bytes of slack instead of 16: the buffer is one byte longer; every read and slice is bounded by the length"),
    (BW + "fetch", (67,),
     "pos = None without Content-Length: view[:None] is the whole buffer, which holds exactly the bytes received"),
    (BW + "fetch", (81,),
     "a missing ETag read as 'XXXX': it is not 32 characters, so no MD5 check, like ''"),
    (BW + "fetch", (82,),
     "strip('XX\"XX'): an MD5 ETag is hexadecimal (no 'X'); a longer multipart ETag is not checked either way"),
    (BW + "decrypt", (33,),
     "step = min(PIECE, len + src): on the last piece the slice stored[src:src + PIECE] ends at the end anyway and "
     "src passes the length, ending the loop; the other pieces are PIECE either way"),
    (BW + "run", (49,),
     "int.from_bytes without 'big': Python 3.11+ defaults to big-endian (on 3.10 the mutant raises TypeError)"),
    (BW + "_read_into", (9,),
     "'source is None and not hasattr(...)': urllib3's _fp is always an http.client response, which has readinto, "
     "and a missing one (None) takes the streamed path either way"),
    (BW + "_read_into", (38,),
     "'pos <= length': one more readinto of an empty view at the end, which returns 0 and breaks"),
    (BW + "_read_into", (52,),
     "release_conn also after a body cut short: requests' Response.close (fetch's finally) releases the connection "
     "anyway, and urllib3 replaces a dropped connection before reusing it"),
    # -- downloads, uploads
    (CF + "download", (27, 28, 29), COUNTER),
    (CF + "read_into", (21, 22, 23), COUNTER),
    (CF + "read_into", (30,),
     "the WebDAV temporary file in mkstemp's default directory: None means tempfile.gettempdir(), the same one"),
    (CF + "upload", (43,), "attempts (1, 3): only 'attempt == 1' is ever tested, the second attempt behaves the same"),
    (CF + "upload", (49, 54),
     "idempotent None or left out: a POST is not idempotent by default, False either way (never sent again)"),
    (CF + "upload", (56,), "'post': HttpClient.request upper-cases the method"),
    (CF + "upload", (108,), "from_xml(b'') for an empty answer: it returns None, the else branch's value"),
    (CF + "upload", (117,),
     "'XX0XX' for '0' among the accepted rc values: from_xml decodes <val>0</val> as the number 0, never the text"),
    (CF + "upload", (73, 77),
     "the status of a dropped upload's TransferError None or left out: every TransportError HttpClient.request raises "
     "has status None, so the error is the same"),
    (CF + "upload_many", (22,),
     "max_workers=None: each upload takes one of exactly files_in_flight connections from a queue, so at most that "
     "many run at once"),
    (CF + "_session_expired", (4, 7),
     "idempotent None or left out on the probe GET: a GET is idempotent by default, retried the same"),
    (CF + "_session_expired", (9,), "'get': HttpClient.request upper-cases the method"),
)
