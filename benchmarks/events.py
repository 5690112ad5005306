"""The event receiver: requests/s, memory under load, and event-to-owner-written latency.

    python benchmarks/events.py [--requests 20000] [--events 40] [--seconds 10] [--latency-only]

Everything runs on 127.0.0.1, bounded in count and time, in a temporary LEADRELAY_HOME with
the embedded Redis:
1. `leadrelay serve` (one process) with the production wiring (Redis de-duplication, Celery
   messages to the broker). wrk posts one signed HubSpot batch over and over: each request is
   verified, parsed and checked against Redis (a redelivery). A Python load generator then
   posts unique signed events, each of which is also published to the broker. Peak RSS of the
   server process is read from /proc while each load runs.
2. A real `leadrelay worker --crm hubspot:` against the local HubSpot server of the tests,
   with no beat (so nothing polls): a contact is created in HubSpot, its signed
   `contact.creation` event is posted to `leadrelay serve`, and the clock stops when the
   worker has written the contact's owner to HubSpot.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import httpx
import redis
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "integration")]

from events_support import hubspot_event, signed_hubspot_headers  # noqa: E402
from hubspot_server import TOKEN, HubSpotState, hubspot_server  # noqa: E402

from tests.e2e.harness import Cluster, Proc, wait_for  # noqa: E402
from worker.state.board import ConfiguredCrm, CrmBoard  # noqa: E402
from worker.state.embedded import EmbeddedRedis  # noqa: E402

SECRET = "bench-client-secret"
QUEUE_OWNER, REPS = "100", {"101", "102"}
POLICY = {
    "name": "hubspot inbound",
    "objects": ["Contact"],
    "routable": {"owners": [{"user": "router@acme.example"}]},
    "fallback": {"user": "ann@acme.example"},
    "pools": [{"name": "reps", "members": ["ann@acme.example", "bob@acme.example"]}],
    "rules": [{"name": "round-robin", "assign": {"pool": "reps"}}],
}
_event_ids = count(10_000_000)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident set size of a process, in KiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def serve(cluster: Cluster, port: int) -> Proc:
    proc = cluster.start("serve", [*LEADRELAY, "serve", "--port", str(port)])
    url = f"http://127.0.0.1:{port}/healthz"

    def up() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, 60, "leadrelay serve to answer /healthz")
    return proc


LEADRELAY = [sys.executable, "-c", "from worker.cli import app; app()"]


# --- 1. throughput ---------------------------------------------------------------------------


def wrk_duplicates(base: str, seconds: int, pid: int) -> dict[str, float]:
    if shutil.which("wrk") is None:
        return {}
    url = f"{base}/hooks/hubspot"
    body = json.dumps([hubspot_event(next(_event_ids), "contact.creation", 1)]).encode()
    headers = signed_hubspot_headers(body, url, secret=SECRET)
    httpx.post(url, content=body, headers=headers)  # the first delivery; wrk sends redeliveries
    script = Path(tempfile.mkdtemp()) / "post.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body.decode())}"]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    peak = PeakRss(pid)
    with peak.sampling():
        done = subprocess.run(
            ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", str(script), url],
            capture_output=True, text=True, timeout=seconds + 30, check=True,
        )  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", done.stdout)
    return {
        "rps": rate,
        "non_2xx": float(errors.group(1)) if errors else 0.0,
        "p99_ms": _ms(p99.group(1), p99.group(2)) if p99 else float("nan"),
        "peak_rss_mib": peak.peak_kib / 1024,
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


class PeakRss:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()

    @contextmanager
    def sampling(self) -> Iterator[None]:
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid)[0])


def python_unique_events(base: str, total: int, seconds: float, pid: int) -> dict[str, float]:
    """Unique signed events (each one enqueued), from 8 threads, until `total` or `seconds`."""
    url = f"{base}/hooks/hubspot"
    deadline = time.monotonic() + seconds
    statuses: list[int] = []
    lock = threading.Lock()

    def post_many() -> None:
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < deadline:
                with lock:
                    if len(statuses) >= total:
                        return
                event = hubspot_event(next(_event_ids), "contact.creation", next(_event_ids))
                body = json.dumps([event]).encode()
                headers = signed_hubspot_headers(body, url, secret=SECRET)
                status = client.post(url, content=body, headers=headers).status_code
                with lock:
                    statuses.append(status)

    peak = PeakRss(pid)
    started = time.monotonic()
    with peak.sampling():
        threads = [threading.Thread(target=post_many) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.monotonic() - started
    return {
        "requests": len(statuses),
        "rps": len(statuses) / elapsed,
        "non_2xx": sum(s >= 300 for s in statuses),
        "peak_rss_mib": peak.peak_kib / 1024,
    }


# --- 2. latency --------------------------------------------------------------------------------


def hubspot_fake() -> HubSpotState:
    state = HubSpotState()
    state.add_owner(QUEUE_OWNER, "router@acme.example", user_id=9000)
    state.add_owner("101", "ann@acme.example", user_id=9001)
    state.add_owner("102", "bob@acme.example", user_id=9002)
    return state


def event_to_owner_written(base: str, state: HubSpotState, events: int) -> list[float]:
    url = f"{base}/hooks/hubspot"
    latencies = []
    with httpx.Client(timeout=10) as client:
        for n in range(events):
            contact = str(50_000 + n)
            state.add("contacts", contact, email=f"p{n}@globex.com", hubspot_owner_id=QUEUE_OWNER)
            body = json.dumps([hubspot_event(next(_event_ids), "contact.creation", int(contact))])
            started = time.monotonic()
            headers = signed_hubspot_headers(body.encode(), url, secret=SECRET)
            response = client.post(url, content=body, headers=headers)
            assert response.status_code == 204, response.text

            def written(contact: str = contact) -> bool:
                return state.objects["contacts"][contact]["hubspot_owner_id"] in REPS

            wait_for(written, 30, f"contact {contact}'s owner to be written", every_s=0.005)
            latencies.append(time.monotonic() - started)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000, help="unique events, at most")
    parser.add_argument("--seconds", type=int, default=10, help="each load, at most")
    parser.add_argument("--events", type=int, default=40, help="latency samples")
    parser.add_argument(
        "--latency-only", action="store_true", help="skip the receiver's throughput loads"
    )
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="leadrelay-events-bench-"))
    redis_server = EmbeddedRedis(home / "redis")
    redis_url = redis_server.ensure().url
    cluster = Cluster.create(
        home, None, f"sqlite:///{home / 'leadrelay.db'}",
        HUBSPOT_CLIENT_SECRET=SECRET, LEADRELAY_EVENTS_RATE="1000000",
        LEADRELAY_EVENTS_BURST="1000000", LEADRELAY_POLL_SECONDS="3600",
    )  # fmt: skip
    try:
        run(cluster, redis_url, args)
    finally:
        cluster.stop_all()
        redis_server.stop()
        shutil.rmtree(home, ignore_errors=True)


def run(cluster: Cluster, redis_url: str, args: argparse.Namespace) -> None:
    policy = cluster.home / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY))
    port = free_port()
    print(f"machine: {os.cpu_count()} cores; server: leadrelay serve, 1 process, embedded Redis")

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    CrmBoard(client).register(ConfiguredCrm("hubspot:", str(policy)))  # as a worker would
    if not args.latency_only:
        throughput(cluster, client, port, args)
    latency(cluster, policy, port, args)


def throughput(cluster: Cluster, client: redis.Redis, port: int, args: argparse.Namespace) -> None:
    base = f"http://127.0.0.1:{port}"
    server = serve(cluster, port)
    idle = rss_kib(server.popen.pid)[0] / 1024
    print(f"server RSS idle: {idle:.1f} MiB")
    dup = wrk_duplicates(base, args.seconds, server.popen.pid)
    if dup:
        print(
            f"wrk -t2 -c32 -d{args.seconds}s, signed redeliveries (verify + parse + Redis "
            f"de-dup): {dup['rps']:,.0f} req/s, p99 {dup['p99_ms']:.1f} ms, "
            f"non-2xx {dup['non_2xx']:.0f}, peak RSS {dup['peak_rss_mib']:.1f} MiB"
        )
    else:
        print("wrk is not installed: skipped the redelivery load")
    new = python_unique_events(base, args.requests, args.seconds, server.popen.pid)
    print(
        f"python, 8 threads, unique signed events (verify + de-dup + Celery publish): "
        f"{new['requests']:,.0f} requests, {new['rps']:,.0f} req/s, non-2xx "
        f"{new['non_2xx']:.0f}, peak RSS {new['peak_rss_mib']:.1f} MiB"
    )
    server.stop()
    client.delete("leadrelay")  # the published messages nobody consumed


def latency(cluster: Cluster, policy: Path, port: int, args: argparse.Namespace) -> None:
    """Through the real worker: each contact is created after the worker's first full read
    of HubSpot, so its event is routed only if the worker re-reads it."""
    base = f"http://127.0.0.1:{port}"
    with hubspot_server(hubspot_fake()) as (hs_url, state):
        cluster.env.update(HUBSPOT_ACCESS_TOKEN=TOKEN, HUBSPOT_BASE_URL=hs_url)
        cluster.worker("events-bench", "hubspot:", policy, concurrency=2)
        serve(cluster, port)
        latencies = event_to_owner_written(base, state, args.events)
    print(
        f"event to owner written (signed contact.creation → leadrelay serve → worker → "
        f"HubSpot), {len(latencies)} events: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
