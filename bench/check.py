"""One request of a GET scenario, checking the answer and not only the status: the total
count, and the rows returned (filtered, sorted, matching, the right page or row).
Prints `ok ...` or `MISMATCH ...` and exits 0 either way (1 on a usage error).

Usage: python3 check.py SCENARIO URL HEADER [count=N] [first_id=N] [id=N] [first_title=T] [rows=N]
Understands Baserow (`count`, `results`, `id`) and NocoDB (`pageInfo.totalRows`, `list`, `Id`;
`/records/count` answers `count`) responses.
"""
import http.client
import json
import sys
import urllib.parse

scenario, url, header = sys.argv[1:4]
want = dict(a.split('=', 1) for a in sys.argv[4:])
u = urllib.parse.urlparse(url)
name, _, value = header.partition(':')
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
conn.request('GET', u.path + ('?' + u.query if u.query else ''), headers={name.strip(): value.strip()})
res = conn.getresponse()
raw = res.read()
problems = []
try:
    body = json.loads(raw)
except ValueError:
    body = {}
if res.status != 200:
    problems.append(f'http {res.status} {raw[:200]!r}')
rows = body.get('results', body.get('list')) if isinstance(body, dict) else None
count = body.get('count', (body.get('pageInfo') or {}).get('totalRows')) if isinstance(body, dict) else None
rid = lambda r: r.get('id', r.get('Id'))


def text(v):
    return json.dumps(v) if isinstance(v, (dict, list)) else str(v)


if 'count' in want and str(count) != want['count']:
    problems.append(f'count {count}, expected {want["count"]}')
if rows is not None:
    if not rows and scenario != 'h_count':
        problems.append('no rows')
    if 'first_id' in want and rows and str(rid(rows[0])) != want['first_id']:
        problems.append(f'first id {rid(rows[0])}, expected {want["first_id"]}')
    if 'rows' in want and len(rows) != int(want['rows']):
        problems.append(f'{len(rows)} rows, expected {want["rows"]}')
    if scenario.startswith('e1') and not all(float(r['quantity']) > 9899 for r in rows):
        problems.append('a row with quantity <= 9899')
    if scenario.startswith('e2') and not all('falcon' in r['title'].lower() for r in rows):
        problems.append('a title without "falcon"')
    if scenario.startswith('g') and not all(any('nebula' in text(v).lower() for v in r.values()) for r in rows):
        problems.append('a row without "nebula"')
    if scenario.startswith('f'):
        titles = [r['title'] for r in rows]
        if titles != sorted(titles):
            problems.append('titles not in order')
        if 'first_title' in want and titles and titles[0] != want['first_title']:
            problems.append(f'first title {titles[0]!r}, expected {want["first_title"]!r}')
elif 'id' in want and str(rid(body) if isinstance(body, dict) else None) != want['id']:
    problems.append(f'id {rid(body) if isinstance(body, dict) else None}, expected {want["id"]}')
if problems:
    print('MISMATCH ' + '; '.join(problems))
elif rows is None and 'id' in want:
    print(f'ok id={want["id"]}')
else:
    print(f'ok count={count}' + (f' rows={len(rows)}' if rows is not None else ''))
