"""The nightly batch: reports, promotions, debits — and the same night again.

September 2024 in Cestas: families book in the first booking period (open
since Monday 19 August), one Wednesday is full and its waiting list moves,
and the night of Thursday 12 September 02:00 runs.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import periscolaire as ps
from periscolaire.cli import main
from periscolaire.nightly import NightlyMail, file_key, price_without_qf, run_nightly
from periscolaire.wallet import consumption_reference
from tests.helpers import status_of
from tests.stores import Backend, keyed, store_url

BOOKING = datetime(2024, 8, 26, 10)  # period 1 is open (since Monday 19 August)
CANCELLING = datetime(2024, 8, 26, 18)
NIGHT = datetime(2024, 9, 12, 2)  # Thursday 12 September, 02:00 in Cestas
NEXT_NIGHT = datetime(2024, 9, 13, 2)
WEDNESDAY = date(2024, 9, 11)

DUPONT = ps.Family(
    "F-DUPONT",
    "DUPONT",
    (ps.Child("paolo", "Paolo", "DUPONT"), ps.Child("amalia", "Amalia", "DUPONT")),
)
MARTIN = ps.Family("F-MARTIN", "MARTIN", (ps.Child("lina", "Lina", "MARTIN"),))
NAMES = {"paolo": "DUPONT Paolo", "amalia": "DUPONT Amalia", "lina": "MARTIN Lina"}
# The stores here keep dossiers without keys (they say so once: tests/contract covers it).
pytestmark = pytest.mark.filterwarnings("ignore::periscolaire.store.health.HealthDataWarning")


def book(
    register: ps.Register, family: ps.Family, now: datetime, *toggles: tuple[str, str, date]
) -> ps.Outcome:
    session = register.open_session(family, now=now, balance=Decimal(0), dossier_complete=True)
    for child, code, day in toggles:
        session.toggle_day(child, code, day)
    return session.confirm(now)


def september(register: ps.Register) -> None:
    """Paolo eats at the canteen the week of the 9th and takes the only place
    of Wednesday the 11th; Amalia comes in the morning on the 9th and 10th;
    Lina waits for the Wednesday, and gets it when Paolo cancels it."""
    register.set_capacity("MERCREDI", WEDNESDAY, 1)
    outcome = book(
        register,
        DUPONT,
        BOOKING,
        *(("paolo", "RESTAURATION", date(2024, 9, d)) for d in (9, 10, 12, 13)),
        ("paolo", "MERCREDI", WEDNESDAY),
        ("amalia", "ACCUEIL_MATIN", date(2024, 9, 9)),
        ("amalia", "ACCUEIL_MATIN", date(2024, 9, 10)),
    )
    assert len(outcome.accepted) == 7
    assert book(register, MARTIN, BOOKING, ("lina", "MERCREDI", WEDNESDAY)).waitlisted
    assert book(register, DUPONT, CANCELLING, ("paolo", "MERCREDI", WEDNESDAY)).cancelled
    assert register.status("lina", "MERCREDI", WEDNESDAY) is ps.ReservationStatus.ACCEPTED


def entries(register: ps.Register, family: str) -> tuple[ps.Entry, ...]:
    return ps.Families(register.commune, register.store).agent("contrôle").account(family).entries


# -- one night ----------------------------------------------------------------------------------


def test_a_night_reports_each_family_sends_the_promotion_and_debits_the_days_before_it(
    backend: Backend, tmp_path: Path
) -> None:
    register = backend.register(ps.load_commune())
    september(register)
    expected = register.untransmitted()
    (promotion,) = register.pending_promotions()
    out = tmp_path / "mails"
    result = run_nightly(register.commune, register.store, NIGHT, out=out, names=NAMES)

    assert result.counts == {
        "reports": 2,
        "movements": 9,  # DUPONT: 7 accepted, 1 cancelled; MARTIN: 1 waitlisted
        "promotions": 1,
        "promotions_waiting": 0,
        "consumptions_due": 5,  # 9 and 10 September for each child, and Lina's Wednesday
        "debits": 5,
        "insurances_expired": 0,
    }
    labels = {code: a.label for code, a in register.commune.activities.items()}
    for family in ("F-DUPONT", "F-MARTIN"):
        assert result.reports.texts[family] == ps.render_nightly_report(
            f"Famille {family}", "Mairie de Cestas", expected[family], labels=labels, names=NAMES
        )
    # The promotion's e-mail, then the promotion marked sent.
    (mail,) = result.promotions.mails
    assert mail.family == "F-MARTIN"
    assert "du mer. 11/09/2024 (CENTRE DE LOISIRS MERCREDI, MARTIN Lina) a été acceptée" in mail.text
    assert register.pending_promotions() == ()
    # Days before the 12th, at the price without QF; nothing of the 12th or later.
    debited = {
        (e.wallet, e.on, e.amount, e.label)
        for family in ("F-DUPONT", "F-MARTIN")
        for e in entries(register, family)
    }
    assert debited == {
        ("RESTAURATION", date(2024, 9, 9), Decimal("-4.20"), "RESTAURATION du 09/09/2024 (DUPONT Paolo)"),
        ("RESTAURATION", date(2024, 9, 10), Decimal("-4.20"), "RESTAURATION du 10/09/2024 (DUPONT Paolo)"),
        ("PERISCOLAIRE", date(2024, 9, 9), Decimal("-2.00"), "ACCUEIL MATIN du 09/09/2024 (DUPONT Amalia)"),
        ("PERISCOLAIRE", date(2024, 9, 10), Decimal("-2.00"), "ACCUEIL MATIN du 10/09/2024 (DUPONT Amalia)"),
        (
            "EXTRASCOLAIRE",
            WEDNESDAY,
            Decimal("-12.00"),
            "CENTRE DE LOISIRS MERCREDI du 11/09/2024 (MARTIN Lina)",
        ),
    }
    assert result.debits.amount == Decimal("24.40")
    # One file per family report and per promotion, named after the night and the family.
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            f"compte-rendu-20240912T020000-{file_key('F-DUPONT')}.txt",
            f"compte-rendu-20240912T020000-{file_key('F-MARTIN')}.txt",
            f"promotion-{promotion.id}-{file_key('F-MARTIN')}.txt",
        ]
    )
    assert (out / f"{mail.key}.txt").read_text(encoding="utf-8") == mail.text
    assert result.summary().splitlines() == [
        "Traitement de nuit — Cestas — jeu. 12/09/2024 02:00",
        "  Comptes-rendus : 2 familles, 9 mouvements transmis.",
        "  Promotions (liste d'attente → acceptée) : 1 e-mail envoyé.",
        "  Consommations : 5 débitées (24.40 €, 2 familles) sur 5 journées réservées avant le jeu. 12/09/2024.",
        "  Assurances (2024/2025) : aucune échue.",
        f"  Fichiers : 3 écrits dans {out}.",
    ]


def test_the_same_night_again_has_no_double_effect_and_rewrites_the_same_files(
    backend: Backend, tmp_path: Path
) -> None:
    register = backend.register(ps.load_commune())
    september(register)
    out = tmp_path / "mails"
    first = run_nightly(register.commune, register.store, NIGHT, out=out, names=NAMES)
    files = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    ledgers = {f: entries(register, f) for f in ("F-DUPONT", "F-MARTIN")}

    again = run_nightly(register.commune, backend.reopen(register).store, NIGHT, out=out, names=NAMES)
    assert again.reports.texts == first.reports.texts  # the same reports, for a mailer to drop
    assert again.counts["promotions"] == 0  # sent once
    assert again.counts["debits"] == 0  # debited once
    assert {f: entries(register, f) for f in ledgers} == ledgers
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == files  # replaced, not added
    assert "aucune à débiter (5 journées réservées avant le jeu. 12/09/2024, déjà débitées ou gratuites)" in (
        again.summary()
    )


def test_the_next_night_reports_only_what_is_new_and_debits_only_the_new_day(backend: Backend) -> None:
    register = backend.register(ps.load_commune())
    september(register)
    run_nightly(register.commune, register.store, NIGHT)
    nothing_new = run_nightly(register.commune, register.store, NEXT_NIGHT)
    assert nothing_new.reports.mails == ()
    debited = [(family, e.on) for family, es in nothing_new.debits.entries.items() for e in es]
    assert debited == [("F-DUPONT", date(2024, 9, 12))]


def test_a_night_that_crashed_before_its_e_mails_were_out_gives_them_again_and_nothing_newer(
    backend: Backend,
) -> None:
    register = backend.register(ps.load_commune())
    september(register)
    handed: list[NightlyMail] = []

    def mailer_down_after_one(mail: NightlyMail) -> None:
        if handed:
            raise ConnectionError("the mail relay went away")
        handed.append(mail)

    with pytest.raises(ConnectionError):
        run_nightly(register.commune, register.store, NIGHT, deliver=mailer_down_after_one)
    # Meanwhile Lina's parents book the canteen of the 23rd.
    assert book(
        register, MARTIN, datetime(2024, 9, 12, 1), ("lina", "RESTAURATION", date(2024, 9, 23))
    ).accepted

    sent: list[NightlyMail] = []
    # The same night, however it is written: 00:00 UTC is 02:00 in Paris.
    again = run_nightly(
        register.commune, register.store, datetime(2024, 9, 12, 0, tzinfo=UTC), deliver=sent.append
    )
    assert [m.key for m in sent if m.kind == "compte-rendu"] == [m.key for m in again.reports.mails]
    assert handed[0] in sent  # the same e-mail, the same key
    assert {m.family for m in again.reports.mails} == {"F-DUPONT", "F-MARTIN"}
    assert "RESTAURATION" not in again.reports.texts["F-MARTIN"]  # the 23rd belongs to the next night
    assert again.counts["promotions"] == 1
    assert again.counts["debits"] == 5
    following = run_nightly(register.commune, register.store, NEXT_NIGHT)
    assert list(following.reports.texts) == ["F-MARTIN"]
    assert "MARTIN Lina" not in following.reports.texts["F-MARTIN"]  # no names given: the child's id
    assert "lina : lun. 23/09" in following.reports.texts["F-MARTIN"]


# -- prices, promotions without a destination ----------------------------------------------------


def test_a_consumption_costs_the_price_without_qf_unless_the_host_prices_it(backend: Backend) -> None:
    commune = ps.load_commune()
    price = price_without_qf(commune)
    meal = ps.Reservation("paolo", "RESTAURATION", date(2024, 9, 9), "F-DUPONT", "accepted")
    assert price(meal) == commune.activity("RESTAURATION").tariff.price(None) == Decimal("4.20")  # type: ignore[union-attr]

    register = backend.register(commune)
    september(register)
    qf = Decimal(500)

    def with_qf(r: ps.Reservation) -> Decimal:
        tariff = register.commune.activity(r.activity).tariff
        assert tariff is not None
        return Decimal(0) if r.child == "amalia" else tariff.price(qf)  # Amalia: a justified absence

    result = run_nightly(register.commune, register.store, NIGHT, price=with_qf)
    assert {(e.label.split(" du ")[0], e.amount) for e in entries(register, "F-DUPONT")} == {
        ("RESTAURATION", Decimal("-1.75")),  # 0.35 % of 500
    }
    assert result.counts["debits"] == 3
    assert result.counts["consumptions_due"] == 5
    assert "(2 déjà débitées ou gratuites)" in result.summary()


def test_an_activity_without_a_tariff_is_not_debited(backend: Backend) -> None:
    commune = ps.load_commune()
    free = attrs.evolve(
        commune,
        activities={
            code: attrs.evolve(a, tariff=None) if code == "ACCUEIL_MATIN" else a
            for code, a in commune.activities.items()
        },
    )
    register = backend.register(free)
    september(register)
    result = run_nightly(register.commune, register.store, NIGHT)
    assert {e.wallet for e in entries(register, "F-DUPONT")} == {"RESTAURATION"}
    assert result.counts["debits"] == 3


def test_without_a_destination_promotions_stay_in_the_outbox(backend: Backend) -> None:
    register = backend.register(ps.load_commune())
    september(register)
    result = run_nightly(register.commune, register.store, NIGHT)
    assert result.counts["promotions"] == 0
    assert result.counts["promotions_waiting"] == 1
    assert len(register.pending_promotions()) == 1
    assert "1 reste dans la file d'envoi" in result.summary()
    delivered: list[NightlyMail] = []
    assert (
        run_nightly(register.commune, register.store, NIGHT, deliver=delivered.append).counts["promotions"]
        == 1
    )
    assert register.pending_promotions() == ()


def test_debit_from_leaves_earlier_days_alone(backend: Backend) -> None:
    register = backend.register(ps.load_commune())
    september(register)
    result = run_nightly(register.commune, register.store, NIGHT, debit_from=date(2024, 9, 10))
    assert sorted({e.on for es in result.debits.entries.values() for e in es}) == [
        date(2024, 9, 10),
        WEDNESDAY,
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"now": "2024-09-12T02:00"}, "now : une date et heure"),
        ({"out": "x", "deliver": print}, "l'un des deux"),
        ({"price": Decimal(3)}, "price : une fonction"),
        ({"debit_from": datetime(2024, 9, 1)}, "debit_from : une date"),
        ({"debit_batch": 0}, "debit_batch : un entier à partir de 1"),
    ],
)
def test_wrong_arguments_are_invalid_argument_errors(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"now": NIGHT, **kwargs}
    now = arguments.pop("now")
    with pytest.raises(ps.InvalidArgument, match=message):
        run_nightly(ps.load_commune(), ps.open_store("memory://"), now, **arguments)  # type: ignore[arg-type]


def test_file_names_are_safe_and_distinct_whatever_the_family_id() -> None:
    ids = ["F1", "f1", "Zoé", "Zoe", "../../etc/passwd", "a" * 100, "é" * 100, " ", "."]
    keys = [file_key(i) for i in ids]
    assert len(set(keys)) == len(ids)
    assert len({k.lower() for k in keys}) == len(ids)  # even where file names ignore case
    for key in keys:
        assert all(c.isascii() and (c.isalnum() or c in "._-") for c in key), key
        assert len(key) <= 50
        assert not key.startswith(".")


# -- the command ----------------------------------------------------------------------------------


def sqlite_night(tmp_path: Path, commune: ps.Commune) -> tuple[str, Path]:
    """A SQLite store and the commune's file (its own key), as a portal leaves them."""
    url = store_url("sqlite", tmp_path)
    path = tmp_path / "commune.toml"
    path.write_text(commune.to_toml(), encoding="utf-8")
    return url, path


