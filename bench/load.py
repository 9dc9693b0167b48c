"""Creates the benchmark table `items` through a system's public REST API, bulk-loads ROWS rows of
the deterministic dataset (gen_rows.py) and creates the API token the scenarios use.

Usage: python3 load.py gridbase|nocodb BASE_URL STATE_FILE ROWS [BATCH]

gridbase (Baserow REST API): sign up, JWT, the account's first database (or a new workspace and
database), table + 9 fields, `POST .../batch/?user_field_names=true` with BATCH rows (default 200,
Baserow's maximum) per request, then a database token (`POST /api/database/tokens/`,
`{"name", "workspace"}`) for `Authorization: Token <key>`.
nocodb (its v1/v2 REST API): sign up (the first account is the super admin), API token
(`POST /api/v1/tokens`, then `xc-token`), base, table with the same 10 columns, bulk
`POST /api/v2/tables/{id}/records` with BATCH rows (default 100, NocoDB's maximum).

All request bodies are generated and encoded before the clock starts, so the load rate is the
server's (one sequential client, one keep-alive connection), not the generator's. The state file
(shell syntax) holds the ids, the token, the load rate and the expected answers of the checks:
EXPECT_E1 (quantity > 9899), EXPECT_E2 (title contains "falcon"), EXPECT_G ("nebula" in any
field), FIRST_TITLE (smallest title).
"""
import http.client
import json
import sys
import time
import urllib.parse

from gen_rows import STATUSES, make_row

SYSTEM, BASE, STATE, ROWS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
BATCH = int(sys.argv[5]) if len(sys.argv) > 5 else (200 if SYSTEM == 'gridbase' else 100)
URL = urllib.parse.urlparse(BASE)
CONN = http.client.HTTPConnection(URL.hostname, URL.port, timeout=300)
EMAIL, PASSWORD = 'bench@example.com', 'Bench-Passw0rd!'


def api(method, path, body=None, headers=None, raw=None):
    h = {'Content-Type': 'application/json'}
    h.update(headers or {})
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    CONN.request(method, path, body=data, headers=h)
    res = CONN.getresponse()
    out = res.read()
    if res.status >= 300:
        raise SystemExit(f'load.py: {method} {path} -> {res.status} {out[:400]!r}')
    return json.loads(out) if out else None


def dataset(convert, wrap):
    """The request bodies, encoded (1M rows: ~450 MB), and the expected answers of the checks."""
    bodies, expect = [], {'E1': 0, 'E2': 0, 'G': 0}
    first_title = None
    for start in range(1, ROWS + 1, BATCH):
        items = []
        for i in range(start, min(start + BATCH, ROWS + 1)):
            row = make_row(i)
            expect['E1'] += row['quantity'] > 9899
            expect['E2'] += 'falcon' in row['title'].lower()
            expect['G'] += any('nebula' in str(v).lower() for v in row.values())
            if first_title is None or row['title'] < first_title:
                first_title = row['title']
            items.append(convert(row))
        bodies.append(json.dumps(wrap(items), separators=(',', ':')).encode())
    return bodies, expect, first_title


def timed_load(bodies, path, headers):
    started = time.monotonic()
    for body in bodies:
        api('POST', path, headers=headers, raw=body)
    return time.monotonic() - started


def gridbase():
    api('POST', '/api/user/', {'name': 'Bench', 'email': EMAIL, 'password': PASSWORD})
    jwt = {'Authorization': 'JWT ' + api('POST', '/api/user/token-auth/',
                                         {'email': EMAIL, 'password': PASSWORD})['access_token']}
    apps = [a for a in api('GET', '/api/applications/', headers=jwt) if a.get('type') == 'database']
    if apps:
        database, workspace = apps[0]['id'], apps[0]['workspace']['id']
    else:
        workspace = api('POST', '/api/workspaces/', {'name': 'bench'}, jwt)['id']
        database = api('POST', f'/api/applications/workspace/{workspace}/',
                       {'type': 'database', 'name': 'bench'}, jwt)['id']
    table = api('POST', f'/api/database/tables/database/{database}/',
                {'name': 'items', 'data': [['title']], 'first_row_header': True}, jwt)['id']
    colors = ['blue', 'orange', 'green', 'red', 'gray']
    fields = [
        {'name': 'notes', 'type': 'long_text'},
        {'name': 'quantity', 'type': 'number', 'number_decimal_places': 0},
        {'name': 'price', 'type': 'number', 'number_decimal_places': 2},
        {'name': 'active', 'type': 'boolean'},
        {'name': 'due_date', 'type': 'date', 'date_format': 'ISO', 'date_include_time': False},
        {'name': 'status', 'type': 'single_select',
         'select_options': [{'value': s, 'color': colors[i]} for i, s in enumerate(STATUSES)]},
        {'name': 'email', 'type': 'email'},
        {'name': 'website', 'type': 'url'},
        {'name': 'rating', 'type': 'rating', 'max_value': 5},
    ]
    options = {}
    for spec in fields:
        created = api('POST', f'/api/database/fields/table/{table}/', spec, jwt)
        if spec['type'] == 'single_select':
            options = {o['value']: o['id'] for o in created['select_options']}

    def convert(row):  # the select option's id, Baserow's documented write format
        row['status'] = options[row['status']]
        return row

    bodies, expect, first_title = dataset(convert, lambda items: {'items': items})
    # Loaded with a fresh JWT (generating 1M rows takes longer than an access token lives); the
    # database token the scenarios use is created afterwards.
    jwt = {'Authorization': 'JWT ' + api('POST', '/api/user/token-auth/',
                                         {'email': EMAIL, 'password': PASSWORD})['access_token']}
    seconds = timed_load(bodies, f'/api/database/rows/table/{table}/batch/?user_field_names=true', jwt)
    key = api('POST', '/api/database/tokens/', {'name': 'bench', 'workspace': workspace}, jwt)['key']
    auth = {'Authorization': 'Token ' + key}
    api('GET', '/api/database/tokens/check/', headers=auth)
    count = api('GET', f'/api/database/rows/table/{table}/?user_field_names=true&size=1', headers=auth)['count']
    return {'TABLE': table, 'DATABASE': database, 'WORKSPACE': workspace,
            'STATUS_DOING': options['doing'], 'TOKEN': key, 'AUTH_HEADER': 'Authorization: Token ' + key,
            'COUNT_AFTER_LOAD': count}, seconds, expect, first_title


