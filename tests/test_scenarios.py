"""Tariff scenarios for notebooks (issue 14): DataFrames and records in,
DataFrames out, vectorised pricing, goal seeking, the example notebook."""

from __future__ import annotations

import functools
import io
import json
import math
import random
import subprocess
import sys
from datetime import time
from decimal import Decimal as D
from pathlib import Path

import pytest

import periscolaire as ps
from periscolaire import scenarios as sc
from periscolaire.cli import main
from periscolaire.tariff import (
    BracketTariff,
    ChildrenRateTariff,
    ColumnError,
    EffortRateBracketTariff,
    EffortRateTariff,
    Pricing,
    TimeUnit,
    TimeUnitTariff,
    compare_tariffs,
    read_families_csv,
)
from tests.helpers import status_of

try:
    import numpy as np
    import pandas as pd
except ImportError:  # the tests of records and CSV still run
    np = pd = None

needs_pandas = pytest.mark.skipif(pd is None, reason="periscolaire[pandas] n'est pas installé")

ROOT = Path(__file__).resolve().parent.parent


# Built at first use, inside a test, not at import: mutmut attributes to a test
# only the code run while it runs (tariffs and communes are mutated modules).
@functools.cache
def simple_grid() -> Pricing:
    """Two brackets: 1.00 € below a QF of 700, 2.00 € from 700."""
    return Pricing(BracketTariff(((D(0), D("1.00")), (D(700), D("2.00")))))


@functools.cache
def today_tariffs() -> dict[str, Pricing]:
    """The bundled Cestas's tariffs, by activity."""
    return {code: a.tariff for code, a in ps.load_commune().activities.items() if a.tariff}


@functools.cache
def reform_tariffs() -> dict[str, Pricing]:
    """The example reform's tariffs, by activity."""
    return {code: a.tariff for code, a in sc.example_commune().activities.items() if a.tariff}


def analyst_frame() -> pd.DataFrame:
    """The example families as pandas reads them: float QF, NaN, oui/non."""
    return pd.read_csv(io.StringIO(sc.example_csv("familles")), sep=";")


# -- plain numbers in, never a silent 0.00 ----------------------------------------------------


@needs_pandas
def test_records_from_a_dataframe_are_priced_not_zero() -> None:
    frame = pd.DataFrame(
        {"family": ["A", "B", "C"], "qf": [500, np.nan, 812.4], "RESTAURATION": [10, 10, 10]}
    )
    per_family, _ = compare_tariffs(frame.to_dict("records"), {"today": {"RESTAURATION": simple_grid()}})
    assert [(r["family"], r["qf"], r["today"]) for r in per_family] == [
        ("A", D(500), D("10.00")),  # an int QF (numpy.int64 here) is accepted
        ("B", None, D("20.00")),  # NaN is « sans QF »: the highest price, no InvalidOperation
        ("C", D("812.4"), D("20.00")),  # a float through its shortest repr, not 812.39999...
    ]
    # The DataFrame itself is accepted too.
    assert compare_tariffs(frame, {"today": {"RESTAURATION": simple_grid()}})[0] == per_family


@needs_pandas
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (812.4, D("812.4")),
        *(
            [(np.float64(0.1), D("0.1")), (np.int64(700), D(700)), (pd.NA, None)]
            if np is not None and pd is not None
            else []
        ),
        (700, D(700)),
        ("812,40", D("812.40")),
        (D("812.40"), D("812.40")),
        (None, None),
        (float("nan"), None),
        ("", None),
    ],
)
def test_qf_cells_are_converted_exactly(value: object, expected: D | None) -> None:
    rows = sc.Population.from_families([{"family": "A", "qf": value, "RESTAURATION": 1}]).qf
    assert rows == (expected,)
    if expected is not None:
        assert str(rows[0]) == str(expected)


@pytest.mark.parametrize("bad", [True, "beaucoup", float("inf"), -1, [500]])
def test_a_bad_qf_cell_is_refused_naming_its_line(bad: object) -> None:
    with pytest.raises(ps.TariffError) as info:
        compare_tariffs(
            [{"family": "A", "qf": bad, "RESTAURATION": 1}], {"x": {"RESTAURATION": simple_grid()}}
        )
    assert "Ligne 1, qf" in info.value.message


