"""BaasBox document API: server time of the issue-10 operations on a collection of N documents.

Usage: baasbox.py URL ADMIN_PASSWORD N [SQLITE_FILE]
Creates the collection `bench` as the built-in admin, signs up a user, and stores N documents
({"title": "doc i", "n": i, "group": i % 100, "tags": [...]}): the first min(N, 20,000) one
request at a time over one keep-alive connection (documents/s), the rest — when SQLITE_FILE, the
server's database, is given — written straight into it in the layout the server writes (table
row, node id, the author's grant; a read benchmark needs the rows, not 1M API round trips). Then
it declares the projection `group` (timed: it back-fills every document) and for each operation
sends 20 warm-up requests and 50 measured ones (2 and 10 when one takes over 200 ms) and reports
the median time to the response headers:

  get_by_id     GET /document/bench/{id}
  where_page    GET /document/bench?where=group = ?&params=7&recordsPerPage=100&page=0 (projected key)
  where_json    the same on `n` (not projected: JSON functions)
  order_page    GET /document/bench?orderBy=n desc&recordsPerPage=100&page=0 (sorted in SQL)
  count         GET /document/bench/count
  count_where   GET /document/bench/count?where=n > ?&params=<N/2>
  count_shared  count, after 100 of the documents are shared with the role `registered`
  admin_count   GET /document/bench/count as the administrator (no ACL check; session token,
                so the time is the count's, not Basic auth's password hash)
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
sqlite_file = sys.argv[4] if len(sys.argv) > 4 else None
API_DOCS = 20000
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

def make_doc(i):
    return {'title': f'doc {i}', 'n': i, 'group': i % 100, 'tags': ['a', 'b', str(i % 7)]}


ids = []
api_docs = n if sqlite_file is None else min(n, API_DOCS)
started = time.monotonic()
for i in range(api_docs):
    ids.append(call('POST', '/document/bench', make_doc(i), auth)['id'])
load_s = time.monotonic() - started
print(f'# stored {api_docs} documents through the API in {load_s:.1f} s: {api_docs / load_s:.0f} documents/s',
      file=sys.stderr)

if n > api_docs:
    import sqlite3
    import uuid
    db = sqlite3.connect(sqlite_file, timeout=60)
    table_id, mirror = db.execute("SELECT table_id, doc_field_id FROM bb_collection WHERE name = 'bench'").fetchone()
    author = db.execute("SELECT bb_author_id FROM tbl_%d LIMIT 1" % table_id).fetchone()[0]
    t = 'tbl_%d' % table_id
    started = time.monotonic()
    now_us = int(time.time() * 1e6)
    batch = 50000
    db.execute('BEGIN IMMEDIATE')
    for lo in range(api_docs, n, batch):
        rows, nodes = [], []
        for i in range(lo, min(n, lo + batch)):
            text = json.dumps(make_doc(i), separators=(',', ':'))
            u = str(uuid.uuid4())
            ids.append(u)
            rows.append((i + 1.0, now_us, now_us, u, author, now_us // 1000, text, text))
        first = db.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM {t}').fetchone()[0]
        db.executemany(f'INSERT INTO {t} (ord, created_on, updated_on, bb_uuid, bb_version, bb_author_id, '
                       f'bb_created_at, bb_doc, field_{mirror}) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)', rows)
        db.executemany("INSERT INTO bb_node (uuid, kind, table_id, row_id) VALUES (?, 'doc', ?, ?)",
                       [(r[3], table_id, first + k) for k, r in enumerate(rows)])
        db.executemany("INSERT INTO bb_acl (table_id, row_id, perm, principal_kind, principal_id) "
                       "VALUES (?, ?, 'A', 'U', ?)", [(table_id, first + k, author) for k in range(len(rows))])
    db.execute('UPDATE database_tables SET row_count = ? WHERE id = ?', (n, table_id))
    db.commit()
    db.execute('ANALYZE')
    db.close()
    conn.close()  # the server closed the idle keep-alive connection meanwhile; the next call reconnects
    print(f'# wrote {n - api_docs} more documents into {sqlite_file} in {time.monotonic() - started:.1f} s',
          file=sys.stderr)

started = time.monotonic()
call('POST', '/admin/collection/bench/projection/group', {}, admin)
projection_s = time.monotonic() - started
print(f'# projection `group` back-filled {n} documents in {projection_s:.1f} s', file=sys.stderr)

# Answer checks.
assert call('GET', '/document/bench/count', headers=auth) == {'count': n}
page = call('GET', '/document/bench?where=' + urllib.parse.quote('group = ?') + '&params=7&recordsPerPage=100&page=0',
            headers=auth)
assert len(page) == min(100, (n + 92) // 100) and all(d['group'] == 7 for d in page), len(page)
page = call('GET', '/document/bench?orderBy=' + urllib.parse.quote('n desc') + '&recordsPerPage=100&page=0',
            headers=auth)
assert [d['n'] for d in page] == list(range(n - 1, max(-1, n - 101), -1)), [d['n'] for d in page][:3]


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


admin_session = {'X-BB-SESSION': call('POST', '/login', {'username': 'admin', 'password': admin_password,
                                                        'appcode': '1234567890'}, form=True)['X-BB-SESSION']}
rng = random.Random(7)
ops = {
    'get_by_id': lambda: ttfb('GET', f'/document/bench/{rng.choice(ids)}', headers=auth),
    'where_page': lambda: ttfb('GET', '/document/bench?where=' + urllib.parse.quote('group = ?') +
                               f'&params={rng.randrange(100)}&recordsPerPage=100&page=0', headers=auth),
    'where_json': lambda: ttfb('GET', '/document/bench?where=' + urllib.parse.quote('n = ?') +
                               f'&params={rng.randrange(n)}&recordsPerPage=100&page=0', headers=auth),
    'order_page': lambda: ttfb('GET', '/document/bench?orderBy=' + urllib.parse.quote('n desc') +
                               '&recordsPerPage=100&page=0', headers=auth),
    'count': lambda: ttfb('GET', '/document/bench/count', headers=auth),
    'admin_count': lambda: ttfb('GET', '/document/bench/count', headers=admin_session),
    'count_where': lambda: ttfb('GET', '/document/bench/count?where=' + urllib.parse.quote('n > ?') +
                                f'&params={n // 2}', headers=auth),
    'login': lambda: ttfb('POST', '/login', {'username': 'bencher', 'password': 'bench-pw', 'appcode': '1234567890'},
                          form=True),
}
print(f'documents,{n}')
print(f'api_load_docs_per_s,{api_docs / load_s:.0f}')
print(f'projection_backfill_s,{projection_s:.1f}')


def measure(name, op):
    slow = op() > 200  # full scans on big collections: fewer rounds, same median
    for _ in range(2 if slow else 20):
        op()
    print(f'single_ms:{name},{statistics.median(op() for _ in range(10 if slow else 50)):.3f}')


for name, op in ops.items():
    measure(name, op)
# The owner's count once 100 of its documents are also shared with `registered` (two of its
# principals hold grants: the owner's counter plus the role's 100 grant rows).
for doc_id in ids[:100]:
    call('PUT', f'/document/bench/{doc_id}/read/role/registered', {}, auth)
assert call('GET', '/document/bench/count', headers=auth) == {'count': n}
measure('count_shared', lambda: ttfb('GET', '/document/bench/count', headers=auth))
