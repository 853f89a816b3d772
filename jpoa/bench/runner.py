"""`jpoa bench run`: serve the benchmark database and measure it from a client over HTTP.

The server is jpoa's production server (`jpoa serve`: gunicorn) on a free loopback
port; Datasette serves the same activities as one table on another. Each view is
requested `requests` times by `clients` concurrent clients, each with its own
keep-alive connection; the first request of each URL is timed apart (cold). Publishing,
imports and the static site build run as the commands a user runs, timed from outside.
"""

import contextlib
import csv
import http.client
import itertools
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

from .target import Target

OPTIONAL_STEPS = ("datasette", "publish", "import", "export", "site", "throughput")
YEAR_RANGES = [(2018, 2022), (2015, 2019), (2020, 2024), (2012, 2016), (2022, 2026)]
IMPORT_USER = "bench"


@dataclass
class Latency:
    requests: int
    errors: int
    median_ms: float
    p95_ms: float
    cold_ms: float  # the first request of each URL, before any cache holds it
    per_second: float


@dataclass
class View:
    name: str
    paths: list[str]
    datasette_paths: list[str] = field(default_factory=list)
    note: str = ""
    # Each request a URL never asked before (a parameter the page ignores, numbered):
    # what a page costs when no cache holds it.
    fresh: bool = False
    # Every path a combination of filters no request of the run asked before (random,
    # seeded, listed in the report): measured once each, no warming, so no cache holds it.
    never_asked: bool = False

    def urls(self, requests: int) -> list[str]:
        if self.never_asked:
            return self.paths[:requests]
        if not self.fresh:
            return self.paths
        return [f"{self.paths[n % len(self.paths)]}&fresh={n}" for n in range(requests)]


# -- the client ---------------------------------------------------------------------------