def test_unknown_and_missing_columns_are_named() -> None:
    scenarios = {"x": {"RESTAURATION": simple_grid()}}
    with pytest.raises(ColumnError) as info:
        compare_tariffs([{"famille": "A", "QF": 500, "CANTINE": 3}], scenarios)
    assert info.value.unknown == ("CANTINE",)
    assert "'CANTINE'" in info.value.message
    assert "RESTAURATION" in info.value.message  # the expected activity columns are named
    with pytest.raises(ColumnError) as info:
        compare_tariffs([{"family": "A", "RESTAURATION": 3}], scenarios)
    assert info.value.missing == ("qf",)
    with pytest.raises(ColumnError) as info:  # no activity at all: not a silent 0.00
        compare_tariffs([{"family": "A", "qf": 500}], scenarios)
    assert info.value.missing == ("une colonne de jours par activité",)
    if pd is not None:
        with pytest.raises(ColumnError):
            sc.compare(pd.DataFrame({"family": ["A"], "qf": [1.0], "CANTINE": [3]}), scenarios)
    assert isinstance(info.value, ps.TariffError)
    assert info.value.code == "bad_columns"


@needs_pandas
def test_french_headers_are_understood() -> None:
    frame = pd.DataFrame(
        {"famille": ["A"], "QF": [500.0], "rang": [1], "résident": ["non"], "RESTAURATION": [2]}
    )
    (row,) = sc.load_families(frame).to_dict("records")
    assert row == {"family": "A", "qf": D("500.0"), "resident": False, "rank": 1, "RESTAURATION": 2}


# -- read_families_csv is strict ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "where"),
    [
        ("family;qf;RESTAURATION\nA;500;-1\n", "negative_days", "Ligne 2, RESTAURATION"),
        ("family;qf;RESTAURATION\nA;-5;1\n", "negative_qf", "Ligne 2, qf"),
        ("family;qf;resident;RESTAURATION\nA;500;peut-être;1\n", "bad_resident", "Ligne 2, resident"),
        ("family;qf;RESTAURATION\nA;500;1.5\n", "bad_number", "Ligne 2, RESTAURATION"),
        ("family;qf;RESTAURATION\nA;500;1\nA;600;1\n", "inconsistent_family", "Ligne 3"),
        ("family;qf;resident;RESTAURATION\nA;500;oui;1\nA;500;non;1\n", "inconsistent_family", "Ligne 3"),
        ("family;qf;rank;RESTAURATION\nA;500;1;1\nA;500;1;1\n", "inconsistent_family", "Ligne 3"),
        ("family;qf;rank;RESTAURATION\nA;500;0;1\n", "bad_rank", "Ligne 2, rank"),
        ("family;qf;RESTAURATION\nA;500\n", "bad_csv", "Ligne 2"),
    ],
)
def test_read_families_csv_refuses_bad_cells(text: str, code: str, where: str) -> None:
    with pytest.raises(ps.TariffError) as info:
        read_families_csv(text)
    assert info.value.code == code
    assert info.value.message.startswith(where)


def test_read_families_csv_names_the_expected_columns() -> None:
    with pytest.raises(ColumnError) as info:
        read_families_csv("nom;quotient familial;RESTAURATION\nA;500;1\n", activities={"RESTAURATION"})
    assert set(info.value.unknown) == {"nom", "quotient familial"}
    assert set(info.value.missing) == {"family", "qf"}
    assert "family (ou famille), qf (ou QF)" in info.value.message
    with pytest.raises(ColumnError) as info:
        read_families_csv("family;qf;CANTINE\nA;500;1\n", activities={"RESTAURATION"})
    assert info.value.unknown == ("CANTINE",)


def test_children_of_one_family_are_one_family() -> None:
    rows = read_families_csv("famille;QF;RESTAURATION\nA;500;10\nA;500;10\nA;500;10\nB;;10\n")
    assert [(r["family"], r["rank"]) for r in rows] == [("A", 1), ("A", 2), ("A", 3), ("B", 1)]
    per_family, per_band = compare_tariffs(rows, {"x": {"RESTAURATION": today_tariffs()["RESTAURATION"]}})
    assert [r["family"] for r in per_family] == ["A", "B"]
    assert sum(band["families"] for band in per_band) == 2
    # The third child gets Cestas' 10 % reduction: 1.75 + 1.75 + 1.58, 10 days each.
    assert per_family[0]["x"] == D("50.80")


def test_the_shipped_example_is_the_documented_one() -> None:
    assert sc.example_csv("familles") == (ROOT / "docs/examples/familles.csv").read_text(encoding="utf-8")
    shipped = sc._example_text("cestas-tarifs-2025")
    assert shipped == (ROOT / "docs/examples/cestas-tarifs-2025.toml").read_text(encoding="utf-8")
    with pytest.raises(ps.TariffError) as info:
        sc.example_csv("nulle-part")
    assert "familles" in info.value.message


