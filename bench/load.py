"""Closed-loop load generator for OpenMIL pages (standard library only).

Every client is a thread with its own session (cookie jar) and, by default,
a new TCP connection per request, as a reverse proxy in front of gunicorn
would open them (--keep-alive keeps one connection per client instead).
It signs in through /account/login/ as a facilitator of the generated demo
data (facil1.<lab>, facil2.<lab>). Then, page after page, three scenarios:

1. one client alone (--single-requests): the service time of a page;
2. all clients at once with no think time (--requests per client): the
   server saturated, a closed loop where latency = clients / throughput;
3. all clients with a random think time around --paced-think seconds
   (--paced-requests each): 20 people working at once.

Every loop stops after its request count or --seconds, whichever is first.

Pages: the facilitator's home `/`, the participant list `/participants/`,
search `/participants/?q=...` (a Latin family name, one in Arabic script, a
reference prefix, two words) and a participant's page `/participants/<id>/`
with random ids taken from the facilitator's own lab.

Only loopback addresses are accepted. Results: a Markdown table on stdout
and JSON in --out.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

PASSWORD = "openmil-demo"  # noqa: S105 - the published demo credential
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TARGET_P95_MS = 150.0

# Queries for the search page. "{prefix}" is the lab's reference prefix.
SEARCHES = [
    ("latin", "Haddad"),
    ("latin", "Kovalenko"),
    ("arabic", "حداد"),
    ("arabic", "محمد"),
    ("reference", "{prefix}-0123"),
    ("two words", "fatima haddad"),
]


def lab_slugs(count: int) -> list[str]:
    """The slugs the demo generator gives its first `count` labs."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from openmil.demo.names import LABS

    out = []
    for i in range(count):
        slug = LABS[i % len(LABS)][0]
        if i >= len(LABS):
            slug = f"{slug}-{i // len(LABS) + 1}"
        out.append(slug)
    return out


class Session:
    """One browser: a cookie jar and a connection (kept alive or not)."""

    def __init__(
        self, host: str, port: int, keep_alive: bool = False, timeout: float = 30.0
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.keep_alive = keep_alive
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html"}
        if not self.keep_alive:
            headers["Connection"] = "close"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        for attempt in (1, 2):
            conn = self._connect()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, OSError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.close()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                jar = SimpleCookie()
                jar.load(value)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        if (
            not self.keep_alive
            or response.getheader("Connection", "").lower() == "close"
        ):
            self.close()
        return response.status, dict(response.getheaders()), data

    def login(self, username: str, password: str) -> None:
        status, _h, body = self.request("GET", "/account/login/")
        if status != 200:
            raise RuntimeError(f"login page answered {status}")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not match:
            raise RuntimeError("no CSRF token on the login page")
        form = urlencode(
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": password,
                "next": "",
            }
        )
        status, headers, _b = self.request("POST", "/account/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed ({status})")


class Client:
    def __init__(
        self, index: int, host: str, port: int, slugs: list[str], keep_alive: bool
    ) -> None:
        self.index = index
        self.slug = slugs[index % len(slugs)]
        self.username = f"facil{(index // len(slugs)) % 2 + 1}.{self.slug}"
        self.prefix = self.slug[:3].upper()
        self.session = Session(host, port, keep_alive)
        self.rng = random.Random(index)
        self.ids: list[int] = []
        #: Ids per extra page (--ids): "pathway", "attendance".
        self.extra: dict[str, list[int]] = {}


def collect_ids(client: Client, pages: int) -> list[int]:
    """Ids the facilitator may open, from random pages of their list."""
    status, _h, body = client.session.request("GET", "/participants/")
    if status != 200:
        raise RuntimeError(f"/participants/ answered {status}")
    match = re.search(rb"Page 1 of (\d+)", body)
    last = int(match.group(1)) if match else 1
    ids: set[int] = set()
    for page in {1, last, *client.rng.sample(range(1, last + 1), min(pages, last))}:
        status, _h, body = client.session.request("GET", f"/participants/?page={page}")
        ids.update(int(x) for x in re.findall(rb'href="/participants/(\d+)/"', body))
    return sorted(ids)


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def summarise(samples: list[tuple[float, int, str]], wall: float) -> dict:
    ok = sorted(ms for ms, status, _tag in samples if status == 200)
    errors = sum(1 for _ms, status, _tag in samples if status != 200)
    return {
        "requests": len(samples),
        "errors": errors,
        "wall_seconds": round(wall, 2),
        "throughput_rps": round(len(ok) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(ok, 50), 1),
        "p95_ms": round(percentile(ok, 95), 1),
        "p99_ms": round(percentile(ok, 99), 1),
        "max_ms": round(ok[-1], 1) if ok else None,
        "mean_ms": round(statistics.fmean(ok), 1) if ok else None,
    }