def nocodb():
    try:
        auth = api('POST', '/api/v1/auth/user/signup', {'email': EMAIL, 'password': PASSWORD})
    except SystemExit:
        auth = api('POST', '/api/v1/auth/user/signin', {'email': EMAIL, 'password': PASSWORD})
    key = api('POST', '/api/v1/tokens', {'description': 'bench'}, {'xc-auth': auth['token']})['token']
    h = {'xc-token': key}
    base = api('POST', '/api/v2/meta/bases', {'title': 'bench'}, h)['id']
    columns = [
        {'column_name': 'id', 'title': 'Id', 'uidt': 'ID', 'pk': True, 'ai': True},
        {'column_name': 'title', 'title': 'title', 'uidt': 'SingleLineText', 'pv': True},
        {'column_name': 'notes', 'title': 'notes', 'uidt': 'LongText'},
        {'column_name': 'quantity', 'title': 'quantity', 'uidt': 'Number'},
        {'column_name': 'price', 'title': 'price', 'uidt': 'Decimal', 'meta': {'precision': 2}},
        {'column_name': 'active', 'title': 'active', 'uidt': 'Checkbox'},
        {'column_name': 'due_date', 'title': 'due_date', 'uidt': 'Date', 'meta': {'date_format': 'YYYY-MM-DD'}},
        {'column_name': 'status', 'title': 'status', 'uidt': 'SingleSelect',
         'colOptions': {'options': [{'title': s, 'order': i + 1} for i, s in enumerate(STATUSES)]}},
        {'column_name': 'email', 'title': 'email', 'uidt': 'Email'},
        {'column_name': 'website', 'title': 'website', 'uidt': 'URL'},
        {'column_name': 'rating', 'title': 'rating', 'uidt': 'Rating', 'meta': {'max': 5}},
    ]
    table = api('POST', f'/api/v2/meta/bases/{base}/tables',
                {'table_name': 'items', 'title': 'items', 'columns': columns}, h)['id']

    def convert(row):  # NocoDB's Decimal takes a number
        row['price'] = float(row['price'])
        return row

    bodies, expect, first_title = dataset(convert, lambda items: items)
    seconds = timed_load(bodies, f'/api/v2/tables/{table}/records', h)
    count = api('GET', f'/api/v2/tables/{table}/records/count', headers=h)['count']
    return {'TABLE': table, 'BASE_ID': base, 'TOKEN': key, 'AUTH_HEADER': 'xc-token: ' + key,
            'COUNT_AFTER_LOAD': count}, seconds, expect, first_title


state, seconds, expect, first_title = {'gridbase': gridbase, 'nocodb': nocodb}[SYSTEM]()
rate = ROWS / seconds if seconds > 0 else 0
print(f'# {SYSTEM}: loaded {ROWS} rows in {seconds:.1f} s ({BATCH} a request): {rate:.0f} rows/s; '
      f'count {state["COUNT_AFTER_LOAD"]}', file=sys.stderr)
if state['COUNT_AFTER_LOAD'] != ROWS:
    raise SystemExit(f'load.py: {SYSTEM} counts {state["COUNT_AFTER_LOAD"]} rows, expected {ROWS}')
state.update({'ROWS': ROWS, 'LOAD_BATCH': BATCH, 'LOAD_SECONDS': f'{seconds:.3f}', 'LOAD_ROWS_PER_S': f'{rate:.0f}',
              'EXPECT_E1': expect['E1'], 'EXPECT_E2': expect['E2'], 'EXPECT_G': expect['G'],
              'FIRST_TITLE': first_title})
with open(STATE, 'w') as f:
    for k, v in state.items():
        f.write(f"{k}='{v}'\n")
