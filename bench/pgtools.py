"""Helpers of bench/stores.sh and bench/nodes.sh: memory and CPU of process trees (PostgreSQL's
postmaster and its backends; gridbase nodes) and the slow statements of a PostgreSQL log.

  pgtools.py mem PID                 -> "pss_kb rss_kb processes" of PID and all its descendants
  pgtools.py sample PID SECONDS OUT  -> every SECONDS, the tree's PSS; keeps "peak_pss_kb peak_rss_kb"
                                        in OUT (rewritten at each new peak) until killed
  pgtools.py cpu PID...              -> "ticks_1 … ticks_n total_ticks idle_ticks": user+system clock
                                        ticks of each PID's tree (live processes plus their reaped
                                        children), then the machine's /proc/stat total and idle
  pgtools.py slow LOG SPEC...        -> per SPEC (label:start_byte:end_byte of LOG), the statements
                                        PostgreSQL logged with log_min_duration_statement in that
                                        part of the log: count, total/median/max ms, text, one
                                        parameter example; the slowest groups first

PSS (proportional set size) is the fair sum for PostgreSQL: every backend maps the shared buffers,
so adding their RSS counts the shared memory once per process.
"""
import os
import re
import signal
import statistics
import sys
import time


def tree(pid):
    out, pending = [], [int(pid)]
    while pending:
        p = pending.pop()
        out.append(p)
        try:
            for task in os.listdir(f'/proc/{p}/task'):
                with open(f'/proc/{p}/task/{task}/children') as f:
                    pending.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def mem(pid):
    pss = rss = n = 0
    for p in tree(pid):
        try:
            with open(f'/proc/{p}/smaps_rollup') as f:
                for line in f:
                    k, _, v = line.partition(':')
                    if k == 'Pss':
                        pss += int(v.split()[0])
                    elif k == 'Rss':
                        rss += int(v.split()[0])
            n += 1
        except OSError:
            pass
    return pss, rss, n


def ticks(pid):
    total = 0
    for p in tree(pid):
        try:
            with open(f'/proc/{p}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            # fields[0] is state (field 3): utime 14, stime 15, cutime 16, cstime 17
            total += sum(int(x) for x in fields[11:15])
        except (OSError, IndexError, ValueError):
            pass
    return total


def machine():
    with open('/proc/stat') as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    return sum(cpu[:8]), cpu[3] + cpu[4]


LINE = re.compile(r'^\S+ \S+ \S+ \[\d+\] (LOG|DETAIL):  (.*)$')
DURATION = re.compile(r'^duration: ([0-9.]+) ms  (?:statement|execute [^:]*|bind [^:]*|parse [^:]*): (.*)$', re.S)


def slow(log, specs):
    with open(log, 'rb') as f:
        data = f.read()
    for spec in specs:
        label, start, end = spec.rsplit(':', 2)
        part = data[int(start):int(end)].decode('utf-8', 'replace')
        entries = []  # [ms, statement, parameters]
        for line in part.split('\n'):
            if line.startswith('\t') and entries and entries[-1][2] is None:
                entries[-1][1] += ' ' + line.strip()
                continue
            m = LINE.match(line)
            if not m:
                continue
            if m.group(1) == 'LOG':
                d = DURATION.match(m.group(2))
                if d:
                    entries.append([float(d.group(1)), d.group(2), None])
            elif m.group(2).startswith('parameters:') and entries and entries[-1][2] is None:
                entries[-1][2] = m.group(2)[len('parameters: '):]
        groups = {}
        for ms, sql, params in entries:
            key = ' '.join(sql.split())
            g = groups.setdefault(key, {'ms': [], 'params': params})
            g['ms'].append(ms)
        print(f'== {label}: {len(entries)} statements at or over the threshold')
        for key, g in sorted(groups.items(), key=lambda kv: -sum(kv[1]['ms']))[:5]:
            ms = g['ms']
            print(f'  {len(ms)}x  total {sum(ms):.0f} ms, median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms')
            print(f'    {key[:600]}{" …" if len(key) > 600 else ""}')
            if g['params']:
                print(f'    parameters: {g["params"][:300]}')


def main():
    cmd = sys.argv[1]
    if cmd == 'mem':
        print(*mem(sys.argv[2]))
    elif cmd == 'sample':
        pid, every, out = sys.argv[2], float(sys.argv[3]), sys.argv[4]
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        peak_pss = peak_rss = 0
        while os.path.exists(f'/proc/{pid}'):
            pss, rss, _ = mem(pid)
            if pss > peak_pss or rss > peak_rss:
                peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
                with open(out + '.tmp', 'w') as f:
                    f.write(f'{peak_pss} {peak_rss}\n')
                os.replace(out + '.tmp', out)
            time.sleep(every)
    elif cmd == 'cpu':
        print(*[ticks(p) for p in sys.argv[2:]], *machine())
    elif cmd == 'slow':
        slow(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(__doc__)


if __name__ == '__main__':
    main()
