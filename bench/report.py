"""Table and CSV of a benchmark run from its raw files (written by data.sh / compare.sh).

Usage: python3 report.py data|compare DIR CSV TITLE

DIR holds runs.tsv (system, scenario, round, req/s, p50 ms, p99 ms, errors), metrics.tsv
(system, key, value) and checks.tsv (system, scenario, check result). Per scenario and system:
the median req/s of the rounds, and p50/p99 of that median round (with an even number of
rounds, the lower middle one).
"""
import csv
import os
import sys

MODE, DIR, CSV_PATH, TITLE = sys.argv[1:5]
ORDER = ['a1_list_p1', 'a2_list_deep', 'b_get_row', 'c_create', 'd_update', 'e1_filter_num',
         'e2_filter_text', 'f_sort_text', 'g_search', 'h_count', 'i_batch_create']


def tsv(name):
    path = os.path.join(DIR, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip('\n').split('\t') for line in f if line.strip()]


runs, metrics, checks = {}, {}, {}
for sysname, scenario, _round, rps, p50, p99, errors in tsv('runs.tsv'):
    runs.setdefault((sysname, scenario), []).append((float(rps or 0), p50, p99, int(errors or 0)))
for sysname, key, value in tsv('metrics.tsv'):
    metrics[sysname, key] = value
for sysname, scenario, result in tsv('checks.tsv'):
    checks[sysname, scenario] = result
systems = list(dict.fromkeys([k[0] for k in runs] + [k[0] for k in metrics]))
scenarios = sorted({k[1] for k in runs}, key=lambda s: (ORDER.index(s) if s in ORDER else 99, s))


