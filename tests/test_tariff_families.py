"""Tables of families for tariff scenarios (docs/tariff-scenarios.md): what
normalize_families, read_families_csv and compare_tariffs read, and how they refuse
a table, naming its line and column. The grids are built inside the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

import periscolaire as ps
from periscolaire.tariff import (
    BracketTariff,
    ColumnError,
    Pricing,
    compare_tariffs,
    normalize_families,
    read_families_csv,
)

EXPECTED = "family (ou famille), qf (ou QF), resident (ou résident, facultatif), rank (ou rang, facultatif)"


def grid() -> Pricing:
    """1.00 € below a QF of 700, 2.00 € from 700; half price from the third child."""
    return Pricing(BracketTariff(((D(0), D("1.00")), (D(700), D("2.00")))), sibling_reduction=D("0.5"))


# -- what a row becomes -------------------------------------------------------------------------


def test_a_row_is_a_child_with_its_family_qf_residence_rank_and_days() -> None:
    rows = normalize_families(
        [
            {"famille": " A ", "QF": "1 234,5", "RESTAURATION": "3", "MERCREDI": ""},
            {"famille": "A", "QF": "1\u202f234,50", "RESTAURATION": 2, "MERCREDI": None},
            {"famille": "B", "QF": 0, "rang": 3, "résident": "NON", "RESTAURATION": 1, "MERCREDI": 1},
            {"famille": "B", "QF": D(0), "rang": "", "résident": " faux ", "RESTAURATION": 0, "MERCREDI": 4},
        ]
    )
    assert rows == [
        # spaces and narrow no-break spaces between thousands, a decimal comma; an empty day cell is 0
        {
            "family": "A",
            "qf": D("1234.5"),
            "resident": True,
            "rank": 1,
            "days": {"RESTAURATION": 3, "MERCREDI": 0},
        },
        {
            "family": "A",
            "qf": D("1234.50"),
            "resident": True,
            "rank": 2,
            "days": {"RESTAURATION": 2, "MERCREDI": 0},
        },
        # a QF of 0 is a QF; a rank left empty is the child's order among its family's rows
        {"family": "B", "qf": D(0), "resident": False, "rank": 3, "days": {"RESTAURATION": 1, "MERCREDI": 1}},
        {"family": "B", "qf": D(0), "resident": False, "rank": 2, "days": {"RESTAURATION": 0, "MERCREDI": 4}},
    ]


@pytest.mark.parametrize(
    ("cell", "resident"),
    [
        ("oui", True),
        ("OUI", True),
        (" o ", True),
        ("yes", True),
        ("y", True),
        ("true", True),
        ("Vrai", True),
        ("1", True),
        (1, True),
        (True, True),
        (None, True),
        ("", True),
        (float("nan"), True),
        ("non", False),
        ("N", False),
        ("no", False),
        ("n", False),
        ("false", False),
        ("faux", False),
        ("0", False),
        (0, False),
        (False, False),
    ],
)
def test_residence_is_yes_or_no_in_french_or_english_and_yes_when_left_empty(
    cell: Any, resident: bool
) -> None:
    (row,) = normalize_families([{"family": "A", "qf": 500, "resident": cell, "RESTAURATION": 1}])
    assert row["resident"] is resident


def test_records_may_change_columns_from_one_row_to_the_next() -> None:
    rows = normalize_families(
        [
            {"family": "A", "qf": 500, "RESTAURATION": 2},
            {"family": "B", "qf": 500, "MERCREDI": 3},
            {"family": "C", "qf": 500, "days": {"VACANCES": 4}},
            {"family": "D", "qf": 500, "MERCREDI": 5},
        ]
    )
    assert [row["days"] for row in rows] == [
        {"RESTAURATION": 2},
        {"MERCREDI": 3},
        {"VACANCES": 4},
        {"MERCREDI": 5},
    ]


def test_a_dataframe_is_read_with_its_numpy_and_pandas_values() -> None:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    frame = pd.DataFrame(
        {
            "family": ["A", "B", "C", "D"],
            "qf": [np.float64(812.4), pd.NA, np.int64(700), pd.NaT],
            "resident": [np.bool_(False), pd.NA, np.int64(1), np.int64(0)],
            "RESTAURATION": [np.int64(3), np.int64(0), np.int64(1), np.int64(2)],
        },
        dtype=object,
    )
    rows = normalize_families(frame)
    assert [(r["family"], r["qf"], r["resident"], r["days"]) for r in rows] == [
        ("A", D("812.4"), False, {"RESTAURATION": 3}),  # a float64 QF through its shortest repr
        ("B", None, True, {"RESTAURATION": 0}),  # pandas' NA: no QF, resident by default
        ("C", D(700), True, {"RESTAURATION": 1}),
        ("D", None, False, {"RESTAURATION": 2}),  # pandas' NaT: no QF
    ]
    assert all(type(r["days"]["RESTAURATION"]) is int for r in rows)


def test_records_holding_numpy_and_pandas_values_read_as_plain_values() -> None:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    rows = normalize_families(
        [
            {
                "family": "A",
                "qf": np.float64(812.4),
                "resident": np.bool_(False),
                "rank": np.int64(2),
                "R": np.int64(3),
            },
            {"family": "B", "qf": pd.NA, "resident": np.int64(0), "R": np.int64(1)},
            {"family": "C", "qf": pd.NaT, "resident": pd.NA, "R": np.float64(2.0)},
        ]
    )
    assert [(r["family"], r["qf"], r["resident"], r["rank"], r["days"]) for r in rows] == [
        ("A", D("812.4"), False, 2, {"R": 3}),
        ("B", None, False, 1, {"R": 1}),  # pandas' NA: no QF
        ("C", None, True, 1, {"R": 2}),  # pandas' NaT: no QF; NA residence: resident
    ]


def test_a_dataframe_columns_are_checked_even_without_rows() -> None:
    pd = pytest.importorskip("pandas")
    with pytest.raises(ColumnError) as info:
        normalize_families(pd.DataFrame({"family": [], "qf": [], "CANTINE": []}), {"RESTAURATION"})
    assert info.value.unknown == ("CANTINE",)
    with pytest.raises(ColumnError) as info:
        normalize_families(pd.DataFrame({"family": ["A"], "qf": [1], "CANTINE": [3]}), {"RESTAURATION"})
    assert info.value.unknown == ("CANTINE",)
    # A Series of row dicts (no columns) is read row by row.
    series = pd.Series([{"family": "A", "qf": 500, "RESTAURATION": 2}])
    assert normalize_families(series, {"RESTAURATION"})[0]["days"] == {"RESTAURATION": 2}


def test_an_empty_days_cell_beside_activity_columns_is_no_days() -> None:
    # pandas gives NaN to the days of a row that has activity columns instead.
    (row,) = normalize_families([{"family": "A", "qf": 500, "days": float("nan"), "RESTAURATION": 2}])
    assert row["days"] == {"RESTAURATION": 2}


def test_a_scenario_without_a_tariff_for_a_booked_activity_is_named() -> None:
    scenarios = {"today": {"RESTAURATION": grid(), "MERCREDI": grid()}, "reform": {"RESTAURATION": grid()}}
    error = refused(lambda: compare_tariffs([{"family": "A", "qf": 1, "days": {"MERCREDI": 1}}], scenarios))
    assert (error.code, error.message) == (
        "missing_tariff",
        "Scénario 'reform' : pas de tarif pour 'MERCREDI'.",
    )


# -- what a table is refused for ------------------------------------------------------------------


def refused(call: Callable[[], object]) -> ps.TariffError:
    with pytest.raises(ps.TariffError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    ("rows", "code", "message"),
    [
        ([{"family": " ", "qf": 1, "R": 1}], "missing_family", "Ligne 1 : famille sans identifiant."),
        ([{"family": None, "qf": 1, "R": 1}], "missing_family", "Ligne 1 : famille sans identifiant."),
        (
            [{"family": "A", "qf": 1, "R": 1}, ["B", 1, 1]],
            "bad_row",
            "Ligne 2 : une ligne de famille est un dict, reçu list.",
        ),
        ([{"family": "A", "qf": 1, "days": [1]}], "bad_row", "Ligne 1 : days est un dict activité -> jours."),
        (
            [{"family": "A", "qf": True, "R": 1}],
            "bad_number",
            "Ligne 1, qf : un nombre est attendu, reçu True.",
        ),
        (
            [{"family": "A", "qf": "x", "R": 1}],
            "bad_number",
            "Ligne 1, qf : un nombre est attendu, reçu 'x'.",
        ),
        (
            [{"family": "A", "qf": "inf", "R": 1}],
            "bad_number",
            "Ligne 1, qf : un nombre est attendu, reçu 'inf'.",
        ),
        (
            [{"family": "A", "qf": [500], "R": 1}],
            "bad_number",
            "Ligne 1, qf : un nombre est attendu, reçu [500].",
        ),
        (
            [{"family": "A", "qf": 1, "R": "beaucoup"}],
            "bad_number",
            "Ligne 1, R : un nombre est attendu, reçu 'beaucoup'.",
        ),
        ([{"family": "A", "qf": -5, "R": 1}], "negative_qf", "Ligne 1, qf : quotient familial négatif (-5)."),
        (
            [{"family": "A", "qf": 0, "R": 1.5}],
            "bad_number",
            "Ligne 1, R : un nombre entier est attendu, reçu 1.5.",
        ),
        (
            [{"family": "A", "qf": 0, "R": -1}],
            "negative_days",
            "Ligne 1, R : au moins 0 est attendu, reçu -1.",
        ),
        (
            [{"family": "A", "qf": 0, "days": {"R": -1}}],
            "negative_days",
            "Ligne 1, R : au moins 0 est attendu, reçu -1.",
        ),
        (
            [{"family": "A", "qf": 0, "R": 1, "rank": 0}],
            "bad_rank",
            "Ligne 1, rank : au moins 1 est attendu, reçu 0.",
        ),
        (
            [{"family": "A", "qf": 0, "R": 1, "rank": 1.5}],
            "bad_number",
            "Ligne 1, rank : un nombre entier est attendu, reçu 1.5.",
        ),
        (
            [{"family": "A", "qf": 0, "R": 1, "resident": 2}],
            "bad_resident",
            "Ligne 1, resident : oui ou non est attendu, reçu 2.",
        ),
        (
            [{"family": "A", "qf": 0, "R": 1, "resident": "peut-être"}],
            "bad_resident",
            "Ligne 1, resident : oui ou non est attendu, reçu 'peut-être'.",
        ),
        (
            [{"family": "A", "qf": 500, "R": 1}, {"family": "A", "qf": None, "R": 1}],
            "inconsistent_family",
            "Ligne 2 : la famille 'A' a deux QF (500 et None) ; les enfants d'une famille partagent son QF.",
        ),
        (
            [{"family": "A", "qf": None, "R": 1}, {"family": "A", "qf": 500, "R": 1}],
            "inconsistent_family",
            "Ligne 2 : la famille 'A' a deux QF (None et 500) ; les enfants d'une famille partagent son QF.",
        ),
        (
            [
                {"family": "A", "qf": 500, "R": 1},
                {"family": "B", "qf": 600, "R": 1},
                {"family": "A", "qf": 600, "R": 1},
            ],
            "inconsistent_family",
            "Ligne 3 : la famille 'A' a deux QF (500 et 600) ; les enfants d'une famille partagent son QF.",
        ),
        (
            [{"family": "A", "qf": 500, "R": 1}, {"family": "A", "qf": 500, "resident": "non", "R": 1}],
            "inconsistent_family",
            "Ligne 2 : la famille 'A' est à la fois résidente et non résidente.",
        ),
        (
            [{"family": "A", "qf": 1, "rank": 2, "R": 1}, {"family": "A", "qf": 1, "R": 1}],
            "inconsistent_family",
            "Ligne 2 : deux enfants de la famille 'A' ont le rang 2.",
        ),
    ],
)
def test_a_bad_cell_is_refused_naming_its_line_and_column(rows: list[Any], code: str, message: str) -> None:
    error = refused(lambda: normalize_families(rows))
    assert (error.code, error.message) == (code, message)


@pytest.mark.parametrize(
    ("rows", "activities", "message", "unknown", "missing", "expected"),
    [
        (
            [{"family": "A", "famille": "B", "qf": 1, "R": 1}],
            None,
            "Colonne 'family' en double ('famille').",
            ("famille",),
            (),
            (),
        ),
        (
            [{"family": "A", "qf": 1, " ": 1, "R": 2}],
            None,
            f"Table de familles : colonne(s) inconnue(s) : ' ' (colonnes attendues : {EXPECTED}, "
            "puis une colonne de jours par activité).",
            (" ",),
            (),
            ("family", "qf", "resident", "rank", "days"),
        ),
        (
            [{"family": "A", "qf": 1}],
            None,
            "Table de familles : colonne(s) manquante(s) : une colonne de jours par activité "
            f"(colonnes attendues : {EXPECTED}, puis une colonne de jours par activité).",
            (),
            ("une colonne de jours par activité",),
            ("family", "qf", "resident", "rank", "days"),
        ),
        (
            [{"famille": "A", "X": 1, "Y": 2}],
            {"R", "M"},
            "Table de familles : colonne(s) inconnue(s) : 'X', 'Y' ; colonne(s) manquante(s) : qf, une colonne de "
            f"jours par activité (colonnes attendues : {EXPECTED}, puis une colonne par activité (M, R)).",
            ("X", "Y"),
            ("qf", "une colonne de jours par activité"),
            ("family", "qf", "resident", "rank", "days", "M", "R"),
        ),
        (
            [{"family": "A", "qf": 1, "days": {"R": 1}, "M": 2, "N": 3}],
            None,
            "Ligne 1 : des jours à la fois dans days et en colonnes (M, N).",
            ("M", "N"),
            (),
            (),
        ),
        (
            [{"family": "A", "qf": 1, "days": {"X": 1}}],
            {"R", "M"},
            "Ligne 1 : activité inconnue dans days : 'X' (activités : M, R).",
            ("X",),
            (),
            ("M", "R"),
        ),
    ],
)
def test_a_column_that_is_neither_known_nor_an_activity_is_named(
    rows: list[Any],
    activities: set[str] | None,
    message: str,
    unknown: tuple[str, ...],
    missing: tuple[str, ...],
    expected: tuple[str, ...],
) -> None:
    with pytest.raises(ColumnError) as info:
        normalize_families(rows, activities)
    error = info.value
    assert (error.code, error.message) == ("bad_columns", message)
    assert (error.unknown, error.missing, error.expected) == (unknown, missing, expected)


# -- CSV text ------------------------------------------------------------------------------------


def test_a_csv_file_is_read_with_its_own_separator_and_byte_order_mark() -> None:
    rows = read_families_csv('\ufefffamily,qf,RESTAURATION\nA,"812,40",3\n\n   \nB,,2\n')
    assert [(r["family"], r["qf"], r["days"]) for r in rows] == [
        ("A", D("812.40"), {"RESTAURATION": 3}),  # blank lines skipped, the lines after them read
        ("B", None, {"RESTAURATION": 2}),
    ]
    assert read_families_csv("famille;QF;RESTAURATION\nA;812,40;3\n")[0]["qf"] == D("812.40")
    assert read_families_csv("family|qf|R\nA|1|2\n", delimiter="|")[0]["days"] == {"R": 2}
    assert read_families_csv("family,qf,RESTAURATION\n") == []  # a header alone: no family
    # The separator is the one the header uses most; the semicolon on a tie (French spreadsheets).
    semicolons = read_families_csv('famille;QF;"Vacances, été"\nA;500;2\n')
    assert semicolons[0]["days"] == {"Vacances, été": 2}
    tie = read_families_csv('famille;QF;"Vacances, été, automne"\nA;500;2\n')
    assert tie[0]["days"] == {"Vacances, été, automne": 2}


def test_a_bad_csv_file_is_refused_naming_its_line() -> None:
    error = refused(lambda: read_families_csv(""))
    assert isinstance(error, ColumnError)
    assert (error.code, error.missing) == ("bad_columns", ("family", "qf"))
    assert error.message == (
        f"Fichier de familles vide (colonnes attendues : {EXPECTED}, puis une colonne de jours par activité)."
    )
    error = refused(lambda: read_families_csv("family;qf;R\n\nA;1;1\nB;1\n"))
    assert (error.code, error.message) == ("bad_csv", "Ligne 4 : 2 cellules pour 3 colonnes.")
    huge = "x" * 200_000  # beyond the csv module's field limit: an unreadable line
    error = refused(lambda: read_families_csv(f"family;qf;{huge}\n"))
    assert (error.code, error.message) == (
        "bad_csv",
        "Ligne 1 du fichier de familles illisible (field larger than field limit (131072)).",
    )
    error = refused(lambda: read_families_csv(f"family;qf;R\nA;1;{huge}\n"))
    assert (error.code, error.message) == (
        "bad_csv",
        "Ligne 2 du fichier de familles illisible (field larger than field limit (131072)).",
    )
    error = refused(lambda: read_families_csv("family;qf;R\nA;1;1\n\nA;2;1\n"))
    assert error.message.startswith("Ligne 4 : la famille 'A' a deux QF")


# -- totals -------------------------------------------------------------------------------------


def test_a_family_total_adds_every_activity_with_its_residence_and_rank() -> None:
    scenarios = {"today": {"RESTAURATION": grid(), "MERCREDI": grid()}}
    per_family, per_band = compare_tariffs(
        [
            {"family": "A", "qf": 450, "days": {"RESTAURATION": 10, "MERCREDI": 4}},  # 14 days at 1.00
            {"family": "B", "qf": 450, "resident": "non", "days": {"RESTAURATION": 10}},  # the highest, 2.00
            {"family": "C", "qf": 450, "rank": 3, "days": {"RESTAURATION": 10, "MERCREDI": 0}},  # half price
            {"family": "D", "qf": 100, "days": {"RESTAURATION": 1}},  # below the lowest band
        ],
        scenarios,
        bands=(400, 700),
    )
    assert [(r["family"], r["today"]) for r in per_family] == [
        ("A", D("14.00")),
        ("B", D("20.00")),
        ("C", D("5.00")),
        ("D", D("1.00")),
    ]
    # A QF below the lowest band's bound is counted in the lowest band.
    assert [(r["band"], r["families"], r["today"]) for r in per_band] == [("400-700", 4, D("40.00"))]