# -- vectorised pricing: the same cents as Pricing.price, day by day ---------------------------


def _random_pricings(rng: random.Random) -> dict[str, Pricing]:
    def cents(low: int, high: int) -> D:
        return D(rng.randrange(low, high)).scaleb(-2)

    effort = EffortRateTariff(
        rate=D(rng.randrange(1, 9999)).scaleb(-rng.choice((4, 5, 6))),
        floor=cents(0, 100),
        ceiling=cents(300, 900),
        adjustment=cents(-150, 50),
    )
    bounds = sorted(
        {D(0), *(D(rng.randrange(1, 300_000)).scaleb(-rng.choice((0, 1, 2, 3))) for _ in range(4))}
    )
    brackets = BracketTariff(tuple((low, cents(50, 2000)) for low in bounds))
    modifiers = {
        "sibling_reduction": D(rng.randrange(0, 101)).scaleb(-2),
        "sibling_rank": rng.choice((1, 2, 3)),
        "non_resident": rng.choice((None, D("25.00"))),
    }
    return {
        "EFFORT": Pricing(effort, **modifiers),  # type: ignore[arg-type]
        "GRID": Pricing(brackets, **modifiers),  # type: ignore[arg-type]
        "EFFORT_GRID": Pricing(
            EffortRateBracketTariff(
                ((D(0), effort), (D(900), EffortRateTariff(D("0.005"), D("2.00"), D("9.00"))))
            ),
            **modifiers,  # type: ignore[arg-type]
        ),
        "CRECHE": Pricing(
            ChildrenRateTariff(
                ((1, D("0.000619")), (2, D("0.000516"))), floor=D("801.00"), ceiling=D("6000.00")
            )
        ),
        "SOIR": Pricing(
            TimeUnitTariff(brackets, unit=TimeUnit.HALF_HOUR, opens=time(16, 30), closes=time(18, 30)),
            **modifiers,  # type: ignore[arg-type]
        ),
    }


def _random_rows(rng: random.Random, codes: list[str], families: int = 60) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for f in range(families):
        qf = rng.choice(
            [
                None,
                float("nan"),
                rng.randrange(0, 3000),
                rng.randrange(0, 300_000) / 100,
                D(rng.randrange(0, 3_000_000)).scaleb(-3),
            ]
        )
        resident = rng.random() > 0.2
        for rank in range(1, rng.randrange(1, 5)):
            rows.append(
                {"family": f"F{f}", "qf": qf, "resident": resident, "rank": rank}
                | {code: rng.randrange(0, 30) for code in codes}
            )
    return rows


@needs_pandas
@pytest.mark.parametrize("seed", range(12))
def test_vectorised_totals_are_the_per_day_prices(seed: int) -> None:
    rng = random.Random(seed)
    pricings = _random_pricings(rng)
    rows = _random_rows(rng, list(pricings))
    # Day by day, the slow way: one Pricing.price call per booked day.
    expected: dict[str, D] = {}
    for row in rows:
        qf = row["qf"]
        if isinstance(qf, float):
            qf = None if math.isnan(qf) else D(repr(qf))
        elif isinstance(qf, int):
            qf = D(qf)
        total = expected.setdefault(str(row["family"]), D("0.00"))
        for code, pricing in pricings.items():
            for _ in range(row[code]):  # type: ignore[call-overload]
                total += pricing.price(qf, resident=row["resident"], rank=row["rank"])  # type: ignore[arg-type]
        expected[str(row["family"])] = total
    per_family, _ = compare_tariffs(rows, {"x": pricings})
    assert {r["family"]: r["x"] for r in per_family} == expected
    for source in (rows, pd.DataFrame(rows)):  # records row by row, a DataFrame column by column
        table = sc.compare(source, {"x": pricings}).per_family
        assert table["x"].to_dict() == expected


@needs_pandas
def test_dataframe_and_records_give_the_same_population() -> None:
    frame = analyst_frame()
    fast = sc.Population.from_families(frame)
    slow = sc.Population.from_families(frame.to_dict("records"))
    assert fast.families == slow.families
    assert fast.qf == slow.qf
    assert (fast.rank == slow.rank).all()
    assert (fast.resident == slow.resident).all()
    assert {c: d.tolist() for c, d in fast.days.items()} == {c: d.tolist() for c, d in slow.days.items()}


