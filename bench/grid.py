"""Server time of the requests Baserow's web-frontend makes to open and scroll a grid view.

Usage: grid.py URL STATE_FILE OUT_ENV
Signs in as the bench account (JWT, as the frontend does), finds the loaded table's default grid
view, adds a second grid view sorted by title, then for each request below sends 20 warm-up
requests and 30 measured ones, one at a time over one keep-alive connection, and takes the median
time to the response headers (the server's time plus one loopback round trip):

  v1_views    GET /api/database/views/table/{t}/?include=filters,sortings,group_bys,decorations
  v2_fields   GET /api/database/fields/table/{t}/
  v3_grid_p1  GET /api/database/views/grid/{v}/?limit=80&offset=0&include=field_options,row_metadata
  v4_grid_90k the same at offset=90000 (or 90 % of a smaller table)
  v5_sorted_90k  the same at that offset on the view sorted by title

Prints a table and writes KEY=VALUE lines (JWT header, paths, medians) to OUT_ENV for grid.sh.
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

EMAIL, PASSWORD = 'bench@example.com', 'Bench-Passw0rd!'
WARMUP, RUNS = 20, 30

url, state_file, out_env = sys.argv[1], sys.argv[2], sys.argv[3]
state = {}
for line in open(state_file):
    if '=' in line:
        k, v = line.rstrip('\n').split('=', 1)
        state[k] = v.strip("'")
table, rows = int(state['TABLE']), int(state['ROWS'])
host = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)


def call(method, path, body=None, headers=None):
    h = {'Content-Type': 'application/json'}
    h.update(headers or {})
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    res = conn.getresponse()
    data = res.read()
    if res.status >= 300:
        raise SystemExit(f'grid.py: {method} {path} answered {res.status}: {data[:300]!r}')
    return json.loads(data) if data else None


token = call('POST', '/api/user/token-auth/', {'email': EMAIL, 'password': PASSWORD})['access_token']
auth = {'Authorization': 'JWT ' + token}
views = call('GET', f'/api/database/views/table/{table}/', headers=auth)
view = views[0]['id']
fields = call('GET', f'/api/database/fields/table/{table}/', headers=auth)
title = next(f['id'] for f in fields if f['name'] == 'title')
sorted_view = call('POST', f'/api/database/views/table/{table}/', {'name': 'By title', 'type': 'grid'}, auth)['id']
call('POST', f'/api/database/views/{sorted_view}/sortings/', {'field': title}, auth)
deep = 90000 if rows >= 90080 else rows * 9 // 10
page = 'limit=80&offset={}&include=field_options%2Crow_metadata'
paths = {
    'v1_views': f'/api/database/views/table/{table}/?include=filters,sortings,group_bys,decorations',
    'v2_fields': f'/api/database/fields/table/{table}/',
    'v3_grid_p1': f'/api/database/views/grid/{view}/?' + page.format(0),
    'v4_grid_90k': f'/api/database/views/grid/{view}/?' + page.format(deep),
    'v5_sorted_90k': f'/api/database/views/grid/{sorted_view}/?' + page.format(deep),
}
# Answer checks: 80 rows each, the right count, field options for every field.
for name in ('v3_grid_p1', 'v4_grid_90k', 'v5_sorted_90k'):
    body = call('GET', paths[name], headers=auth)
    assert body['count'] == rows and len(body['results']) == 80, (name, body['count'], len(body['results']))
    assert len(body['field_options']) == len(fields), name


def ttfb(path):
    started = time.perf_counter()
    conn.request('GET', path, headers=auth)
    res = conn.getresponse()
    elapsed = time.perf_counter() - started
    res.read()
    return elapsed * 1000


medians = {}
for name, path in paths.items():
    for _ in range(WARMUP):
        ttfb(path)
    medians[name] = statistics.median(ttfb(path) for _ in range(RUNS))
medians['open_total'] = medians['v1_views'] + medians['v2_fields'] + medians['v3_grid_p1']

print(f'# opening a grid view of {rows} rows (median of {RUNS} sequential requests, time to first byte)', file=sys.stderr)
for name, ms in medians.items():
    print(f'#   {name:<14} {ms:7.2f} ms', file=sys.stderr)
with open(out_env, 'w') as f:
    f.write(f"JWT='Authorization: JWT {token}'\n")
    for name, path in paths.items():
        f.write(f"PATH_{name}='{path}'\n")
    for name, ms in medians.items():
        f.write(f"MS_{name}='{ms:.3f}'\n")
