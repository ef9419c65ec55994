"""The console under load on a département-sized store, against a trivial endpoint of the same
app, in one run.

    .venv/bin/python benchmarks/web.py [--colleges 35] [--requests 300]

A generated département (35 collèges) is rolled over into one store (with a free hasher: the
passwords' cost is benchmarks/rollover.py's business), then one school's console is served by
uvicorn on the loopback and asked, over one kept-alive connection, as a signed-in principal:
  trivial     GET /api/v1/sante (no store, no session: the baseline);
  dashboard   GET / (calendar, last import and its problems, pending plan, summaries);
  search      GET /mots-de-passe?q=… (the password tool's account search, with the policy's
              verdict for each row);
  api search  GET /api/v1/comptes?q=… with a bearer token.
For each: requests per second and the 95th percentile latency, and their ratio to the trivial
endpoint's.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import uvicorn

from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.web.app import create_app
from rollover import rolled_over  # type: ignore[import-not-found]

NOW = datetime(2025, 10, 6, 8, tzinfo=UTC)


def serve(home: Path, uai: str) -> tuple[uvicorn.Server, int]:
    server = uvicorn.Server(uvicorn.Config(create_app(home, uai=uai, clock=lambda: NOW),
                                           host="127.0.0.1", port=0, log_level="warning",
                                           access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, port


def principal_of(home: Path, uai: str) -> tuple[str, str]:
    """The first direction account of the school, with its initial password."""
    for sheet in sorted((home / "credentials" / uai).rglob("comptes.csv")):
        for line in sheet.read_text(encoding="utf-8-sig").splitlines()[1:]:
            fields = line.split(";")
            if fields[4] == "direction":
                return fields[0], fields[-1]
    raise SystemExit(f"no direction account in {uai}")


class Client:
    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        self.connection.request(method, path, body=body,
                                headers={**self.headers, **(headers or {})})
        response = self.connection.getresponse()
        response.read()
        return response

    def page(self, path: str) -> str:
        self.connection.request("GET", path, headers=self.headers)
        return self.connection.getresponse().read().decode()

    def sign_in(self, login: str, password: str) -> None:
        """Signed in, having chosen a password of one's own as the console first asks."""
        self.connection.request("GET", "/connexion")
        form = self.connection.getresponse()
        page = form.read().decode()
        preauth = form.headers["set-cookie"].split(";")[0]
        answer = self.request("POST", "/connexion", urlencode(
            {"identifiant": login, "mot_de_passe": password, "csrf": csrf_of(page)}),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": preauth})
        assert answer.status == 303, answer.status
        self._keep_session(answer)
        if answer.getheader("location") == "/mon-compte":
            chosen = password + "-Choisi9"
            changed = self.request("POST", "/mon-compte", urlencode(
                {"actuel": password, "nouveau": chosen, "confirmation": chosen,
                 "csrf": csrf_of(self.page("/mon-compte"))}),
                {"Content-Type": "application/x-www-form-urlencoded"})
            assert changed.status == 200, changed.status
            self._keep_session(changed)  # the change ended the session: a new one is given

    def _keep_session(self, answer: http.client.HTTPResponse) -> None:
        session = next(v for k, v in answer.getheaders() if k.lower() == "set-cookie"
                       and v.startswith("bascule_session="))
        self.headers["Cookie"] = session.split(";")[0]


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def measure(client: Client, path: str, count: int,
            headers: dict[str, str] | None = None) -> tuple[float, float]:
    """(requests per second, p95 latency in seconds) of `count` requests in a row."""
    for _ in range(5):  # warm-up: caches, first connections
        assert client.request("GET", path, headers=headers).status == 200, path
    latencies = []
    start = time.perf_counter()
    for _ in range(count):
        begin = time.perf_counter()
        status = client.request("GET", path, headers=headers).status
        latencies.append(time.perf_counter() - begin)
        assert status == 200, (path, status)
    elapsed = time.perf_counter() - start
    return count / elapsed, statistics.quantiles(latencies, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=35)
    parser.add_argument("--requests", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        print(f"generating and rolling over {options.colleges} collèges…", file=sys.stderr)
        settings, colleges = rolled_over(root, options.colleges)
        school = max((c.uai for c in colleges),
                     key=lambda uai: len(campaign.accounts(settings, uai)))
        login, password = principal_of(settings.home, school)
        token = school_ops.create_api_token(settings, school, "benchmark", login, ["lecture"],
                                            actor="benchmark", now=NOW)
        people = len(campaign.accounts(settings, school))
        server, port = serve(settings.home, school)
        client = Client(port)
        client.sign_in(login, password)
        bearer = {"Authorization": f"Bearer {token}"}
        results = {
            "trivial": measure(client, "/api/v1/sante", options.requests),
            "dashboard": measure(client, "/", options.requests),
            "search": measure(client, "/mots-de-passe?q=mar", options.requests),
            "api search": measure(client, "/api/v1/comptes?q=mar", options.requests, bearer),
        }
        server.should_exit = True
    base_rate, base_p95 = results["trivial"]
    print(f"bascule web benchmark: {options.colleges} collèges in one store, the console of "
          f"{school} ({people} accounts), {options.requests} requests each, one connection")
    for name, (rate, p95) in results.items():
        print(f"  {name:<11} {rate:7.0f} req/s  p95 {p95 * 1000:6.1f} ms  "
              f"({base_rate / rate:5.1f}x slower, p95 {p95 / base_p95:5.1f}x the trivial)")


if __name__ == "__main__":
    main()