def summary(sysname, scenario):
    rs = runs.get((sysname, scenario))
    if not rs:
        return None
    ordered = sorted(rs, key=lambda r: r[0])
    rps, p50, p99, _ = ordered[(len(ordered) - 1) // 2]
    return {'rps': rps, 'p50': p50, 'p99': p99, 'errors': sum(r[3] for r in rs),
            'all': ';'.join(f'{r[0]:.1f}' for r in rs)}


def m(sysname, key, default=''):
    return metrics.get((sysname, key), default)


def med(values):
    v = sorted(float(x) for x in values.split())
    return v[(len(v) - 1) // 2] if v else None


def mib(kb):
    return f'{int(kb) / 1024:.1f}' if kb else ''


def resources(sysname):
    """(name, value, unit, detail) of the non-scenario figures of one system."""
    out = []
    if m(sysname, 'load_rows_per_s'):
        out.append(('bulk_load', m(sysname, 'load_rows_per_s'), 'rows/s',
                    f"{m(sysname, 'rows')} rows, {m(sysname, 'load_batch')} a request, {m(sysname, 'load_seconds')} s"))
    if m(sysname, 'idle_rss_kb'):
        out.append(('idle_rss', mib(m(sysname, 'idle_rss_kb')), 'MiB', 'VmRSS after the load, before the scenarios'))
    hwm = [int(m(sysname, k)) for k in ('hwm_load_kb', 'hwm_bench_kb') if m(sysname, k)]
    if hwm:
        detail = f"VmHWM: load {mib(m(sysname, 'hwm_load_kb'))}, scenarios {mib(m(sysname, 'hwm_bench_kb'))}"
        if m(sysname, 'hwm_end_kb'):
            detail += f"; {mib(m(sysname, 'hwm_end_kb'))} after i_batch_create"
        out.append(('peak_rss', mib(max(hwm)), 'MiB', detail))
    if m(sysname, 'cold_start_ms'):
        out.append(('cold_start', f"{med(m(sysname, 'cold_start_ms')):.1f}", 'ms',
                    f"median of {len(m(sysname, 'cold_start_ms').split())}: {m(sysname, 'cold_start_ms')}"))
    if m(sysname, 'first_start_ms'):
        out.append(('first_start', f"{med(m(sysname, 'first_start_ms')):.1f}", 'ms', 'spawn -> first 200 on an empty data dir'))
    if m(sysname, 'restart_rss_kb'):
        out.append(('restart_rss', mib(m(sysname, 'restart_rss_kb')), 'MiB', 'VmRSS 1 s after the last cold start'))
    return out


def fnum(v, fmt='{:.1f}'):
    try:
        return fmt.format(float(v))
    except (TypeError, ValueError):
        return '–'


rows_out = []
if MODE == 'data':
    (sysname,) = systems[:1] or ['gridbase']
    print(TITLE)
    print(f"{'scenario':<16} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'1-conn ms':>9} {'errors':>7}  check")
    for s in scenarios:
        r = summary(sysname, s)
        chk = checks.get((sysname, s), '')
        single = m(sysname, 'single_ms:' + s)
        print(f"{s:<16} {r['rps']:>10.1f} {fnum(r['p50'], '{:.2f}'):>9} {fnum(r['p99'], '{:.2f}'):>9} "
              f"{fnum(single, '{:.2f}') if single else '':>9} {r['errors']:>7}  {chk}")
        rows_out.append(['scenario', s, f"{r['rps']:.1f}", 'req/s', r['p50'], r['p99'], r['all'], r['errors'], single, chk])
    for name, value, unit, detail in resources(sysname):
        print(f"{name:<16} {value:>10} {unit:<8} {detail}")
        rows_out.append(['metric', name, value, unit, '', '', '', '', '', detail])
    header = ['kind', 'name', 'value', 'unit', 'p50_ms', 'p99_ms', 'runs_req_per_s', 'errors', 'single_ms', 'detail']
else:
    a, b = systems[0], systems[1]
    print(TITLE)
    print(f"{'scenario':<16} {a + ' req/s':>15} {'p50 ms':>8} {'p99 ms':>8} {b + ' req/s':>13} {'p50 ms':>8} {'p99 ms':>8} {a + '/' + b:>16}")
    withheld = []
    for s in scenarios:
        ra, rb = summary(a, s), summary(b, s)
        bad = [f'{x} {why}' for x, r in ((a, ra), (b, rb)) for why in
               ([f"{r['errors']} error answers"] if r and r['errors'] else []) +
               ([checks[x, s]] if checks.get((x, s), 'ok').startswith('MISMATCH') else []) +
               (['completed no request in a run'] if r and min(q[0] for q in runs[x, s]) == 0 else [])]
        ratio = ''
        if ra and rb and rb['rps'] > 0 and not bad:
            q = ra['rps'] / rb['rps']
            ratio = f'{q:.0f}x' if q >= 10 else f'{q:.2f}x'
        elif bad:
            withheld.append(f"{s}: ratio withheld ({'; '.join(bad)})")
        print(f"{s:<16} {fnum(ra and ra['rps']):>15} {fnum(ra and ra['p50'], '{:.2f}'):>8} {fnum(ra and ra['p99'], '{:.2f}'):>8} "
              f"{fnum(rb and rb['rps']):>13} {fnum(rb and rb['p50'], '{:.2f}'):>8} {fnum(rb and rb['p99'], '{:.2f}'):>8} {ratio or '–':>16}")
        rows_out.append(['scenario', s, 'req/s', ra and f"{ra['rps']:.1f}", ra and ra['p50'], ra and ra['p99'],
                         rb and f"{rb['rps']:.1f}", rb and rb['p50'], rb and rb['p99'], ratio,
                         ra and ra['all'], rb and rb['all'], '; '.join(bad)])
    ra_res = {x[0]: x for x in resources(a)}
    rb_res = {x[0]: x for x in resources(b)}
    for name in [n for n in ra_res if n in rb_res]:
        va, vb, unit = float(ra_res[name][1]), float(rb_res[name][1]), ra_res[name][2]
        # ratio in gridbase's favour: higher is better for rows/s, lower for MiB and ms
        q = (va / vb if vb else 0) if unit == 'rows/s' else (vb / va if va else 0)
        label = f'{q:.0f}x' if q >= 10 else f'{q:.2f}x'
        if unit != 'rows/s':
            label += ' less'
        print(f"{name:<16} {ra_res[name][1] + ' ' + unit:>15} {'':>8} {'':>8} {rb_res[name][1] + ' ' + unit:>13} {'':>8} {'':>8} {label:>16}")
        rows_out.append(['metric', name, unit, ra_res[name][1], '', '', rb_res[name][1], '', '', label, ra_res[name][3],
                         rb_res[name][3], ''])
    for line in withheld:
        print('  ' + line)
    header = ['kind', 'name', 'unit', f'{a}', f'{a}_p50_ms', f'{a}_p99_ms', f'{b}', f'{b}_p50_ms', f'{b}_p99_ms',
              f'{a}_vs_{b}', f'{a}_runs_or_detail', f'{b}_runs_or_detail', 'note']
with open(CSV_PATH, 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(header)
    w.writerows([[('' if v is None else v) for v in row] for row in rows_out])
print(f'CSV: {CSV_PATH}')