@needs_pandas
def test_dataframe_errors_name_the_line() -> None:
    frame = analyst_frame()
    frame.loc[3, "qf"] = 900.0  # DUPONT's second child with another QF
    with pytest.raises(ps.TariffError) as info:
        sc.compare(frame, {"x": today_tariffs()})
    assert info.value.code == "inconsistent_family"
    assert info.value.message.startswith("Ligne 4 : la famille 'DUPONT'")
    frame = analyst_frame()
    frame.loc[0, "MERCREDI"] = -2
    with pytest.raises(ps.TariffError, match=r"^Ligne 1, MERCREDI : au moins 0"):
        sc.compare(frame, {"x": today_tariffs()})


# -- results as DataFrames ------------------------------------------------------------------------


@needs_pandas
def test_comparison_tables() -> None:
    c = sc.compare(analyst_frame(), {"2024": today_tariffs(), "2025": reform_tariffs()})
    per_family = c.per_family
    assert per_family.index.name == "family"
    assert per_family["band"].cat.ordered
    assert list(per_family["band"].cat.categories) == [
        "0-400",
        "400-700",
        "700-1000",
        "1000-1500",
        "1500+",
        "sans QF",
    ]
    assert per_family.loc["MARTIN", "band"] == "sans QF"
    assert per_family.loc["DUPONT", "2024"] == D("1455.60")
    per_band = c.per_band
    assert list(per_band.columns) == [
        "families",
        "2024",
        "2025",
        "change",
        "mean_change",
        "median_change",
        "min_change",
        "max_change",
        "paying_more",
    ]
    assert per_band.index.is_monotonic_increasing  # an ordered categorical index
    assert per_band.loc["0-400", "mean_change"] == D("-27.30")
    assert per_band["families"].sum() == 9
    per_activity = c.per_activity
    assert per_activity.loc["RESTAURATION", "change"] == D("-327.60")
    assert per_activity.loc["ACCUEIL_MATIN", "families"] == 3
    assert c.revenue("2024") == D("8469.90")
    floats = sc.compare(analyst_frame(), {"2024": today_tariffs(), "2025": reform_tariffs()}, prices="float")
    assert floats.per_band["2024"].dtype == float
    assert floats.per_band.loc["0-400", "2024"] == pytest.approx(932.20)
    with pytest.raises(ps.TariffError):
        sc.compare(analyst_frame(), {"x": today_tariffs()}, prices="cents")  # type: ignore[arg-type]


@needs_pandas
def test_price_grid_for_any_tariff() -> None:
    grid = sc.price_grid(ps.load_commune())
    assert grid.index.name == "QF"
    assert grid.loc[D(0), "MERCREDI"] == D("4.00")
    assert D(1200) in grid.index  # where the canteen reaches its ceiling
    effort = EffortRateTariff(D("0.004"), D("0.80"), D("4.50"))
    assert sc.price_grid(effort, [100, 812.4], prices="float")["prix"].tolist() == [0.8, 3.25]


# -- goal seek ------------------------------------------------------------------------------------


@needs_pandas
def test_goal_seek_same_revenue_finds_the_smallest_rate() -> None:
    import attrs

    answer = sc.goal_seek(
        analyst_frame(),
        today_tariffs(),
        reform_tariffs(),
        activity="RESTAURATION",
        parameter="rate",
        target=sc.SameRevenue(),
    )
    assert answer.met
    assert answer.revenue >= answer.baseline_revenue == D("8469.90")
    below = attrs.evolve(
        reform_tariffs()["RESTAURATION"],
        tariff=attrs.evolve(reform_tariffs()["RESTAURATION"].tariff, rate=answer.value - D("0.000001")),
    )
    per_family, _ = compare_tariffs(analyst_frame(), {"x": dict(reform_tariffs(), RESTAURATION=below)})
    assert sum(r["x"] for r in per_family) < answer.baseline_revenue
    assert answer.losers.loc["400-700", "paying_more"] == 2
    assert "RESTAURATION.rate = " in str(answer)


