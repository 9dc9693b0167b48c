"""Table and CSV of a benchmark run from its raw files (written by data.sh / compare.sh / stores.sh).

Usage: python3 report.py data|compare|stores|nodes DIR CSV TITLE

stores: systems sqlite and postgresql side by side, ratio PostgreSQL / SQLite; the postgres
processes' memory; the write scenarios of postgresql_async (synchronous_commit=off) if run.
nodes (nodes.sh): DIR/nodes.tsv (scenario, configuration, round, summed req/s, per node
"node:req/s:p50:p99", errors, completed requests, row check, CPU ticks before / after).

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
    if m(sysname, 'db_size_kb'):
        out.append(('db_size', mib(m(sysname, 'db_size_kb')), 'MiB', 'after the load: data dir / pg_database_size'))
    return out


def ratio_label(q):
    return f'{q:.0f}x' if q >= 10 else f'{q:.2f}x'


def problems(sysname, s, r):
    """Why a scenario's ratio is withheld: error answers, a failed check, a run without requests."""
    return [f'{sysname} {why}' for why in
            ([f"{r['errors']} error answers"] if r and r['errors'] else []) +
            ([checks[sysname, s]] if checks.get((sysname, s), 'ok').startswith('MISMATCH') else []) +
            (['completed no request in a run'] if r and min(q[0] for q in runs[sysname, s]) == 0 else [])]


def fnum(v, fmt='{:.1f}'):
    try:
        return fmt.format(float(v))
    except (TypeError, ValueError):
        return '–'


