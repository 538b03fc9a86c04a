"""The FastAPI host of docs/examples, run as a portal runs it: uvicorn with two
worker processes over one store, the schema created beforehand by
``periscolaire db upgrade``.

On a temporary SQLite file always; on PostgreSQL and MariaDB when their URL
is set (tests/stores.py). Each server gets a commune key of its own
(``PERISCOLAIRE_COMMUNE_KEY``), so its rows are its own.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

import periscolaire as ps
from periscolaire.cli import main as periscolaire_cli
from tests.stores import SQL_BACKENDS, server_url, unique_key

pytest.importorskip("fastapi", reason="the FastAPI host needs fastapi (the [test] extra)")
pytest.importorskip("uvicorn", reason="the FastAPI host runs under uvicorn (the [test] extra)")
httpx = pytest.importorskip("httpx", reason="the FastAPI host is called with httpx (the [test] extra)")

ROOT = Path(__file__).resolve().parent.parent
APP = "docs.examples.fastapi_app:app"
WORKERS = 2
STARTUP = 60.0  # seconds for both workers to answer (two cores, cold imports)
TIMEOUT = 30.0  # seconds for any one request

OPENING = "2024-08-26T10:00:00"  # inside booking period 1 (opened 19 August)
WEDNESDAY = date(2024, 9, 11)
FAMILIES = 40
PLACES = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Portal:
    """The running portal (uvicorn and its workers), and the test's own
    register on the same store and commune (another process's view, as an
    agent's back office)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    register: ps.Register

    def client(self) -> Any:
        return httpx.Client(base_url=self.url, timeout=TIMEOUT)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request on a new connection (so that either worker may take it)."""
        with self.client() as client:
            return client.request(method, path, **kwargs)

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def pid(response: Any) -> int:
    return int(response.headers["x-worker-pid"])


def start(url: str, key: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PERISCOLAIRE_STORE_URL": url, "PERISCOLAIRE_COMMUNE_KEY": key}
    command = [
        *(sys.executable, "-m", "uvicorn", APP),
        *("--workers", str(WORKERS), "--host", "127.0.0.1", "--port", str(port)),
        *("--app-dir", str(ROOT), "--no-access-log"),
    ]
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would block the server
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """uvicorn and its workers (the process group it leads): SIGTERM, then
    SIGKILL if they are not gone within 10 s."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10.0)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for_workers(portal: Portal) -> set[int]:
    """Both workers answering (each with the store open): new connections
    until two process ids have answered."""
    deadline = time.monotonic() + STARTUP
    seen: set[int] = set()
    while len(seen) < WORKERS:
        if portal.process.poll() is not None:
            pytest.fail(f"uvicorn exited ({portal.process.returncode}):\n{portal.logs()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{WORKERS} workers not answering after {STARTUP} s (seen {seen}):\n{portal.logs()}")
        try:
            response = httpx.get(f"{portal.url}/health", timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        assert response.status_code == 200, response.text
        seen.add(pid(response))
    return seen


@pytest.fixture(scope="module", params=SQL_BACKENDS)
def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    directory = tmp_path_factory.mktemp(f"portal-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{directory / 'portail.db'}"
        # The deploy step, once, before the workers start.
        assert periscolaire_cli(["db", "upgrade", url], io.StringIO()) == 0
    else:
        url = server_url(request.param)  # skips when unset; migrated once per run
    key = unique_key("fastapi")
    port = free_port()
    log = directory / "uvicorn.log"
    process = start(url, key, port, log)
    store: ps.Store | None = None
    try:
        store = ps.open_store(url)
        register = ps.Register(attrs.evolve(ps.load_commune(), key=key), store=store)
        portal = Portal(f"http://127.0.0.1:{port}", process, log, register)
        wait_for_workers(portal)
        yield portal
    finally:
        stop(process)
        if store is not None:
            store.close()


def family(i: int) -> dict[str, Any]:
    """A family account as ``Family.to_dict()`` (the request carries it)."""
    return ps.Family(f"F{i:02d}", f"NOM{i:02d}", (ps.Child(f"c{i:02d}", "Prénom", f"NOM{i:02d}"),)).to_dict()


def test_two_uvicorn_workers_never_overbook_a_wednesday(portal: Portal) -> None:
    # An agent leaves 5 places on the Wednesday (from another process): the workers see it.
    portal.register.set_capacity("MERCREDI", WEDNESDAY, PLACES)
    assert portal.call("GET", f"/places/MERCREDI/{WEDNESDAY}").json()["places_left"] == PLACES

    # 40 families select the day, then all confirm at the same instant.
    barrier = threading.Barrier(FAMILIES, timeout=TIMEOUT)
    results: dict[int, tuple[int, int, dict[str, Any]]] = {}

    def book(i: int) -> None:
        account = family(i)
        with portal.client() as client:
            try:
                selected = client.post(
                    f"/families/{account['id']}/select",
                    json={
                        "family": account,
                        "now": OPENING,
                        "toggle": "day",
                        "child": account["children"][0]["id"],
                        "activity": "MERCREDI",
                        "day": WEDNESDAY.isoformat(),
                    },
                )
                assert selected.status_code == 200, selected.text
            except BaseException:
                barrier.abort()  # the others stop waiting at once
                raise
            barrier.wait()
            confirmed = client.post(
                f"/families/{account['id']}/confirm",
                json={"family": account, "now": OPENING, "pending": selected.json()["pending"]},
            )
            results[i] = (confirmed.status_code, pid(confirmed), confirmed.json())

    with ThreadPoolExecutor(FAMILIES) as pool:
        for future in [pool.submit(book, i) for i in range(FAMILIES)]:
            future.result(timeout=3 * TIMEOUT)

    assert {status for status, _, _ in results.values()} == {200}, results
    kinds = Counter(
        kind for _, _, outcome in results.values() for kind, rows in outcome.items() for _ in rows
    )
    assert kinds == {"accepted": PLACES, "waitlisted": FAMILIES - PLACES}  # none refused, none overbooked
    confirming_workers = {worker for _, worker, _ in results.values()}
    assert len(confirming_workers) == WORKERS, f"one worker confirmed everything: {confirming_workers}"

    # Through the API, on either worker ...
    assert portal.call("GET", f"/places/MERCREDI/{WEDNESDAY}").json() == {
        "activity": "MERCREDI",
        "day": WEDNESDAY.isoformat(),
        "capacity": PLACES,
        "places_left": 0,
        "taken": PLACES,
        "waiting": FAMILIES - PLACES,
    }
    # ... and in the store: five accepted, confirmed before every waiting one.
    register = portal.register
    assert register.taken("MERCREDI", WEDNESDAY) == PLACES
    rows = [r for r in register.reservations() if (r.activity, r.day) == ("MERCREDI", WEDNESDAY)]
    accepted = sorted(r.sequence for r in rows if r.status is ps.ReservationStatus.ACCEPTED)
    waiting = sorted(r.sequence for r in rows if r.status is ps.ReservationStatus.WAITLISTED)
    assert (len(accepted), len(waiting)) == (PLACES, FAMILIES - PLACES)
    assert max(accepted) < min(waiting)
    winners = {i for i, (_, _, outcome) in results.items() if outcome["accepted"]}
    assert {r.family for r in rows if r.status is ps.ReservationStatus.ACCEPTED} == {
        f"F{i:02d}" for i in winners
    }


def test_a_selection_saved_on_one_worker_is_confirmed_on_another_and_reported_once(portal: Portal) -> None:
    days = ["2024-10-02", "2024-10-09", "2024-10-16"]
    screen: dict[str, Any] = {"now": OPENING}
    opened = portal.call("POST", "/families/F-DUPONT/open", json=screen)
    assert opened.status_code == 200, opened.text
    assert opened.json()["reservations"] == []
    selected = portal.call(
        "POST",
        "/families/F-DUPONT/select",
        json={**screen, "pending": opened.json()["pending"], "toggle": "weekday", "child": "paolo"}
        | {"activity": "MERCREDI", "day": days[0]},
    )
    assert selected.json()["changed"] == days
    screen["pending"] = selected.json()["pending"]
    # The client sends its pending changes back; another worker reopens them.
    deadline = time.monotonic() + TIMEOUT
    while pid(recap := portal.call("POST", "/families/F-DUPONT/recap", json=screen)) == pid(selected):
        assert time.monotonic() < deadline, "the other worker never answered"
    assert [r["day"] for r in recap.json()["bookings"]] == days
    outcome = portal.call("POST", "/families/F-DUPONT/confirm", json=screen).json()
    assert [r["day"] for r in outcome["accepted"]] == days

    # One place left on 9 October, taken by Paolo: another family waits, then gets it.
    assert portal.call("PUT", f"/places/MERCREDI/{days[1]}", json={"places": 1, "now": OPENING}).json() == {
        "promotions": []
    }
    other = family(99)
    waiting = {"family": other, "now": OPENING}
    waiting["pending"] = portal.call(
        "POST",
        "/families/F99/select",
        json={**waiting, "toggle": "day", "child": "c99", "activity": "MERCREDI", "day": days[1]},
    ).json()["pending"]
    assert portal.call("POST", "/families/F99/confirm", json=waiting).json()["waitlisted"] == [
        {"child": "c99", "activity": "MERCREDI", "day": days[1]}
    ]
    cancel = portal.call(
        "POST",
        "/families/F-DUPONT/select",
        json={"now": OPENING, "toggle": "day", "child": "paolo", "activity": "MERCREDI", "day": days[1]},
    ).json()
    assert cancel["pending"]["pending"] == [
        {"child": "paolo", "activity": "MERCREDI", "day": days[1], "action": "cancel"}
    ]
    cancelled = portal.call("POST", "/families/F-DUPONT/confirm", json={"now": OPENING, **cancel}).json()
    assert len(cancelled["cancelled"]) == 1
    assert portal.call("GET", f"/places/MERCREDI/{days[1]}").json()["waiting"] == 0

    # The nightly run: each family's report once, the promotion e-mail once.
    sent = portal.call("POST", "/nightly", json={"now": "2024-08-27T02:00"}).json()["sent"]
    ours = {
        m["to"]: m for m in sent if m["subject"].startswith("Compte-rendu") and m["to"] in ("F-DUPONT", "F99")
    }
    assert "RESERVATIONS ACCEPTEES" in ours["F-DUPONT"]["body"]
    assert "RESERVATIONS ANNULEES" in ours["F-DUPONT"]["body"]
    assert "RESERVATIONS MISES EN LISTE D'ATTENTE" in ours["F99"]["body"]
    promoted = [m for m in sent if m["subject"] == "Réservation acceptée"]
    assert [m["to"] for m in promoted] == ["F99"]
    assert promoted[0]["message_id"].startswith(f"<promotion-{portal.register.commune.store_key}-")
    assert portal.register.pending_promotions() == ()
    assert portal.call("POST", "/nightly", json={"now": "2024-08-28T02:00"}).json() == {"sent": []}


def test_refusals_answer_400_or_409_with_a_code_and_a_french_message(portal: Portal) -> None:
    day = {"activity": "MERCREDI", "toggle": "day"}
    cases = [
        ("/families/F-MARTIN/open", {"now": OPENING}, 409, "debtor"),
        (
            "/families/F-DUPONT/select",
            {"now": OPENING, "child": "zoe", "day": "2024-10-09"} | day,
            400,
            "unknown_child",
        ),
        (
            "/families/F-DUPONT/select",
            {"now": "2024-10-01T10:00", "child": "paolo", "day": "2024-10-02"} | day,
            409,
            "past_deadline",
        ),
        (
            "/families/F-DUPONT/recap",
            {"now": OPENING, "pending": {"family": "F-MARTIN", "pending": []}},
            400,
            "other_family",
        ),
    ]
    for path, body, status, code in cases:
        response = portal.call("POST", path, json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.json()["message"]
    assert portal.call("POST", "/families/F-NOBODY/open", json={"now": OPENING}).status_code == 404