def run_page(
    name: str,
    clients: list[Client],
    make_path,
    requests: int,
    seconds: float,
    think: float,
    server_pid: int = 0,
) -> dict:
    """All clients hit one page at once; returns the page's figures."""
    samples: list[list[tuple[float, int, str]]] = [[] for _ in clients]
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def work(i: int, client: Client) -> None:
        barrier.wait()
        out = samples[i]
        if think:
            # Start at random offsets so that paced clients do not move in step.
            time.sleep(client.rng.uniform(0, think))
        for n in range(requests):
            if time.monotonic() >= deadline[0]:
                break
            path, tag = make_path(client, n)
            t0 = time.perf_counter()
            try:
                status, _h, _body = client.session.request("GET", path)
            except Exception:  # noqa: BLE001 - count any failure as an error
                status = 0
            out.append(((time.perf_counter() - t0) * 1000, status, tag))
            if think:
                time.sleep(think * client.rng.uniform(0.5, 1.5))

    threads = [
        threading.Thread(target=work, args=(i, c), daemon=True)
        for i, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    cpu_before = server_cpu_seconds(server_pid)
    start = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=seconds + 60)
    wall = time.perf_counter() - start
    cpu_after = server_cpu_seconds(server_pid)
    flat = [s for per in samples for s in per]
    result = summarise(flat, wall)
    if cpu_before is not None and cpu_after is not None and flat:
        # Python (gunicorn) CPU per request; PostgreSQL's is not included.
        result["app_cpu_ms_per_request"] = round(
            (cpu_after - cpu_before) * 1000 / len(flat), 1
        )
    result["loadavg_after"] = loadavg()
    tags = sorted({tag for _ms, _st, tag in flat if tag})
    if len(tags) > 1:
        result["by_query"] = {}
        for tag in tags:
            mine = [s for s in flat if s[2] == tag]
            part = summarise(mine, wall)
            part.pop("throughput_rps")
            part.pop("wall_seconds")
            result["by_query"][tag] = part
    statuses: dict[str, int] = {}
    for _ms, status, _tag in flat:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    result["statuses"] = statuses
    print(
        f"  {name:<28} {result['requests']:>5} req  p50 {result['p50_ms']:>7} ms"
        f"  p95 {result['p95_ms']:>7} ms  {result['throughput_rps']:>6} req/s"
        f"  errors {result['errors']}"
        f"  app cpu {result.get('app_cpu_ms_per_request', '?')} ms/req",
        file=sys.stderr,
        flush=True,
    )
    return result


def pages(args) -> list[tuple[str, object]]:
    def home(client: Client, n: int) -> tuple[str, str]:
        return "/", ""

    def listing(client: Client, n: int) -> tuple[str, str]:
        return "/participants/", ""

    def search(client: Client, n: int) -> tuple[str, str]:
        kind, template = SEARCHES[(client.index + n) % len(SEARCHES)]
        text = template.format(prefix=client.prefix)
        label = template.replace("{prefix}", "<LAB>")
        return f"/participants/?q={quote(text)}", f"{kind}: {label}"

    def detail(client: Client, n: int) -> tuple[str, str]:
        return f"/participants/{client.rng.choice(client.ids)}/", ""

    def pathway(client: Client, n: int) -> tuple[str, str]:
        return (
            f"/pathways/participants/{client.rng.choice(client.extra['pathway'])}/",
            "",
        )

    def attendance(client: Client, n: int) -> tuple[str, str]:
        cohort = client.rng.choice(client.extra["attendance"])
        return f"/activities/cohorts/{cohort}/attendance/", ""

    chosen = [
        ("home /", home),
        ("list /participants/", listing),
        ("search /participants/?q=", search),
        ("detail /participants/<id>/", detail),
    ]
    if args.ids:
        # Pages whose ids come from the database (bench/activities/scale_fill.py).
        chosen += [
            ("pathway /pathways/participants/<id>/", pathway),
            ("attendance /activities/cohorts/<id>/attendance/", attendance),
        ]
    return chosen


def loadavg() -> list[float]:
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return []