@needs_pandas
def test_goal_seek_limits_what_a_band_pays() -> None:
    answer = sc.goal_seek(
        analyst_frame(),
        today_tariffs(),
        reform_tariffs(),
        activity="MERCREDI",
        parameter="bracket[4]",
        target=sc.MaxIncrease(20, band="1500+"),
    )
    assert answer.met
    band = answer.comparison.per_family.query("band == '1500+'")
    assert max(band["change"]) <= 20
    assert answer.value == D("12.58")  # LEFEBVRE: 34 Wednesdays; 12.59 would cost 20.06 € more
    total = sc.goal_seek(
        analyst_frame(),
        today_tariffs(),
        reform_tariffs(),
        activity="RESTAURATION",
        parameter="floor",
        target=sc.MaxTotal(500, band="0-400"),
    )
    assert total.met
    # BERNARD (QF 215, at the floor): 360 € elsewhere + 140 meals at the floor <= 500 €.
    assert total.value == D("1.00")
    assert total.comparison.per_family.loc["BERNARD", "après"] == D("500.00")
    impossible = sc.goal_seek(
        analyst_frame(),
        today_tariffs(),
        reform_tariffs(),
        activity="RESTAURATION",
        parameter="floor",
        target=sc.MaxTotal(10),
    )
    assert not impossible.met


@needs_pandas
def test_goal_seek_refuses_unknown_parameters() -> None:
    for parameter in ("rate", "bracket[9]", "taux"):
        with pytest.raises(ps.TariffError) as info:
            sc.goal_seek(
                analyst_frame(),
                today_tariffs(),
                reform_tariffs(),
                activity="MERCREDI",
                parameter=parameter,
                target=sc.SameRevenue(),
            )
        assert info.value.code == "bad_parameter"
    with pytest.raises(ps.TariffError, match="Tranche inconnue"):
        sc.goal_seek(
            analyst_frame(),
            today_tariffs(),
            reform_tariffs(),
            activity="MERCREDI",
            parameter="bracket[0]",
            target=sc.MaxTotal(5, "0-100"),
        )


# -- optional dependencies ---------------------------------------------------------------------------


def test_import_periscolaire_stays_free_of_pandas_and_numpy() -> None:
    code = (
        "import sys, periscolaire as ps\n"
        "from periscolaire import scenarios\n"
        "rows = ps.read_families_csv(scenarios.example_csv())\n"
        "ps.compare_tariffs(rows, {'x': {c: a.tariff for c, a in ps.load_commune().activities.items()}})\n"
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@needs_pandas
def test_without_pandas_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pandas(name: str, *args: object, **kwargs: object) -> object:
        if name.partition(".")[0] in ("pandas", "numpy"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ps.MissingExtra) as info:
        sc.compare([{"family": "A", "qf": 1, "RESTAURATION": 1}], {"x": today_tariffs()})
    assert "pip install 'periscolaire[pandas]'" in info.value.message


# -- the command line -------------------------------------------------------------------------------


def test_tariff_with_a_missing_after_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert status_of(["tariff", "--after", "nope.toml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "nope.toml" in err


def test_the_documented_example_runs_from_the_shipped_data(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = io.StringIO()
    picture = tmp_path / "tarifs.png"
    argv = ["tariff", "--families", "familles", "--after", "cestas-tarifs-2025", "--plot", str(picture)]
    assert main(argv, out) == 0
    text = out.getvalue()
    assert "Scénario : 9 familles (familles)" in text
    assert "total                   9     8469.90     8142.30" in text
    assert picture.read_bytes().startswith(b"\x89PNG")
    grids = tmp_path / "grilles.png"
    assert main(["tariff", "--after", "cestas-tarifs-2025", "--plot", str(grids)], io.StringIO()) == 0
    assert grids.read_bytes().startswith(b"\x89PNG")


def test_a_plot_into_a_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    assert status_of(["tariff", "--plot", str(tmp_path / "nope" / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "dossier introuvable" in err


def test_families_with_an_unknown_column_are_refused_by_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "f.csv"
    bad.write_text("family;qf;CANTINE\nA;500;3\n", encoding="utf-8")
    assert status_of(["tariff", "--families", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "'CANTINE'" in err
    assert "RESTAURATION" in err


# -- the example notebook ---------------------------------------------------------------------------


@needs_pandas
def test_the_example_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="nbclient n'est pas installé (periscolaire[test])")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    # A kernel running this interpreter, whatever `python` is on the PATH.
    spec = tmp_path / "jupyter" / "kernels" / "periscolaire-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "test", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    notebook = nbformat.read(ROOT / "docs/examples/tariff-reform.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="periscolaire-test",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # the bar chart, the grids, the families, plt.show() after them
    texts = "".join(o.get("text", "") for o in outputs)
    assert "RESTAURATION.rate = 0.00354" in texts
