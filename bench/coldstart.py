"""Starts a server RUNS times and times each start: process spawn -> first 200 from HEALTH_URL
(polled every millisecond over a fresh connection). Every start but the last is stopped again
(SIGTERM, then SIGKILL after 30 s); the last one keeps running, detached, and its pid goes to
PIDFILE. Prints the start times in ms, space-separated.

Usage: python3 coldstart.py RUNS HEALTH_URL LOGFILE PIDFILE TIMEOUT_S CWD -- COMMAND...
"""
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.parse

runs, url, log, pidfile, timeout, cwd = (int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4],
                                         float(sys.argv[5]), sys.argv[6])
assert sys.argv[7] == '--'
cmd = sys.argv[8:]
u = urllib.parse.urlparse(url)


def healthy():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    try:
        conn.request('GET', u.path or '/')
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


times = []
with open(log, 'ab') as out:
    for r in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        while not healthy():
            if p.poll() is not None:
                raise SystemExit(f'coldstart.py: server exited with {p.returncode}; see {log}')
            if time.perf_counter() - t0 > timeout:
                stop(p)
                raise SystemExit(f'coldstart.py: no 200 from {url} after {timeout:.0f} s; see {log}')
            time.sleep(0.001)
        times.append((time.perf_counter() - t0) * 1000)
        if r < runs - 1:
            stop(p)
with open(pidfile, 'w') as f:
    f.write(f'{p.pid}\n')
print(' '.join(f'{t:.1f}' for t in times))
os._exit(0)  # leave the last server running
