# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of _http.py's HttpClient.request, download, _read_bounded and retried_note (see README.md;
the rest of _http.py is in _http_answers.py). Checked against _http.py as of 253d3f4 with requests 2.34 and urllib3
2.8; measured in build/s3-httpreq with tests/unit/test_mutation_kills_http_request.py."""

ENTRIES = (
    ("_http.xǁHttpClientǁrequest", (135, 136),
     "headers.get('retry-after'/'RETRY-AFTER'): a requests.Response's headers are a CaseInsensitiveDict, the same "
     "Retry-After is read"),
    ("_http.xǁHttpClientǁ_read_bounded", (5, 6),
     "headers.get('content-length'/'CONTENT-LENGTH'): a requests.Response's headers are a CaseInsensitiveDict, the "
     "same Content-Length is read"),
    ("_http.xǁHttpClientǁdownload", (11,),
     "request('get', ...): request() sends method.upper(), the same GET goes on the wire and into every error"),
    ("_http.xǁHttpClientǁdownload", (71,),
     "decode('UTF-8', 'replace'): codec names are looked up case-insensitively, the same text"),
    ("_http.xǁHttpClientǁdownload", (99,),
     "'break' instead of 'continue' on an empty chunk: requests' iter_content never yields one (urllib3's stream() "
     "and read_chunked() yield only non-empty data, documented 'the empty string will never be returned'; "
     "requests' own read loop for other raw objects stops at the first empty read), so the branch is never taken"),
    ("_http.x_retried_note", (7,),
     "getattr(answer, 'retries', None) or 0: a missing attribute gives None or 0, both then replaced by 0"),
)
