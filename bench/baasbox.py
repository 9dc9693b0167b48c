"""BaasBox document API: server time of the issue-10 operations on a collection of N documents.

Usage: baasbox.py URL ADMIN_PASSWORD N
Creates the collection `bench` as the built-in admin, signs up a user, stores N documents
({"title": "doc i", "n": i, "group": i % 100, "tags": [...]}) one request at a time over one
keep-alive connection (documents/s), then for each operation sends 20 warm-up requests and 50
measured ones and reports the median time to the response headers:

  get_by_id     GET /document/bench/{id}
  where_page    GET /document/bench?where=group = ?&params=7&recordsPerPage=100&page=0
  count         GET /document/bench/count
  count_where   GET /document/bench/count?where=n > ?&params=<N/2>
  login         POST /login (bounded by the password hash)
"""
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse

url, admin_password, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
APP = {'X-BAASBOX-APPCODE': '1234567890'}
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)


def call(method, path, body=None, headers=None, form=False):
    h = dict(APP)
    if body is not None:
        h['Content-Type'] = 'application/x-www-form-urlencoded' if form else 'application/json'
    h.update(headers or {})
    data = None if body is None else (urllib.parse.urlencode(body) if form else json.dumps(body))
    conn.request(method, '/baasbox' + path, body=data, headers=h)
    res = conn.getresponse()
    raw = res.read()
    if res.status >= 300:
        raise SystemExit(f'baasbox.py: {method} {path} answered {res.status}: {raw[:300]!r}')
    return json.loads(raw)['data']


import base64
admin = {'Authorization': 'Basic ' + base64.b64encode(f'admin:{admin_password}'.encode()).decode()}
call('POST', '/admin/collection/bench', {}, admin)
token = call('POST', '/user', {'username': 'bencher', 'password': 'bench-pw'})['X-BB-SESSION']
auth = {'X-BB-SESSION': token}

ids = []
started = time.monotonic()
for i in range(n):
    doc = {'title': f'doc {i}', 'n': i, 'group': i % 100, 'tags': ['a', 'b', str(i % 7)]}
    ids.append(call('POST', '/document/bench', doc, auth)['id'])
load_s = time.monotonic() - started
print(f'# loaded {n} documents in {load_s:.1f} s: {n / load_s:.0f} documents/s', file=sys.stderr)

# Answer checks.
assert call('GET', '/document/bench/count', headers=auth) == {'count': n}
page = call('GET', '/document/bench?where=' + urllib.parse.quote('group = ?') + '&params=7&recordsPerPage=100&page=0',
            headers=auth)
assert len(page) == min(100, (n + 92) // 100) and all(d['group'] == 7 for d in page), len(page)


def ttfb(method, path, body=None, headers=None, form=False):
    h = dict(APP)
    h.update(headers or {})
    data = None
    if body is not None:
        h['Content-Type'] = 'application/x-www-form-urlencoded' if form else 'application/json'
        data = urllib.parse.urlencode(body) if form else json.dumps(body)
    started = time.perf_counter()
    conn.request(method, '/baasbox' + path, body=data, headers=h)
    res = conn.getresponse()
    elapsed = (time.perf_counter() - started) * 1000
    res.read()
    return elapsed


rng = random.Random(7)
ops = {
    'get_by_id': lambda: ttfb('GET', f'/document/bench/{rng.choice(ids)}', headers=auth),
    'where_page': lambda: ttfb('GET', '/document/bench?where=' + urllib.parse.quote('group = ?') +
                               f'&params={rng.randrange(100)}&recordsPerPage=100&page=0', headers=auth),
    'count': lambda: ttfb('GET', '/document/bench/count', headers=auth),
    'count_where': lambda: ttfb('GET', '/document/bench/count?where=' + urllib.parse.quote('n > ?') +
                                f'&params={n // 2}', headers=auth),
    'login': lambda: ttfb('POST', '/login', {'username': 'bencher', 'password': 'bench-pw', 'appcode': '1234567890'},
                          form=True),
}
print(f'documents,{n}')
print(f'load_docs_per_s,{n / load_s:.0f}')
for name, op in ops.items():
    for _ in range(20):
        op()
    print(f'single_ms:{name},{statistics.median(op() for _ in range(50)):.3f}')