def server_cpu_seconds(pid: int) -> float | None:
    """User+system CPU of a process and its children (gunicorn workers)."""
    if not pid:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            pids += [int(x) for x in f.read().split()]
    except OSError:
        return None
    for p in pids:
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def machine() -> dict:
    info = {"cpus": os.cpu_count()}
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            kib = int(f.readline().split()[1])
        info["memory_gib"] = round(kib / 1024 / 1024, 1)
    except OSError:
        pass
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        info["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    return info


def markdown(results: dict) -> str:
    out = []
    for scenario, pages in results["scenarios"].items():
        out += [
            f"**{scenario}**",
            "",
            "| page | requests | errors | p50 ms | p95 ms | p99 ms | req/s "
            f"| app CPU ms/req | p95 ≤ {TARGET_P95_MS:.0f} ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
        ]
        for name, r in pages.items():
            ok = r["p95_ms"] <= TARGET_P95_MS and not r["errors"]
            out.append(
                f"| `{name}` | {r['requests']} | {r['errors']} | {r['p50_ms']} "
                f"| {r['p95_ms']} | {r['p99_ms']} | {r['throughput_rps']} "
                f"| {r.get('app_cpu_ms_per_request', '')} "
                f"| {'yes' if ok else '**no**'} |"
            )
            for tag, q in r.get("by_query", {}).items():
                out.append(
                    f"| &nbsp;&nbsp;↳ {tag} | {q['requests']} | {q['errors']} "
                    f"| {q['p50_ms']} | {q['p95_ms']} | {q['p99_ms']} | | | |"
                )
        out.append("")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8799")
    parser.add_argument("--labs", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=150, help="per client")
    parser.add_argument("--seconds", type=float, default=60.0, help="per page")
    parser.add_argument(
        "--paced-think",
        type=float,
        default=1.0,
        help="think time (s) of the paced scenario; 0 skips it",
    )
    parser.add_argument(
        "--paced-requests", type=int, default=30, help="per client, paced scenario"
    )
    parser.add_argument(
        "--single-requests",
        type=int,
        default=40,
        help="requests of the one-client scenario; 0 skips it",
    )
    parser.add_argument(
        "--keep-alive", action="store_true", help="one connection per client"
    )
    parser.add_argument("--id-pages", type=int, default=20, help="per lab")
    parser.add_argument("--only", default="", help="comma-separated page prefixes")
    parser.add_argument("--generator", default="", help="generator.json to include")
    parser.add_argument("--server-pid", type=int, default=0, help="gunicorn master")
    parser.add_argument("--out", default="bench/results/latest.json")
    parser.add_argument(
        "--ids",
        default="",
        help="JSON {lab slug: {page: [ids]}} adding the pathway and attendance pages",
    )
    args = parser.parse_args()

    url = urlsplit(args.base)
    if url.scheme != "http" or url.hostname not in LOOPBACK:
        parser.error("only http://127.0.0.1 (loopback) is allowed")
    if not (1 <= args.clients <= 100 and 1 <= args.requests <= 10_000):
        parser.error("--clients 1..100, --requests 1..10000")
    args.seconds = min(args.seconds, 300.0)
    host, port = url.hostname, url.port or 80

    slugs = lab_slugs(args.labs)
    clients = [
        Client(i, host, port, slugs, args.keep_alive) for i in range(args.clients)
    ]
    print(f"signing in {len(clients)} clients", file=sys.stderr, flush=True)
    for client in clients:
        client.session.login(client.username, PASSWORD)

    extra = json.loads(Path(args.ids).read_text()) if args.ids else {}
    for client in clients:
        client.extra = extra.get(client.slug, {})
    # Participant ids per lab, read as the facilitator sees them.
    by_lab: dict[str, list[int]] = {}
    needs_ids = not args.only or "detail" in args.only
    for client in clients:
        if not needs_ids:
            break
        if client.slug not in by_lab:
            by_lab[client.slug] = collect_ids(client, args.id_pages)
        client.ids = by_lab[client.slug]
        if not client.ids:
            raise SystemExit(f"no participant visible to {client.username}")
    print(
        "ids per lab: " + ", ".join(f"{k} {len(v)}" for k, v in by_lab.items()),
        file=sys.stderr,
    )

    chosen = pages(args)
    if args.only:
        wanted = tuple(args.only.split(","))
        chosen = [p for p in chosen if p[0].startswith(wanted)]

    # Warm up every worker's caches (templates, connections, statistics).
    for name, make_path in chosen:
        run_page(f"warm-up {name}", clients, make_path, 3, 30.0, 0.0, args.server_pid)

    # (label, clients, requests per client, think time)
    scenarios = [
        (
            f"{args.clients} clients, no think time (saturation)",
            clients,
            args.requests,
            0.0,
        )
    ]
    if args.single_requests:
        scenarios.insert(
            0, ("1 client (service time)", clients[:1], args.single_requests, 0.0)
        )
    if args.paced_think:
        scenarios.append(
            (
                f"{args.clients} clients, {args.paced_think:g} s think time",
                clients,
                args.paced_requests,
                args.paced_think,
            )
        )
    results = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "base": args.base,
        "clients": args.clients,
        "requests_per_client_max": args.requests,
        "seconds_per_page_max": args.seconds,
        "keep_alive": args.keep_alive,
        "machine": machine(),
        "loadavg_before": loadavg(),
        "scenarios": {},
    }
    if args.generator and Path(args.generator).exists():
        results["generator"] = json.loads(Path(args.generator).read_text())
    for label, who, requests, think in scenarios:
        print(f"measuring: {label}", file=sys.stderr, flush=True)
        pages_done = results["scenarios"][label] = {}
        for name, make_path in chosen:
            pages_done[name] = run_page(
                name,
                who,
                make_path,
                requests,
                args.seconds,
                think,
                args.server_pid,
            )
    results["loadavg_after"] = loadavg()
    for client in clients:
        client.session.close()

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(markdown(results))
    failed = [
        name
        for pages_done in results["scenarios"].values()
        for name, r in pages_done.items()
        if r["errors"]
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
