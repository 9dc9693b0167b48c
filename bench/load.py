"""Creates the benchmark table `items` through the public API and bulk-loads BENCH_ROWS rows
(200 per batch request). Prints the load rate and writes a shell state file.

Usage: python3 load.py BASE_URL STATE_FILE ROWS
"""
import http.client
import json
import sys
import time
import urllib.parse

from gen_rows import STATUSES, make_row

BASE, STATE, ROWS = sys.argv[1], sys.argv[2], int(sys.argv[3])
URL = urllib.parse.urlparse(BASE)
CONN = http.client.HTTPConnection(URL.hostname, URL.port, timeout=120)
EMAIL, PASSWORD = 'bench@example.com', 'bench-password'


def api(method, path, body=None, token=None):
    headers = {'Content-Type': 'application/json'}
    if token:
        headers['Authorization'] = 'JWT ' + token
    CONN.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    res = CONN.getresponse()
    data = res.read()
    if res.status >= 300:
        raise SystemExit(f'{method} {path} -> {res.status} {data[:300]!r}')
    return json.loads(data) if data else None


def login():
    return api('POST', '/api/user/token-auth/', {'email': EMAIL, 'password': PASSWORD})['access_token']


api('POST', '/api/user/', {'name': 'Bench', 'email': EMAIL, 'password': PASSWORD})
token = login()
database = api('GET', '/api/applications/', token=token)[0]['id']
table = api('POST', f'/api/database/tables/database/{database}/',
            {'name': 'items', 'data': [['title']], 'first_row_header': True}, token)['id']
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
option_ids = {}
for spec in fields:
    created = api('POST', f'/api/database/fields/table/{table}/', spec, token)
    if spec['type'] == 'single_select':
        option_ids = {o['value']: o['id'] for o in created['select_options']}

started = time.monotonic()
token_at = started
for start in range(1, ROWS + 1, 200):
    if time.monotonic() - token_at > 400:
        token, token_at = login(), time.monotonic()
    items = []
    for i in range(start, min(start + 200, ROWS + 1)):
        row = make_row(i)
        row['status'] = option_ids[row['status']]
        items.append(row)
    api('POST', f'/api/database/rows/table/{table}/batch/?user_field_names=true', {'items': items}, token)
elapsed = time.monotonic() - started
rate = ROWS / elapsed if elapsed > 0 else 0
print(f'loaded {ROWS} rows in {elapsed:.1f} s: {rate:.0f} rows/s')
with open(STATE, 'w') as f:
    f.write(f'TABLE={table}\nSTATUS_DOING={option_ids["doing"]}\nLOAD_ROWS_PER_S={rate:.0f}\n')