def _get(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    response.read()
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status


def measure(
    ports: list[int], paths: list[str], clients: int, requests: int, *, warm: bool = True
) -> Latency:
    """Latency of `requests` GETs rotating over `paths`, from `clients` concurrent clients.

    Each path is first asked once (WARM), alone: its "cold" time. With several servers
    (ports), the clients are spread over them in turn.
    """
    cold = []
    for port in ports if warm else []:
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for path in paths:
            t = time.perf_counter()
            _get(first, path)
            cold.append(time.perf_counter() - t)
        first.close()
    jobs = itertools.count()
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(port: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while (n := next(jobs)) < requests:
            path = paths[n % len(paths)]
            t = time.perf_counter()
            try:
                ok = _get(connection, path) == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            elapsed = time.perf_counter() - t
            with lock:
                times.append(elapsed)
                errors[0] += not ok
        connection.close()

    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(ports[n % len(ports)],)) for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return Latency(
        requests=len(times),
        errors=errors[0],
        median_ms=round(statistics.median(times) * 1000, 1),
        p95_ms=round(_p95(times) * 1000, 1),
        cold_ms=round(statistics.median(cold or times) * 1000, 1),
        per_second=round(len(times) / wall, 1),
    )


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


# -- processes and their memory -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    return sum(process_rss_mb(pid).values())


def process_rss_mb(pid: int) -> dict[int, float]:
    """Resident memory of a process and each of its descendants, in MB, by process id."""
    return {each: memory.rss for each, memory in process_memory_mb(pid).items()}


@dataclass
class Memory:
    """A process's memory, in MB. RSS counts every page the process maps, pages shared
    with other processes (forked from one master, or the same file mapped) in each of
    them; PSS divides each shared page among the processes that map it, so the PSS of
    all the server's processes adds up to the memory they take together; USS is what
    the process alone maps (freed if it stopped). None: the system does not tell."""

    rss: float
    pss: float | None = None
    uss: float | None = None


def _memory_of(pid: int) -> Memory | None:
    try:  # Linux >= 4.14: the process's totals, summed by the kernel
        found = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _sep, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                found[name] = int(rest.split()[0]) / 1024
        private = found["Private_Clean"] + found["Private_Dirty"]
        return Memory(found["Rss"], found["Pss"], private)
    except (OSError, KeyError, ValueError):
        pass
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return Memory(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return None


def process_memory_mb(pid: int) -> dict[int, Memory]:
    """The memory of a process and each of its descendants, by process id."""
    tree, todo, each = _children(), [pid], {}
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        memory = _memory_of(current)
        if memory is not None:
            each[current] = memory
    return each


def _role(pid: int, root: int) -> str:
    """What a server process is: gunicorn's master, a web worker, the task worker."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    if b"worker" in command:
        return "task worker (jpoa worker)"
    return "master (jpoa serve)" if pid == root else "web worker"


class PeakMemory(threading.Thread):
    """Samples a process tree's memory until stopped; keeps the peaks: of the tree's
    RSS, PSS and USS, each summed over its processes, and of each process's."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_mb = pid, every, 0.0
        self.peak_pss_mb: float | None = None
        self.peak_uss_mb: float | None = None
        self.peak_each_mb: dict[int, float] = {}  # each process's own peak RSS
        self.peak_each: dict[int, dict] = {}  # each process's role and peaks
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            self.sample()
            self._done.wait(self.every)

    def sample(self) -> None:
        each = process_memory_mb(self.pid)
        self.peak_mb = max(self.peak_mb, sum(m.rss for m in each.values()))
        if each and all(m.pss is not None for m in each.values()):
            pss, uss = sum(m.pss for m in each.values()), sum(m.uss for m in each.values())
            self.peak_pss_mb = max(self.peak_pss_mb or 0.0, pss)
            self.peak_uss_mb = max(self.peak_uss_mb or 0.0, uss)
        for pid, memory in each.items():
            self.peak_each_mb[pid] = round(max(self.peak_each_mb.get(pid, 0.0), memory.rss), 1)
            peaks = self.peak_each.setdefault(pid, {"role": _role(pid, self.pid)})
            for kind in ("rss", "pss", "uss"):
                value = getattr(memory, kind)
                if value is not None:
                    peaks[f"{kind}_mb"] = round(max(peaks.get(f"{kind}_mb", 0.0), value), 1)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return round(self.peak_mb, 1)


def timed(command: list[str], env: dict, cwd: Path | None = None) -> dict:
    """Run a command to its end; its wall time and the peak memory of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    memory = PeakMemory(process.pid)
    memory.start()
    output, _ = process.communicate()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": memory.stop(),
        "exit": process.returncode,
        "output": output[-2000:],
    }


class Server:
    """A server process on a free loopback port, stopped (SIGTERM) when done."""

    def __init__(self, command: list[str], env: dict, port: int, ready_path: str, log: Path):
        self.port, self.ready_path = port, ready_path
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.memory = PeakMemory(self.process.pid)

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start; see {self.log.name}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if _get(connection, self.ready_path) == 200:
                    connection.close()
                    self.memory.start()
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the server did not answer in 120 s; see {self.log.name}")

    def __exit__(self, *exc):
        self.peak_mb = self.memory.stop() if self.memory.is_alive() else 0.0
        self.peak_each_mb = dict(self.memory.peak_each_mb)
        self.peak_each = list(self.memory.peak_each.values())
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# -- what is measured ---------------------------------------------------------------------


def views(manifest: dict, has_search: bool, *, seed: int = 20, never_asked: int = 0) -> list[View]:
    countries = manifest["countries"] or [manifest["country"]]
    busiest = manifest["country"]
    ordered = [busiest] + [c for c in countries if c != busiest]
    rnd = random.Random(7)
    keys = [f"syn-{rnd.randint(1, int(manifest['activities'] * 0.9) or 1):07d}" for _ in range(20)]
    years = [f"year_from={a}&year_to={b}" for a, b in YEAR_RANGES]
    facets = "status=ongoing&organisation_type=un_entity"
    if has_search:
        search = View(
            "faceted search",
            [f"/en/search/?q=border&country={c}&{facets}" for c in ordered],
            [f"/datasette/activities?_search=border&country={c}&_facet=pillar" for c in ordered],
        )
    else:
        search = View(
            "faceted search",
            [f"/en/matrix/activities/?country={c}&{facets}" for c in ordered],
            [
                f"/datasette/activities?country={c}&{facets}&_facet=pillar&_facet=lead_organisation"
                for c in ordered
            ],
            note="no search page yet: the faceted activity list stands in",
        )
    new_searches = (
        [
            View(
                "faceted search, never asked before",
                _new_filters(ordered),
                search.datasette_paths,
                note="every request other filters on a word searched before: no cache holds "
                "the answer",
                fresh=True,
            ),
            View(
                "faceted search, a word not searched before",
                [
                    f"/en/search/?q={quote(word)}&country={ordered[n % len(ordered)]}"
                    for n, word in enumerate(_unsearched_words())
                ],
                note="every request a word no search of the run used: on SQLite its scores "
                "are read from the full-text index first",
                fresh=True,
            ),
        ]
        if has_search
        else []
    )
    return [
        View(
            "organisations x pillars, one country",
            [f"/en/matrix/?country={c}" for c in ordered],
            [
                f"/datasette/activities?country={c}&_facet=lead_organisation&_facet=pillar"
                for c in ordered
            ],
        ),
        View(
            "heatmap, all",
            ["/en/matrix/heatmap/"],
            ["/datasette/activities?_facet=country&_facet=pillar"],
        ),
        View(
            "heatmap, year range",
            [f"/en/matrix/heatmap/?{y}" for y in years],
            [
                f"/datasette/activities?start_year__lte={b}&end_year__gte={a}"
                "&_facet=country&_facet=pillar"
                for a, b in YEAR_RANGES
            ],
        ),
        View(
            "activity list, filtered",
            [f"/en/matrix/activities/?country={c}&pillar=2&status=ongoing" for c in ordered],
        ),
        search,
        *new_searches,
        View("activity page", [f"/en/matrix/activities/{k}/" for k in keys]),
        View(
            "API matrix, one country",
            [f"/api/v1/matrix/organisations-pillars?country={c}" for c in ordered],
        ),
        # Last: a new server process reads search's facets in a thread as it starts, and
        # the first view measured shares the processes with it.
        *never_asked_views(manifest, seed=seed, count=never_asked),
    ]


YEARS = (2008, 2026)  # the synthetic activities' years, about
NEVER_ASKED_KINDS = (
    # name, path, API twin, Datasette facets (None: no Datasette equivalent)
    ("organisations x pillars", "/en/matrix/", "/api/v1/matrix/organisations-pillars",
     "&_facet=lead_organisation&_facet=pillar"),
    ("heatmap", "/en/matrix/heatmap/", "/api/v1/matrix/countries-pillars",
     "&_facet=country&_facet=pillar"),
    ("activity list", "/en/matrix/activities/", "/api/v1/activities", ""),
)  # fmt: skip


def never_asked_combinations(manifest: dict, rnd: random.Random, count: int) -> list[dict]:
    """COUNT distinct combinations of filters (country, pillar, year range, status,
    organisation type), drawn at random: the first request of each is one no cache holds."""
    countries = [*(manifest["countries"] or [manifest["country"]]), "region"]
    seen, combos = set(), []
    while len(combos) < count:
        start = rnd.randint(*YEARS)
        combo = {
            "country": rnd.choice(countries),
            "pillar": rnd.choice(["", "1", "2", "3", "4"]),
            "year_from": start,
            "year_to": start + rnd.randint(0, 6),
            "status": rnd.choice(["", "", "ongoing", "completed", "planned"]),
            "organisation_type": rnd.choice(["", "", "", "un_entity", "state", "ngo"]),
        }
        combo = {k: v for k, v in combo.items() if v != ""}
        key = tuple(sorted(combo.items()))
        if key not in seen:
            seen.add(key)
            combos.append(combo)
    return combos


def _datasette_query(combo: dict) -> str:
    names = {"organisation_type": "organisation_type", "status": "status"}
    parts = [f"country={combo['country']}"]
    if "pillar" in combo:
        parts.append(f"pillar={combo['pillar']}")
    parts += [f"{names[k]}={combo[k]}" for k in names if k in combo]
    parts += [f"start_year__lte={combo['year_to']}", f"end_year__gte={combo['year_from']}"]
    return "&".join(parts)


def never_asked_views(manifest: dict, *, seed: int, count: int) -> list[View]:
    """For each matrix view and its API twin: COUNT combinations never asked before, then
    the same URLs asked again (answered from the page cache)."""
    if not count:
        return []
    rnd = random.Random(seed)
    views = []
    for name, page, api, facets in NEVER_ASKED_KINDS:
        combos = never_asked_combinations(manifest, rnd, count)
        queries = ["&".join(f"{k}={v}" for k, v in c.items()) for c in combos]
        datasette = (
            [f"/datasette/activities?{_datasette_query(c)}{facets}" for c in combos]
            if facets
            else [f"/datasette/activities?{_datasette_query(c)}&_size=50" for c in combos]
        )
        for label, base, twin in ((name, page, datasette), (f"API {name}", api, [])):
            paths = [f"{base}?{q}" for q in queries]
            views.append(
                View(
                    f"{label}, never asked",
                    paths,
                    twin,
                    never_asked=True,
                    note=f"{count} random combinations, seed {seed}: {paths[0]}",
                )  # fmt: skip
            )
            views.append(
                View(
                    f"{label}, asked again",
                    paths,
                    never_asked=True,
                    note="the same URLs again: page-cache hits",
                )  # fmt: skip
            )
    return views


def _new_filters(countries: list[str]) -> list[str]:
    """Searches for "border" under filters, each combination once, in a fixed shuffle."""
    years = [str(y) for y in range(YEAR_RANGES[3][0], YEAR_RANGES[4][1] + 1)]
    paths = [
        f"/en/search/?q=border&country={c}&pillar={p}&year={y}"
        for c in countries
        for p in ("1", "2", "3", "4")
        for y in years
    ]
    random.Random(11).shuffle(paths)
    return paths


def _unsearched_words() -> list[str]:
    """Words of the synthetic titles, one for each stem, but those the other views search."""
    from jpoa.search.text import query_terms

    from .synthetic import FORMATS, TOPICS

    seen = set(query_terms("border"))
    words = []
    for text in [t for pair in TOPICS + FORMATS for t in pair]:
        for word in text.split():
            stems = query_terms(word)
            if len(word) > 3 and stems and stems[0] not in seen:
                seen.add(stems[0])
                words.append(word)
    return words


CACHED_PAGES = ["/en/matrix/", "/en/matrix/heatmap/", "/en/matrix/editions/"]


def run(
    target: Target,
    *,
    clients: int,
    requests: int,
    import_rows: int,
    skip: set[str],
    say: Callable[[str], None],
    servers: int = 1,
    seed: int = 20,
    never_asked: int = 0,
) -> dict:
    manifest = target.manifest()
    env = target.env()
    # The API's rate limit for anonymous callers (120 a minute by default) would answer
    # most of the benchmark's requests with 429, from the one address they come from.
    env["JPOA_API_ANON_RATE"] = "1000000/min"
    say("bringing the benchmark database up to date (migrate) ...")
    target.jpoa("migrate", "--verbosity=0", capture=True)
    report: dict = {
        "machine": machine(),
        "data": manifest,
        "clients": clients,
        "requests_per_view": requests,
        "views": [],
    }
    ports = [free_port() for _ in range(servers)]
    report["servers"] = servers
    with contextlib.ExitStack() as stack:
        running = [
            stack.enter_context(
                Server(
                    target.command("serve", f"--port={port}"),
                    env,
                    port,
                    # Not the home page: at a million activities its first build compares
                    # the last two editions entry by entry (jpoa.public.now), over 90 s on a
                    # busy machine, longer than the start-up wait.
                    "/en/matrix/editions/",
                    target.data_dir / f"bench-server-{n}.log",
                )
            )
            for n, port in enumerate(ports, start=1)
        ]
        # Datasette serves beside jpoa, each idle while the other is measured: each view's
        # Datasette twin is measured right after it, so that a machine whose speed drifts
        # (a shared host) drifts less between the two figures a ratio compares.
        datasette = None if "datasette" in skip else stack.enter_context(_datasette(target))
        has_search = _status(ports[0], "/en/search/") == 200
        measured = views(manifest, has_search, seed=seed, never_asked=never_asked)
        if never_asked:
            say(f"never-asked combinations: seed {seed}, {never_asked} per view")
        for view in measured:
            say(f"measuring {view.name} ...")
            count = len(view.paths) if view.never_asked else requests
            warm = not (view.fresh or view.never_asked)
            latency = measure(ports, view.urls(count), clients, count, warm=warm)
            row = {
                "name": view.name,
                "path": view.urls(1)[0],
                "note": view.note,
                "jpoa": asdict(latency),
                **({"paths": view.paths} if view.never_asked else {}),
            }
            report["views"].append(row)
            if datasette is not None and view.datasette_paths:
                say(f"measuring Datasette: {view.name} ...")
                _measure_datasette(view, row, datasette.port, clients, requests)
        if "throughput" not in skip:
            say("measuring the cached public pages ...")
            report["cached_pages"] = asdict(measure(ports, CACHED_PAGES, clients, requests * 2))
    report["server_peak_rss_mb"] = round(sum(server.peak_mb for server in running), 1)
    report["server_process_peak_rss_mb"] = [
        mb for server in running for mb in server.peak_each_mb.values()
    ]
    # Shared pages (the code and data the workers got from the master, the matrix's
    # arrays mapped from files) count in the RSS of each process that maps them; the
    # sum of PSS counts each page once, and it is what the memory target is judged on.
    for kind in ("pss", "uss"):
        peaks = [getattr(server.memory, f"peak_{kind}_mb") for server in running]
        report[f"server_peak_{kind}_mb"] = (
            round(sum(peaks), 1) if all(p is not None for p in peaks) else None
        )
    report["server_processes"] = [each for server in running for each in server.peak_each]
    if datasette is not None:
        report["datasette"] = {"peak_rss_mb": datasette.peak_mb, "version": _datasette_version()}
    if "publish" not in skip:
        say("publishing an edition (rolled back) ...")
        figure = timed(target.command("bench", "publish-time"), env)
        report["publish"] = {"seconds": figure["seconds"], "peak_rss_mb": figure["peak_rss_mb"]}
        report["publish"].update(_last_json(figure["output"]))
    if "import" not in skip:
        report["imports"] = _imports(target, import_rows, say)
    if "export" not in skip:
        report["exports"] = _exports(target, say)
    if "site" not in skip:
        report["site_build"] = _site_build(target, say)
    return report


def _status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        return _get(connection, path)
    finally:
        connection.close()


def _datasette(target) -> Server:
    """Datasette serving the benchmark's table of activities, on a free port."""
    database = target.data_dir / "datasette.sqlite3"
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(database),
        "--host=127.0.0.1",
        f"--port={port}",
        # Facets get the time they need instead of giving up after 200 ms, and no facet
        # suggestions are computed: both in Datasette's favour.
        "--setting",
        "facet_time_limit_ms",
        "60000",
        "--setting",
        "sql_time_limit_ms",
        "60000",
        "--setting",
        "suggest_facets",
        "off",
    ]
    log = target.data_dir / "bench-datasette.log"
    return Server(command, os.environ.copy(), port, "/-/versions.json", log)


def _measure_datasette(view: View, row: dict, port: int, clients: int, requests: int) -> None:
    """Datasette's figures for VIEW, and how many times faster jpoa was, into ROW."""
    if view.never_asked:
        count = len(view.datasette_paths)
        latency = measure([port], view.datasette_paths, clients, count, warm=False)
    else:
        latency = measure([port], view.datasette_paths, clients, max(clients, requests // 5))
    row["datasette"] = asdict(latency)
    row["datasette_path"] = view.datasette_paths[0]
    if row["jpoa"]["median_ms"]:
        row["times_faster"] = round(latency.median_ms / row["jpoa"]["median_ms"], 1)


def _datasette_version() -> str:
    try:
        from importlib.metadata import version

        return version("datasette")
    except Exception:  # noqa: BLE001 - only a label in the report
        return "?"


def _last_json(output: str) -> dict:
    import json

    start = output.rfind("{\n")
    try:
        return json.loads(output[start:]) if start >= 0 else {}
    except ValueError:
        return {}


# -- imports, through the command line, into a scratch database ---------------------------

LEADS = ["OSCE", "UNODC", "EU", "UNRCCA"]
COUNTRIES = ["KZ", "KG", "TJ", "TM", "UZ"]


def write_csv(path: Path, rows: int, run_id: str) -> None:
    rnd = random.Random(3)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["Key", "Lead organisation", "Title (English)", "Title (Russian)", "Pillars"]
            + ["Countries", "Start date", "End date", "Status", "Description (English)"]
        )
        for n in range(rows):
            year = rnd.randint(2012, 2025)
            writer.writerow(
                [
                    f"imp-{run_id}-{n:06d}",
                    rnd.choice(LEADS),
                    f"Synthetic imported activity {n}",
                    f"Синтетическое импортированное мероприятие {n}",
                    "; ".join(sorted({str(rnd.randint(1, 4)) for _ in range(rnd.randint(1, 2))})),
                    "; ".join(sorted(set(rnd.choices(COUNTRIES, k=rnd.randint(1, 2))))),
                    f"{year}-03-01",
                    f"{year + rnd.randint(0, 3)}-12-31",
                    rnd.choice(["planned", "ongoing", "completed"]),
                    "Synthetic: made by jpoa bench run to time imports; not a real activity.",
                ]
            )


def write_iati(path: Path, rows: int, run_id: str) -> None:
    rnd = random.Random(4)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n']
    for n in range(rows):
        year = rnd.randint(2012, 2025)
        countries = "".join(
            f'<recipient-country code="{c}"/>'
            for c in sorted(set(rnd.choices(COUNTRIES, k=rnd.randint(1, 2))))
        )
        parts.append(
            f'<iati-activity xml:lang="en"><iati-identifier>XX-SYN-{run_id}-{n}</iati-identifier>'
            f"<title><narrative>Synthetic IATI activity {n}</narrative>"
            f'<narrative xml:lang="ru">Синтетическое мероприятие IATI {n}</narrative></title>'
            '<description type="1"><narrative>Synthetic: made by jpoa bench run; not real.'
            "</narrative></description>"
            f'<participating-org role="2"><narrative>{rnd.choice(LEADS)}</narrative>'
            '</participating-org><activity-status code="2"/>'
            f'<activity-date type="2" iso-date="{year}-01-01"/>{countries}</iati-activity>\n'
        )
    parts.append("</iati-activities>\n")
    path.write_text("".join(parts), encoding="utf-8")


def _imports(target: Target, rows: int, say: Callable[[str], None]) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="import-", dir=target.data_dir))
    try:
        say(f"preparing a scratch database for imports in {scratch} ...")
        imports = Target(scratch)
        imports.jpoa("init", capture=True)
        env = dict(imports.env(), JPOA_PASSWORD="bench-import-password-7Qx")
        subprocess.run(
            imports.command("createuser", f"--username={IMPORT_USER}", "--superuser", "--noinput"),
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        run_id = str(int(time.time()))
        figures = {}
        for kind, write, name in (
            ("csv", write_csv, "bench.csv"),
            ("iati", write_iati, "bench.xml"),
        ):
            path = scratch / name
            write(path, rows, run_id)
            say(f"importing {rows:,} rows of {kind} ...")
            figure = timed(
                imports.command("import", str(path), "--yes", f"--user={IMPORT_USER}"), env
            )
            figures[kind] = {
                "rows": rows,
                "seconds": figure["seconds"],
                "rows_per_second": round(rows / figure["seconds"], 1),
                "peak_rss_mb": figure["peak_rss_mb"],
                "ok": figure["exit"] == 0,
            }
            if figure["exit"]:
                figures[kind]["output"] = figure["output"]
        return figures
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _exports(target: Target, say: Callable[[str], None]) -> dict:
    """The latest edition, whole, as each download format, written by `jpoa export`."""
    out = Path(tempfile.mkdtemp(prefix="export-", dir=target.data_dir))
    figures = {}
    try:
        for format, name in (
            ("xlsx", "m.xlsx"),
            ("csv", "m.csv"),
            ("parquet", "m.parquet"),
            ("datapackage", "m.zip"),
        ):
            say(f"exporting the latest edition as {format} ...")
            path = out / name
            figure = timed(target.command("export", format, "-o", str(path)), target.env())
            figures[format] = {
                "seconds": figure["seconds"],
                "peak_rss_mb": figure["peak_rss_mb"],
                "megabytes": round(path.stat().st_size / 1e6, 1) if path.exists() else 0,
                "ok": figure["exit"] == 0,
            }
        return figures
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _site_build(target: Target, say: Callable[[str], None]) -> dict:
    commands = target.jpoa("help", "--commands", capture=True).split()
    if "site" not in commands:
        return {"available": False}
    say("building the static site ...")
    out = Path(tempfile.mkdtemp(prefix="site-", dir=target.data_dir))
    try:
        figure = timed(target.command("site", "build", f"--output={out}"), target.env())
        return {
            "available": True,
            "seconds": figure["seconds"],
            "peak_rss_mb": figure["peak_rss_mb"],
            "ok": figure["exit"] == 0,
            "output": figure["output"][-500:] if figure["exit"] else "",
        }
    finally:
        shutil.rmtree(out, ignore_errors=True)


# -- the report ---------------------------------------------------------------------------


def machine() -> dict:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def table(report: dict) -> str:
    data = report["data"]
    lines = [
        f"jpoa bench: {data['activities']:,} synthetic activities on {data['vendor']}, "
        f"{report['servers']} server(s), {report['clients']} clients, "
        f"{report['requests_per_view']} requests per view; "
        f"{report['machine']['cpus']} CPUs, load {report['machine']['load_average']}",
        "",
        f"{'view':<40} {'median':>8} {'p95':>8} {'cold':>8} {'req/s':>7} {'err':>4}"
        f" {'Datasette':>10} {'x faster':>9}",
    ]
    for row in report["views"]:
        j = row["jpoa"]
        d = row.get("datasette")
        lines.append(
            f"{row['name']:<40} {j['median_ms']:>6.0f}ms {j['p95_ms']:>6.0f}ms {j['cold_ms']:>6.0f}ms"
            f" {j['per_second']:>7.1f} {j['errors']:>4}"
            + (f" {d['median_ms']:>8.0f}ms {row['times_faster']:>9.1f}" if d else "")
        )
        if row.get("note"):
            lines.append(f"  ({row['note']})")
    lines.append("")
    if "cached_pages" in report:
        c = report["cached_pages"]
        lines.append(
            f"cached public pages: {c['per_second']:.0f} requests/s (median {c['median_ms']:.0f} ms)"
        )
    lines += _memory_lines(report)
    if "datasette" in report:
        lines.append(
            f"Datasette {report['datasette']['version']} peak memory: "
            f"{report['datasette']['peak_rss_mb']:.0f} MB"
        )
    if "publish" in report:
        p = report["publish"]
        lines.append(
            f"publish an edition of {p.get('activities', 0):,} activities: {p['seconds']:.1f} s "
            f"(process, start-up included; in-process {p.get('seconds_inside', 0):.1f} s, "
            f"then {p.get('search_seconds_inside', 0):.1f} s indexing its activities for "
            f"search), peak memory {p['peak_rss_mb']:.0f} MB"
        )
    for kind, figure in report.get("imports", {}).items():
        lines.append(
            f"import {kind}: {figure['rows']:,} rows in {figure['seconds']:.1f} s = "
            f"{figure['rows_per_second']:.0f} rows/s, peak memory {figure['peak_rss_mb']:.0f} MB"
            + ("" if figure["ok"] else " (FAILED)")
        )
    for format, figure in report.get("exports", {}).items():
        lines.append(
            f"export the latest edition as {format}: {figure['seconds']:.1f} s, "
            f"{figure['megabytes']:.1f} MB, peak memory {figure['peak_rss_mb']:.0f} MB"
            + ("" if figure["ok"] else " (FAILED)")
        )
    site = report.get("site_build")
    if site is not None:
        lines.append(
            f"static site build: {site['seconds']:.1f} s, peak memory {site['peak_rss_mb']:.0f} MB"
            if site.get("available")
            else "static site build: `jpoa site build` is not available"
        )
    return "\n".join(lines) + "\n"


def _memory_lines(report: dict) -> list[str]:
    pss, uss = report.get("server_peak_pss_mb"), report.get("server_peak_uss_mb")
    lines = [
        "server peak memory, all its processes (gunicorn master and workers, task worker): "
        + (f"PSS {pss:.0f} MB (the target is judged on this), " if pss is not None else "")
        + f"RSS {report['server_peak_rss_mb']:.0f} MB (shared pages counted in each process)"
        + (f", USS {uss:.0f} MB (private)" if uss is not None else "")
    ]
    for each in report.get("server_processes") or []:
        kinds = [f"{kind.upper()} {each[f'{kind}_mb']:.0f}" for kind in ("pss", "rss", "uss")
                 if f"{kind}_mb" in each]  # fmt: skip
        lines.append(f"  {each['role']}: peak {', '.join(kinds)} MB")
    if not report.get("server_processes") and report.get("server_process_peak_rss_mb"):
        each = ", ".join(f"{mb:.0f}" for mb in report["server_process_peak_rss_mb"])
        lines.append(f"  each server process's peak RSS: {each} MB")
    return lines