rows_out = []
if MODE == 'nodes':
    print(TITLE)
    print(f"{'scenario':<15} {'configuration':<20} {'req/s':>9} {'vs 1st':>7} {'p50 ms':>13} {'p99 ms':>15} "
          f"{'gridbase':>8} {'postgres':>8} {'other':>6}  check")
    by = {}
    for scenario, cfg, _round, total, detail, errors, completed, check, cpu in tsv('nodes.tsv'):
        by.setdefault((scenario, cfg), []).append((float(total), detail, int(errors), int(completed), check, cpu))
    order = list(dict.fromkeys(k[0] for k in by))
    cfgs = list(dict.fromkeys(k[1] for k in by))
    labels = {c: (f"1 node --threads {c.split('x')[1]}" if c.startswith('1x') else
                  f"{c.split('x')[0]} nodes --threads {c.split('x')[1]}") for c in cfgs}
    for scenario in order:
        base = None
        for cfg in cfgs:
            rs = by.get((scenario, cfg))
            if not rs:
                continue
            ordered = sorted(rs, key=lambda r: r[0])
            total, detail, _, _, _, cpu = ordered[(len(ordered) - 1) // 2]
            nodes = [d.split(':') for d in detail.split()]
            p50 = '/'.join(fnum(n[2], '{:.1f}') for n in nodes)
            p99 = '/'.join(fnum(n[3], '{:.1f}') for n in nodes)
            before, after = ([int(x) for x in part.split()] for part in cpu.split(' / '))
            d = [b - a for a, b in zip(before, after)]
            ncpu = os.cpu_count() or 1
            dtotal, didle = d[-2], d[-1]
            cores = (lambda t: t * ncpu / dtotal) if dtotal else (lambda t: 0.0)
            pg, gb = cores(d[0]), cores(sum(d[1:-2]))
            other = max(0.0, cores(dtotal - didle) - pg - gb)
            if base is None:  # the first configuration is the baseline (1x2 by default)
                base = total
            vs = ratio_label(total / base) if base else ''
            errors = sum(r[2] for r in rs)
            checks_all = [r[4] for r in rs if r[4] != '-']
            bad = [c for c in checks_all if c.startswith('MISMATCH')]
            chk = (bad[0] if bad else ('ok' if checks_all else '')) + (f'; {errors} errors' if errors else '')
            split = ' (' + ' + '.join(f'{float(n[1]):.0f}' for n in nodes) + ')' if len(nodes) > 1 else ''
            print(f"{scenario:<15} {labels[cfg]:<20} {total:>9.1f} {vs:>7} {p50:>13} {p99:>15} "
                  f"{gb:>8.2f} {pg:>8.2f} {other:>6.2f}  {chk}{split}")
            rows_out.append([scenario, cfg, f'{total:.1f}', vs, p50, p99, f'{gb:.2f}', f'{pg:.2f}', f'{other:.2f}',
                             ';'.join(f'{r[0]:.1f}' for r in rs), detail, chk])
    header = ['scenario', 'configuration', 'req_per_s', 'vs_first_configuration', 'p50_ms_per_node', 'p99_ms_per_node',
              'gridbase_cores', 'postgres_cores', 'other_cores', 'runs_req_per_s', 'nodes_detail', 'check']
elif MODE == 'stores':
    a, b, c = 'sqlite', 'postgresql', 'postgresql_async'
    print(TITLE)
    print(f"{'scenario':<16} {'sqlite req/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'1-conn':>7} "
          f"{'postgresql req/s':>16} {'p50 ms':>8} {'p99 ms':>8} {'1-conn':>7} {'pg/sqlite':>9}")
    withheld = []
    for s in [x for x in scenarios if (a, x) in runs or (b, x) in runs]:
        ra, rb = summary(a, s), summary(b, s)
        bad = problems(a, s, ra) + problems(b, s, rb)
        ratio = ''
        if ra and rb and ra['rps'] > 0 and not bad:
            ratio = ratio_label(rb['rps'] / ra['rps'])
        elif bad:
            withheld.append(f"{s}: ratio withheld ({'; '.join(bad)})")
        sa, sb = m(a, 'single_ms:' + s), m(b, 'single_ms:' + s)
        print(f"{s:<16} {fnum(ra and ra['rps']):>12} {fnum(ra and ra['p50'], '{:.2f}'):>8} {fnum(ra and ra['p99'], '{:.2f}'):>8} "
              f"{fnum(sa, '{:.2f}'):>7} {fnum(rb and rb['rps']):>16} {fnum(rb and rb['p50'], '{:.2f}'):>8} "
              f"{fnum(rb and rb['p99'], '{:.2f}'):>8} {fnum(sb, '{:.2f}'):>7} {ratio or '–':>9}")
        rows_out.append(['scenario', s, 'req/s', ra and f"{ra['rps']:.1f}", ra and ra['p50'], ra and ra['p99'], sa,
                         rb and f"{rb['rps']:.1f}", rb and rb['p50'], rb and rb['p99'], sb, ratio,
                         ra and ra['all'], rb and rb['all'], '; '.join(bad)])
    ra_res = {x[0]: x for x in resources(a)}
    rb_res = {x[0]: x for x in resources(b)}
    for name in [n for n in ra_res if n in rb_res]:
        va, vb, unit = float(ra_res[name][1]), float(rb_res[name][1]), ra_res[name][2]
        label = ratio_label(vb / va) if va else ''
        print(f"{name:<16} {ra_res[name][1] + ' ' + unit:>12} {'':>8} {'':>8} {'':>7} {rb_res[name][1] + ' ' + unit:>16} "
              f"{'':>8} {'':>8} {'':>7} {label:>9}")
        rows_out.append(['metric', name, unit, ra_res[name][1], '', '', '', rb_res[name][1], '', '', '', label,
                         ra_res[name][3], rb_res[name][3], ''])
    print('  (1-conn: ms to the first byte of one request at a time, median of 30; RSS: the gridbase process only)')
    pg_mem = [(k, label) for k, label in (('pg_idle_mem', 'after the load'), ('pg_end_mem', 'after the scenarios'),
                                         ('pg_peak_mem', 'peak, sampled every 0.5 s'))] if m(b, 'pg_idle_mem') else []
    if pg_mem:
        parts = []
        for k, label in pg_mem:
            v = m(b, k).split()
            if not v:
                continue
            parts.append(f'{label} {mib(v[0])} MiB' + (f' ({v[2]} processes)' if len(v) > 2 else ''))
            rows_out.append(['metric', 'postgres_pss_' + k.split('_')[1], 'MiB', '', '', '', '', mib(v[0]), '', '', '',
                             '', '', f'{label}; RSS sum {mib(v[1])} MiB', ''])
        print('postgres processes (PSS sum of the postmaster and its backends): ' + '; '.join(parts))
    if any((c, x) in runs for x in scenarios):
        print(f"\nwrite scenarios again on PostgreSQL with synchronous_commit=off:")
        print(f"{'scenario':<16} {'req/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'vs sqlite':>10} {'vs sync on':>10}")
        for s in [x for x in scenarios if (c, x) in runs]:
            rc, ra, rb = summary(c, s), summary(a, s), summary(b, s)
            bad = problems(c, s, rc)
            va = ratio_label(rc['rps'] / ra['rps']) if ra and ra['rps'] and not bad else '–'
            vb = ratio_label(rc['rps'] / rb['rps']) if rb and rb['rps'] and not bad else '–'
            if bad:
                withheld.append(f"{s} (synchronous_commit=off): ratio withheld ({'; '.join(bad)})")
            print(f"{s:<16} {rc['rps']:>12.1f} {fnum(rc['p50'], '{:.2f}'):>8} {fnum(rc['p99'], '{:.2f}'):>8} {va:>10} {vb:>10}")
            rows_out.append(['scenario_synchronous_commit_off', s, 'req/s', '', '', '', '', f"{rc['rps']:.1f}",
                             rc['p50'], rc['p99'], '', va, '', rc['all'], '; '.join(bad)])
    for line in withheld:
        print('  ' + line)
    header = ['kind', 'name', 'unit', 'sqlite', 'sqlite_p50_ms', 'sqlite_p99_ms', 'sqlite_1conn_ms', 'postgresql',
              'postgresql_p50_ms', 'postgresql_p99_ms', 'postgresql_1conn_ms', 'postgresql_vs_sqlite',
              'sqlite_runs_or_detail', 'postgresql_runs_or_detail', 'note']
elif MODE == 'data':
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