def test_the_command_runs_the_night_and_prints_what_it_did(tmp_path: Path) -> None:
    commune = keyed(ps.load_commune(), "nuit")
    url, toml = sqlite_night(tmp_path, commune)
    store = ps.open_store(url)
    september(ps.Register(commune, store=store))
    store.close()
    out = io.StringIO()
    argv = ["nightly", "--store", url, "--now", "2024-09-12T02:00", "--commune", str(toml), "--out"]
    assert main([*argv, str(tmp_path / "mails")], out) == 0
    assert out.getvalue().splitlines()[:4] == [
        "Traitement de nuit — Cestas — jeu. 12/09/2024 02:00",
        "  Comptes-rendus : 2 familles, 9 mouvements transmis.",
        "  Promotions (liste d'attente → acceptée) : 1 e-mail envoyé.",
        "  Consommations : 5 débitées (24.40 €, 2 familles) sur 5 journées réservées avant le jeu. 12/09/2024.",
    ]
    assert len(list((tmp_path / "mails").iterdir())) == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nightly", "--now", "2024-09-12T02:00"], "--store"),
        (["nightly", "--store", "sqlite:///x.db"], "--now"),
        (["nightly", "--store", "sqlite:///x.db", "--now", "cette nuit"], "date et heure ISO attendue"),
        (["nightly", "--store", "memory://", "--now", "2024-09-12T02:00"], "memory:// est vide"),
        (["nightly", "--store", "oracle://x", "--now", "2024-09-12T02:00"], "non reconnue"),
        (["nightly", "--store", "sqlite:///{tmp}/none.db", "--now", "2024-09-12T02:00"], "db upgrade"),
        (["nightly", "--store", "sqlite:///x.db", "--now", "2024-09-12", "--batch", "0"], "entier positif"),
        (
            ["nightly", "--store", "{url}", "--now", "2024-09-12T02:00", "--out", "{tmp}/file/x"],
            "inutilisable",
        ),
        (
            ["nightly", "--store", "{url}", "--now", "2024-09-12T02:00", "--commune", "/nowhere.toml"],
            "introuvable",
        ),
    ],
)
def test_the_command_refuses_bad_input_in_one_line_with_status_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = store_url("sqlite", tmp_path)
    (tmp_path / "file").write_text("")
    argv = [a.format(tmp=tmp_path, url=url) for a in argv]
    assert status_of(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


# -- killed with SIGKILL, run again ----------------------------------------------------------------

FAMILIES = 120
CAPACITY = 30
CANCELLED = 24  # accepted families that give their Wednesday up: as many promotions
KILL_NIGHT = datetime(2024, 10, 1, 2)


def crowded_september(register: ps.Register) -> None:
    """Forty families: each child eats at the canteen every school day of
    September and asks for Wednesday the 11th (ten places: thirty wait); eight
    of the ten then cancel, and eight waiting children are promoted."""
    register.set_capacity("MERCREDI", WEDNESDAY, CAPACITY)
    canteen = [
        d for d in (date(2024, 9, n) for n in range(2, 31)) if register.calendar.runs_on("RESTAURATION", d)
    ]
    for i in range(FAMILIES):
        family = ps.Family(f"F{i:03d}", "NOM", (ps.Child(f"c{i:03d}", "Prénom", "NOM"),))
        session = register.open_session(family, now=BOOKING, balance=Decimal(0), dossier_complete=True)
        for day in canteen:
            session.toggle_day(f"c{i:03d}", "RESTAURATION", day)
        session.toggle_day(f"c{i:03d}", "MERCREDI", WEDNESDAY)
        session.confirm(BOOKING)
    for i in range(CANCELLED):
        family = ps.Family(f"F{i:03d}", "NOM", (ps.Child(f"c{i:03d}", "Prénom", "NOM"),))
        assert book(register, family, CANCELLING, (f"c{i:03d}", "MERCREDI", WEDNESDAY)).cancelled


KILL_PHASES = ("startup", "reports", "promotions", "debits")


def _consumptions(url: str, commune: ps.Commune) -> list[ps.Entry]:
    """Every consumption debit of the commune's families, each ledger
    checked (numbers without gap or repeat)."""
    store = ps.open_store(url)
    try:
        agent = ps.Families(commune, store).agent("contrôle")
        found = []
        for i in range(FAMILIES):
            ledger = agent.account(f"F{i:03d}").entries
            assert [e.number for e in ledger] == list(range(1, len(ledger) + 1))
            found += [e for e in ledger if e.kind is ps.EntryKind.CONSUMPTION]
        return found
    finally:
        store.close()


def _pending(url: str, commune: ps.Commune) -> tuple[ps.Promotion, ...]:
    store = ps.open_store(url)
    try:
        return ps.Register(commune, store=store).pending_promotions()
    finally:
        store.close()


def _written_since(directory: Path, started: int) -> int:
    """E-mail files (re)written by the run started at ``started`` (ns)."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return 0
    count = 0
    for entry in entries:
        try:
            if not entry.name.startswith(".") and entry.stat().st_mtime_ns >= started:
                count += 1
        except FileNotFoundError:  # replaced meanwhile
            continue
    return count


def _wait_for_files(process: subprocess.Popen[str], directory: Path, started: int, files: int) -> None:
    deadline = time.monotonic() + 60
    while process.poll() is None and _written_since(directory, started) < files:
        assert time.monotonic() < deadline, "the night never wrote its files"
        time.sleep(0.0005)


def test_a_night_killed_at_random_points_and_run_again_debits_once_and_produces_everything(
    tmp_path: Path,
) -> None:
    commune = keyed(ps.load_commune(), "kill")
    url, toml = sqlite_night(tmp_path, commune)
    store = ps.open_store(url)
    register = ps.Register(commune, store=store)
    crowded_september(register)
    movements = register.untransmitted()  # what the night must report, per family
    promotions = register.pending_promotions()
    assert len(movements) == FAMILIES
    assert len(promotions) == CANCELLED
    due = [
        r
        for r in register.reservations()
        if r.status is ps.ReservationStatus.ACCEPTED and r.day < KILL_NIGHT.date()
    ]
    store.close()

    out = tmp_path / "mails"
    command = [sys.executable, "-m", "periscolaire", "nightly", "--store", url]
    command += ["--now", KILL_NIGHT.isoformat(), "--commune", str(toml), "--out", str(out), "--batch", "1"]
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    kills: list[tuple[str, int, int]] = []  # (phase aimed at, files written by the run, debits so far)
    for attempt in range(8):
        phase = KILL_PHASES[attempt % len(KILL_PHASES)]
        pending = len(_pending(url, commune))
        if phase == "promotions" and pending < 2:
            phase = "debits"
        started = time.time_ns()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if phase == "startup":  # opening the store, reading the commune
            time.sleep(rng.uniform(0.05, 0.3))
        elif phase == "reports":  # some families' reports written, not all
            _wait_for_files(process, out, started, rng.randint(1, FAMILIES - 1))
        elif phase == "promotions":  # some promotions delivered (and perhaps marked sent), not all
            _wait_for_files(process, out, started, FAMILIES + rng.randint(1, pending - 1))
        else:  # every e-mail out, the debits under way (one family per transaction)
            _wait_for_files(process, out, started, FAMILIES + pending)
            time.sleep(rng.uniform(0, 0.25))
        process.send_signal(signal.SIGKILL)  # a no-op if it finished meanwhile
        _, stderr = process.communicate(timeout=120)
        assert process.returncode in (0, -signal.SIGKILL), (seed, phase, stderr)
        if process.returncode == -signal.SIGKILL:
            kills.append((phase, _written_since(out, started), len(_consumptions(url, commune))))
    assert len(kills) >= 5, (seed, kills)  # startup and reports twice, promotions once: always killed
    # Run again, to its end.
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, (seed, kills, done.stderr)
    assert "Traitement de nuit — Cestas — mar. 01/10/2024 02:00" in done.stdout

    store = ps.open_store(url)
    register = ps.Register(commune, store=store)
    # Every consumption debited exactly once, at its price, nothing else.
    price = price_without_qf(commune)
    debited = Counter((e.reference, e.amount) for e in _consumptions(url, commune))
    expected = Counter((consumption_reference(r.child, r.activity, r.day), -price(r)) for r in due)
    assert debited == expected, (seed, kills)
    # Every report produced, whole, under its night's name.
    labels = {code: a.label for code, a in commune.activities.items()}
    for family, moves in movements.items():
        path = out / f"compte-rendu-20241001T020000-{file_key(family)}.txt"
        text = ps.render_nightly_report(f"Famille {family}", commune.structure_name, moves, labels=labels)
        assert path.read_text(encoding="utf-8") == text, (seed, family)
    # Every promotion produced, and marked sent.
    for promotion in promotions:
        path = out / f"promotion-{promotion.id}-{file_key(promotion.family)}.txt"
        assert path.read_text(encoding="utf-8").endswith(ps.render_promotion(promotion, labels=labels) + "\n")
    assert register.pending_promotions() == ()
    # Nothing else: no duplicate, no half-written file left aside.
    assert len(list(out.iterdir())) == FAMILIES + CANCELLED, (seed, sorted(p.name for p in out.iterdir()))
    store.close()


# -- step 4: insurances ------------------------------------------------------------------------


def insured_until(backend: Backend, register: ps.Register, expiry: date) -> None:
    """DUPONT's insurance for Paolo, transmitted and validated in June."""
    families = ps.Families(register.commune, store=register.store)
    dossier = families.family(DUPONT).dossier(2024)
    dossier.open()
    dossier.edit(ps.FicheKind.ASSURANCE, "paolo", company="MAIF", contract_number="123", expiry=expiry)
    dossier.attach(
        ps.FicheKind.ASSURANCE,
        "paolo",
        ps.Document.INSURANCE_CERTIFICATE,
        [ps.Upload("assurance.pdf", b"%PDF-1.7 attestation\n%%EOF\n")],
    )
    dossier.transmit(ps.FicheKind.ASSURANCE, "paolo", now=datetime(2024, 6, 20, 9))
    families.agent("martine").dossier("F-DUPONT", 2024).validate(
        ps.FicheKind.ASSURANCE, "paolo", now=datetime(2024, 6, 21, 9)
    )


def test_the_night_after_an_insurance_expires_turns_its_fiche_to_update_and_tells_the_family(
    backend: Backend, tmp_path: Path
) -> None:
    # An insurance « pour l'année scolaire » (p. 15) past its expiry date: the fiche goes
    # « à mettre à jour » (p. 5) and the family is told, once.
    register = backend.register(ps.load_commune())
    insured_until(backend, register, date(2024, 12, 31))
    out = tmp_path / "mails"
    assert (
        run_nightly(register.commune, register.store, datetime(2024, 12, 31, 2), out=out).insurances.events
        == {}
    )
    night = run_nightly(register.commune, register.store, datetime(2025, 1, 1, 2), out=out, names=NAMES)
    assert night.counts["insurances_expired"] == 1
    (mail,) = night.insurances.mails
    assert (mail.kind, mail.family) == ("assurance", "F-DUPONT")
    assert "Fiche assurance scolaire et extrascolaire » (DUPONT Paolo) est à mettre à jour" in mail.text
    assert "assurance échue le 31/12/2024" in mail.text
    assert (out / f"{mail.key}.txt").read_text(encoding="utf-8") == mail.text
    assert (
        "Assurances (2024/2025) : 1 fiche échue → « à mettre à jour » (1 famille prévenue)."
        in night.summary()
    )
    dossier = ps.Families(register.commune, store=backend.reopen(register).store).family(DUPONT).dossier(2024)
    assert dossier.fiche(ps.FicheKind.ASSURANCE, "paolo").state is ps.FicheState.TO_UPDATE
    again = run_nightly(register.commune, register.store, datetime(2025, 1, 2, 2), out=out)
    assert again.insurances.events == {}  # told once
