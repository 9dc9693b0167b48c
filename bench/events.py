#!/usr/bin/env python3
"""Event benchmarks against a running gridbase (bench/events.sh starts one).

1. Realtime fan-out: CLIENTS websocket connections subscribe to one table; rows are created
   one at a time; for each, the time from the create's HTTP response to the moment the last
   client has received its rows_created message (and every single delivery).
2. Write throughput: WRITERS keep-alive connections create rows for SECONDS, first with no
   webhook, then with one webhook whose receiver (in this process, 127.0.0.1) answers 200;
   reports rows/s and how long the webhook queue takes to drain afterwards.

Only the standard library: a minimal RFC 6455 client and HTTP/1.1 over asyncio streams.
Prints CSV lines: scenario,metric,value.
"""
import asyncio
import base64
import json
import os
import statistics
import sys
import time

BASE = os.environ["GRIDBASE_URL"]  # http://127.0.0.1:port
HOST, PORT = BASE.split("//")[1].split(":")
PORT = int(PORT)
CLIENTS = int(os.environ.get("BENCH_WS_CLIENTS", "1000"))
EVENTS = int(os.environ.get("BENCH_WS_EVENTS", "100"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "16"))
SECONDS = float(os.environ.get("BENCH_WRITE_SECONDS", "10"))


class Http:
    """One keep-alive HTTP/1.1 connection."""

    async def open(self):
        self.r, self.w = await asyncio.open_connection(HOST, PORT)
        return self

    async def call(self, method, path, body=None, token=None):
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Type: application/json\r\n"
        if token:
            head += f"Authorization: JWT {token}\r\n"
        head += f"Content-Length: {len(data)}\r\n\r\n"
        self.w.write(head.encode() + data)
        await self.w.drain()
        status_line = await self.r.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.r.readline()
            if line in (b"\r\n", b""):
                break
            k, _, v = line.decode().partition(":")
            if k.lower() == "content-length":
                length = int(v.strip())
        payload = await self.r.readexactly(length) if length else b""
        return status, (json.loads(payload) if payload else None)


class Ws:
    """A minimal websocket client: text frames only."""

    async def open(self, query):
        self.r, self.w = await asyncio.open_connection(HOST, PORT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.w.write((f"GET /ws/core/?{query} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        await self.w.drain()
        while (await self.r.readline()) not in (b"\r\n", b""):
            pass
        return self

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        self.w.write(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    async def recv(self):
        b0, b1 = await self.r.readexactly(2)
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(await self.r.readexactly(2), "big")
        elif n == 127:
            n = int.from_bytes(await self.r.readexactly(8), "big")
        data = await self.r.readexactly(n)
        return json.loads(data) if b0 & 0x0F == 1 else None


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def setup():
    h = await Http().open()
    email = f"events-{time.time_ns()}@example.com"
    st, body = await h.call("POST", "/api/user/", {"name": "Bench", "email": email, "password": "bench-password", "authenticate": True})
    assert st == 200, body
    token = body["access_token"]
    st, apps = await h.call("GET", "/api/applications/", token=token)
    table = apps[0]["tables"][0]["id"]
    return h, token, table


async def fanout(h, token, table):
    clients = []
    for i in range(0, CLIENTS, 100):
        batch = await asyncio.gather(*[Ws().open(f"jwt_token={token}") for _ in range(min(100, CLIENTS - i))])
        clients.extend(batch)
    for c in clients:
        assert (await c.recv())["success"]
        c.send({"page": "table", "table_id": table})
    for c in clients:
        assert (await c.recv())["type"] == "page_add"
    last, every = [], []
    for _ in range(EVENTS):
        arrivals = []

        async def wait(c):
            while True:
                m = await c.recv()
                if m and m.get("type") == "rows_created":
                    arrivals.append(time.perf_counter())
                    return

        waiters = [asyncio.ensure_future(wait(c)) for c in clients]
        await asyncio.sleep(0)
        st, _ = await h.call("POST", f"/api/database/rows/table/{table}/", {}, token=token)
        t0 = time.perf_counter()
        assert st == 200
        await asyncio.gather(*waiters)
        every.extend((a - t0) * 1000 for a in arrivals)
        last.append((max(arrivals) - t0) * 1000)
    for c in clients:
        c.w.close()
    print(f"ws_fanout_{CLIENTS},last_client_p50_ms,{statistics.median(last):.2f}")
    print(f"ws_fanout_{CLIENTS},last_client_p99_ms,{pct(last, 99):.2f}")
    print(f"ws_fanout_{CLIENTS},delivery_p50_ms,{statistics.median(every):.2f}")
    print(f"ws_fanout_{CLIENTS},delivery_p99_ms,{pct(every, 99):.2f}")


async def writes(token, table, label):
    conns = [await Http().open() for _ in range(WRITERS)]
    count = 0
    deadline = time.perf_counter() + SECONDS

    async def writer(h):
        nonlocal count
        while time.perf_counter() < deadline:
            st, _ = await h.call("POST", f"/api/database/rows/table/{table}/", {}, token=token)
            assert st == 200
            count += 1

    start = time.perf_counter()
    await asyncio.gather(*[writer(h) for h in conns])
    elapsed = time.perf_counter() - start
    for h in conns:
        h.w.close()
    print(f"writes_{label},rows_per_s,{count / elapsed:.0f}")
    return count


async def main():
    h, token, table = await setup()
    await fanout(h, token, table)

    await writes(token, table, "no_webhook")

    received = 0

    async def receiver(r, w):
        nonlocal received
        try:
            while True:
                length = 0
                line = await r.readline()
                if not line:
                    return
                while True:
                    line = await r.readline()
                    if line in (b"\r\n", b""):
                        break
                    k, _, v = line.decode().partition(":")
                    if k.lower() == "content-length":
                        length = int(v.strip())
                await r.readexactly(length)
                received += 1
                w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                await w.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return

    srv = await asyncio.start_server(receiver, "127.0.0.1", 0)
    hook_port = srv.sockets[0].getsockname()[1]
    st, body = await h.call("POST", f"/api/database/webhooks/table/{table}/",
                            {"url": f"http://127.0.0.1:{hook_port}/hook", "name": "bench"}, token=token)
    assert st == 200, body
    written = await writes(token, table, "one_webhook")
    t0 = time.perf_counter()
    while received < written and time.perf_counter() - t0 < 300:
        await asyncio.sleep(0.05)
    print(f"writes_one_webhook,webhook_calls,{received}")
    print(f"writes_one_webhook,queue_drain_after_writes_s,{time.perf_counter() - t0:.2f}")
    srv.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.stdout.flush()
