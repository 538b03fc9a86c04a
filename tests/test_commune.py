"""Commune configuration: the bundled Cestas file and every kind of mistake."""

from __future__ import annotations

import copy
import pickle
import tomllib
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import periscolaire as ps
from tests.helpers import CESTAS_TOML, cestas_with


def test_bundled_commune_is_cestas_2024_2025(cestas: ps.Commune) -> None:
    assert cestas.name == "Cestas"
    assert cestas.holiday_zone == "A"
    assert cestas.timezone == "Europe/Paris"
    assert cestas.school_year == 2024
    assert cestas.dossier_deadline == date(2024, 8, 16)  # guide p. 4
    assert list(cestas.activities) == [
        "ACCUEIL_MATIN",
        "ACCUEIL_SOIR",
        "RESTAURATION",
        "MERCREDI",
        "VACANCES",
    ]


def test_school_time_activities_have_no_place_limit(cestas: ps.Commune) -> None:
    for code in ("ACCUEIL_MATIN", "ACCUEIL_SOIR", "RESTAURATION"):
        activity = cestas.activities[code]
        assert activity.capacity is None
        assert not activity.waiting_list
        assert activity.weekdays == (ps.MON, ps.TUE, ps.THU, ps.FRI)
        assert activity.deadline == ps.DaysBefore(3)


def test_centres_have_places_and_a_waiting_list(cestas: ps.Commune) -> None:
    mercredi, vacances = cestas.activities["MERCREDI"], cestas.activities["VACANCES"]
    assert mercredi.weekdays == (ps.WED,)
    assert mercredi.deadline == ps.DaysBefore(3)
    assert vacances.season is ps.Season.HOLIDAYS
    # p. 10: « au plus tard 14 jours avant le début de toute la période de vacances ».
    assert vacances.deadline == ps.BeforeHolidayStart(14, anchor="holiday_start")
    for activity in (mercredi, vacances):
        assert activity.capacity is not None
        assert activity.capacity > 0
        assert activity.waiting_list


def test_bundled_closure_is_the_wednesday_of_4_september(cestas: ps.Commune) -> None:
    assert cestas.closures == (
        ps.Closure(
            date(2024, 9, 4), date(2024, 9, 4), ("MERCREDI",), "Fermeture exceptionnelle du centre de loisirs"
        ),
    )


def test_load_commune_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "cestas.toml"
    path.write_text(CESTAS_TOML, encoding="utf-8")
    assert ps.load_commune(path) == ps.load_commune()
    assert ps.load_commune(str(path)).name == "Cestas"


def test_writing_then_reading_the_bundled_commune_keeps_it_equal(cestas: ps.Commune) -> None:
    assert ps.Commune.from_toml(cestas.to_toml()) == cestas


def test_activity_lookup(cestas: ps.Commune) -> None:
    assert cestas.activity("MERCREDI").label == "CENTRE DE LOISIRS MERCREDI"
    with pytest.raises(ps.UnknownActivity):
        cestas.activity("PISCINE")


def test_capacity_overrides_give_a_day_its_own_number_of_places() -> None:
    text = cestas_with(
        "waiting_list = true                     # p. 12: « liste d'attente »\n",
        "waiting_list = true\ncapacity_overrides = [{ day = 2024-09-11, capacity = 24 }]\n",
    )
    mercredi = ps.Commune.from_toml(text).activity("MERCREDI")
    assert mercredi.capacity_on(date(2024, 9, 11)) == 24
    assert mercredi.capacity_on(date(2024, 9, 18)) == 48


def test_a_period_may_open_at_a_given_time() -> None:
    text = cestas_with("opens = 2024-10-18 ", "opens = 2024-10-18T18:00:00 ")
    commune = ps.Commune.from_toml(text)
    assert commune.calendar.period(2).opens_time == time(18)
    assert ps.Commune.from_toml(commune.to_toml()) == commune


# -- every configuration error names its key ------------------------------------


def _error(text: str) -> ps.ConfigurationError:
    with pytest.raises(ps.ConfigurationError) as info:
        ps.Commune.from_toml(text)
    return info.value


def test_unknown_activity_in_a_closure() -> None:
    err = _error(cestas_with('activities = ["MERCREDI"]', 'activities = ["MERCREDI", "PISCINE"]'))
    assert err.path == "closures[0].activities[1]"
    assert err.code == "unknown_activity"
    assert "PISCINE" in err.message


def test_overlapping_periods() -> None:
    err = _error(cestas_with("start = 2024-11-04", "start = 2024-10-18"))
    assert err.path == "periods[1]"
    assert err.code == "overlap"


def test_a_period_that_opens_after_it_starts() -> None:
    err = _error(cestas_with("opens = 2024-08-19                      # lundi", "opens = 2024-09-03 #"))
    assert err.path == "periods[0].opens"
    assert err.code == "opens_after_start"


def test_a_period_that_ends_before_it_starts() -> None:
    err = _error(cestas_with("end = 2024-10-18", "end = 2024-08-30"))
    assert err.path == "periods[0].end"


def test_a_negative_capacity() -> None:
    err = _error(cestas_with("capacity = 48", "capacity = -1"))
    assert err.path == "activities.MERCREDI.capacity"
    assert "-1" in err.message


def test_a_deadline_rule_that_can_never_be_met() -> None:
    err = _error(
        cestas_with(
            "deadline = { days_before = 3 }          # p. 10\ncapacity",
            "deadline = { days_before = 100 }\ncapacity",
        )
    )
    assert err.path == "activities.MERCREDI.deadline"
    assert err.code == "deadline_never_met"


def test_a_day_of_month_that_does_not_exist() -> None:
    err = _error(
        cestas_with(
            "deadline = { days_before = 3 }          # p. 10\ncapacity",
            "deadline = { day_of_previous_month = 32 }\ncapacity",
        )
    )
    assert err.path == "activities.MERCREDI.deadline.day_of_previous_month"


def test_a_rule_with_zero_days_and_no_cut_off_time() -> None:
    err = _error(
        cestas_with(
            "deadline = { days_before = 3 }          # p. 10\ncapacity",
            "deadline = { days_before = 0 }\ncapacity",
        )
    )
    assert err.path == "activities.MERCREDI.deadline"
    assert err.code == "deadline_never_met"


def test_two_deadline_rules_at_once() -> None:
    err = _error(
        cestas_with("{ before_holiday_start_days = 14,", "{ before_holiday_start_days = 14, days_before = 3,")
    )
    assert err.path == "activities.VACANCES.deadline"
    assert err.code == "bad_deadline"


def test_holiday_start_rule_on_a_school_time_activity() -> None:
    err = _error(
        cestas_with(
            "deadline = { days_before = 3 }          # p. 10\ncapacity",
            "deadline = { before_holiday_start_days = 3 }\ncapacity",
        )
    )
    assert err.path == "activities.MERCREDI.deadline"


# -- the anchor of the holiday centre's deadline (guide p. 10) ------------------

VACANCES_DEADLINE = '{ before_holiday_start_days = 14, anchor = "holiday_start" }'


@pytest.mark.parametrize("anchor", ["holiday_start", "first_day"])
def test_the_anchor_of_the_holiday_deadline_is_read_and_written(anchor: str) -> None:
    commune = ps.Commune.from_toml(
        cestas_with(VACANCES_DEADLINE, f'{{ before_holiday_start_days = 14, anchor = "{anchor}" }}')
    )
    assert commune.activities["VACANCES"].deadline == ps.BeforeHolidayStart(14, anchor=anchor)  # type: ignore[arg-type]
    assert f'anchor = "{anchor}"' in commune.to_toml()
    assert ps.Commune.from_toml(commune.to_toml()) == commune
    assert ps.Commune.from_dict(commune.to_dict()) == commune


def test_without_an_anchor_the_holiday_deadline_counts_from_the_start_of_the_holidays() -> None:
    commune = ps.Commune.from_toml(cestas_with(VACANCES_DEADLINE, "{ before_holiday_start_days = 14 }"))
    assert commune.activities["VACANCES"].deadline.anchor == "holiday_start"  # type: ignore[union-attr]
    assert commune == ps.load_commune()


def test_a_cancellation_deadline_has_its_own_anchor() -> None:
    commune = ps.Commune.from_toml(
        cestas_with(
            VACANCES_DEADLINE,
            VACANCES_DEADLINE + '\ncancel_deadline = { before_holiday_start_days = 7, anchor = "first_day" }',
        )
    )
    cal, christmas = commune.calendar, date(2024, 12, 23)
    assert cal.last_booking_day("VACANCES", christmas) == date(2024, 12, 7)  # Saturday 21 December - 14
    # Monday 23 December, the centre's first day, - 7: cancelled until 16 December included.
    assert cal.windows("VACANCES")[christmas].cancel_closes == datetime(2024, 12, 17)
    assert ps.Commune.from_toml(commune.to_toml()) == commune


@pytest.mark.parametrize("value", ['"first_monday"', '"HOLIDAY_START"', "14", "true"])
def test_an_unknown_anchor_is_refused(value: str) -> None:
    err = _error(cestas_with(VACANCES_DEADLINE, f"{{ before_holiday_start_days = 14, anchor = {value} }}"))
    assert err.path == "activities.VACANCES.deadline.anchor"
    assert "holiday_start" in err.message
    assert "first_day" in err.message


def test_an_anchor_belongs_to_the_holiday_deadline_only() -> None:
    err = _error(
        cestas_with(
            "deadline = { days_before = 3 }          # p. 10\ncapacity",
            'deadline = { days_before = 3, anchor = "first_day" }\ncapacity',
        )
    )
    assert (err.path, err.code) == ("activities.MERCREDI.deadline.anchor", "unknown_key")


def test_an_unknown_key() -> None:
    err = _error(
        cestas_with(
            "waiting_list = true                     # p. 12: « liste d'attente »",
            "waiting_list = true\nwaitinglist = true",
        )
    )
    assert err.path == "activities.MERCREDI.waitinglist"
    assert err.code == "unknown_key"


def test_an_unknown_top_level_table() -> None:
    err = _error(CESTAS_TOML + "\n[tarifs]\nx = 1\n")
    assert err.path == "tarifs"


def test_a_missing_key() -> None:
    err = _error(cestas_with("start = 2024-09-02\n", ""))
    assert err.path == "periods[0].start"
    assert err.code == "missing_key"


def test_a_value_of_the_wrong_type() -> None:
    err = _error(cestas_with("capacity = 48", 'capacity = "48"'))
    assert err.path == "activities.MERCREDI.capacity"
    assert "une chaîne" in err.message


def test_a_wrong_weekday_name() -> None:
    err = _error(cestas_with('weekdays = ["wed"]', 'weekdays = ["mercredi"]'))
    assert err.path == "activities.MERCREDI.weekdays[0]"


def test_an_unknown_zone() -> None:
    err = _error(cestas_with('holiday_zone = "A"', 'holiday_zone = "D"'))
    assert err.path == "commune.holiday_zone"


def test_an_unknown_time_zone() -> None:
    err = _error(cestas_with('timezone = "Europe/Paris"', 'timezone = "Europe/Cestas"'))
    assert err.path == "commune.timezone"


def test_a_waiting_list_without_places() -> None:
    err = _error(
        cestas_with(
            "capacity = 48                           # ILLUSTRATIVE: the guide only says places "
            "may be limited (p. 11)\n",
            "",
        )
    )
    assert err.path == "activities.MERCREDI.waiting_list"


def test_overlapping_holiday_windows() -> None:
    err = _error(CESTAS_TOML + "\n[[holiday_windows]]\nstart = 2024-11-01\nend = 2024-11-10\n")
    assert err.path == "holiday_windows[1]"
    assert err.code == "overlap"


def test_a_holiday_window_before_every_period_needs_an_opening_date() -> None:
    err = _error(CESTAS_TOML + "\n[[holiday_windows]]\nstart = 2024-07-08\nend = 2024-07-12\n")
    assert err.path == "holiday_windows"
    assert "opens" in err.message


def test_a_bad_activity_code() -> None:
    err = _error(cestas_with("[activities.MERCREDI]", "[activities.mercredi]"))
    assert err.path == "activities.mercredi"
    assert err.code == "bad_code"


def test_invalid_toml() -> None:
    err = _error("[commune\nname = 1")
    assert err.code == "toml_syntax"


def test_a_missing_file() -> None:
    with pytest.raises(ps.ConfigurationError) as info:
        ps.load_commune("/nowhere/commune.toml")
    assert info.value.code == "file_not_found"


def test_configuration_errors_are_value_errors_with_a_french_message() -> None:
    err = _error(cestas_with("capacity = 48", "capacity = -1"))
    assert isinstance(err, ValueError)
    assert str(err).startswith("activities.MERCREDI.capacity : ")
    assert "entier positif" in str(err)


def test_errors_survive_pickling() -> None:
    err = _error(cestas_with("capacity = 48", "capacity = -1"))
    copy = pickle.loads(pickle.dumps(err))
    assert (type(copy), copy.code, copy.message, copy.path) == (type(err), err.code, err.message, err.path)


# -- tariffs in the configuration -------------------------------------------------------------


def test_a_float_amount_in_a_tariff_is_refused() -> None:
    err = _error(cestas_with('cost_price = "7.80"', "cost_price = 7.80"))
    assert err.path == "activities.RESTAURATION.tariff.cost_price"
    assert "guillemets" in err.message


def test_a_tariff_above_its_cost_price_names_its_activity() -> None:
    err = _error(cestas_with('cost_price = "22.00"', 'cost_price = "11.00"'))
    assert err.path == "activities.MERCREDI.tariff"
    assert err.code == "above_cost_price"


def test_a_bracket_that_is_not_a_pair() -> None:
    err = _error(cestas_with('[1500, "12.00"]]', "[1500]]"))
    assert err.path == "activities.MERCREDI.tariff.brackets[4]"


def test_a_tariff_needs_brackets_or_an_effort_rate() -> None:
    err = _error(cestas_with('effort_rate = "0.0035"\nfloor = "1.00"\nceiling = "4.20"\n', ""))
    assert err.path == "activities.RESTAURATION.tariff"
    assert err.code == "bad_tariff"


# -- hostile values: every one a ConfigurationError naming its key ------------------------------


BUNDLED_DATA = tomllib.loads(CESTAS_TOML)


def _bundled() -> dict[str, Any]:
    return copy.deepcopy(BUNDLED_DATA)


def _with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The bundled configuration, as data, with the value at ``path`` replaced."""
    data = _bundled()
    table = data
    for key in path[:-1]:
        table = table[key]
    table[path[-1]] = value
    return data


def _dict_error(data: Any) -> ps.ConfigurationError:
    with pytest.raises(ps.ConfigurationError) as info:
        ps.Commune.from_dict(data)
    return info.value


MERCREDI_DEADLINE = "deadline = { days_before = 3 }          # p. 10\ncapacity"


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        (
            MERCREDI_DEADLINE,
            "deadline = { days_before = 1000000 }\ncapacity",
            "activities.MERCREDI.deadline.days_before",
        ),
        (
            MERCREDI_DEADLINE,
            "deadline = { days_before = 367 }\ncapacity",
            "activities.MERCREDI.deadline.days_before",
        ),
        (
            "{ before_holiday_start_days = 14,",
            "{ before_holiday_start_days = 9223372036854775808,",
            "activities.VACANCES.deadline.before_holiday_start_days",
        ),
        ("capacity = 48", "capacity = 100001", "activities.MERCREDI.capacity"),
        ("capacity = 60", "capacity = 99999999999999999999999", "activities.VACANCES.capacity"),
        (
            "waiting_list = true                     # p. 12: « liste d'attente »\n",
            "waiting_list = true\ncapacity_overrides = [{ day = 2024-09-11, capacity = 1000000 }]\n",
            "activities.MERCREDI.capacity_overrides[0].capacity",
        ),
        ("school_year = 2024", "school_year = 100000000000", "commune.school_year"),
        ("school_year = 2024", "school_year = 1999", "commune.school_year"),
        ("number = 1\n", "number = 0\n", "periods[0].number"),
        ("number = 1\n", "number = 1000\n", "periods[0].number"),
        ("sibling_rank = 3", "sibling_rank = 101", "activities.RESTAURATION.tariff.sibling_rank"),
        ("sibling_rank = 3", "sibling_rank = 0", "activities.RESTAURATION.tariff.sibling_rank"),
    ],
)
def test_numbers_beyond_their_bounds_are_refused(old: str, new: str, path: str) -> None:
    err = _error(cestas_with(old, new))
    assert (err.path, err.code) == (path, "out_of_range")


def test_a_number_of_thousands_of_digits_is_a_toml_error() -> None:
    err = _error(cestas_with("capacity = 48", "capacity = " + "9" * 5000))
    assert err.code == "toml_syntax"


def test_the_bounds_themselves_are_accepted() -> None:
    data = _with(("activities", "MERCREDI", "capacity"), 100_000)
    data["periods"][0]["number"] = 999
    data["commune"]["school_year"] = 2099
    commune = ps.Commune.from_dict(data)
    assert commune.activity("MERCREDI").capacity == 100_000
    assert commune.calendar.period(999).start == date(2024, 9, 2)


@pytest.mark.parametrize(
    ("old", "new", "path", "code"),
    [
        (
            'cost_price = "22.00"',
            'cost_price = "1E+26"',
            "activities.MERCREDI.tariff.cost_price",
            "too_large",
        ),
        (
            'cost_price = "22.00"',
            'cost_price = "1000000000.01"',
            "activities.MERCREDI.tariff.cost_price",
            "too_large",
        ),
        (
            'non_resident = "16.00"',
            'non_resident = "1e9999999999"',
            "activities.MERCREDI.tariff.non_resident",
            "too_large",
        ),
        (
            '[1500, "12.00"]]',
            '[1500, "-1e9999999999"]]',
            "activities.MERCREDI.tariff.brackets[4][1]",
            "too_large",
        ),
        ('[1500, "12.00"]]', '["1E+26", "12.00"]]', "activities.MERCREDI.tariff.brackets[4][0]", "too_large"),
        (
            '[1500, "12.00"]]',
            '[99999999999999, "12.00"]]',
            "activities.MERCREDI.tariff.brackets[4][0]",
            "too_large",
        ),
        ('ceiling = "4.20"', 'ceiling = "4.205"', "activities.RESTAURATION.tariff.ceiling", "sub_cent"),
        (
            'late_surcharge = "1.00"',
            'late_surcharge = "-1.00"',
            "activities.RESTAURATION.tariff.late_surcharge",
            "negative_price",
        ),
        (
            'effort_rate = "0.0035"',
            'effort_rate = "1E+30"',
            "activities.RESTAURATION.tariff.effort_rate",
            "too_large",
        ),
        (
            'effort_rate = "0.0035"',
            'effort_rate = "1.5"',
            "activities.RESTAURATION.tariff.effort_rate",
            "out_of_range",
        ),
        (
            'sibling_reduction = "0.10"                # 10 % from the third child',
            'sibling_reduction = "Infinity"',
            "activities.RESTAURATION.tariff.sibling_reduction",
            "configuration",
        ),
        ('floor = "1.00"', 'floor = "NaN"', "activities.RESTAURATION.tariff.floor", "configuration"),
    ],
)
def test_amounts_beyond_a_billion_euros_or_the_cent_are_refused(
    old: str, new: str, path: str, code: str
) -> None:
    err = _error(cestas_with(old, new))
    assert (err.path, err.code) == (path, code)


def test_the_largest_amount_is_accepted() -> None:
    text = cestas_with('cost_price = "22.00"', 'cost_price = "1000000000.00"')
    assert ps.Commune.from_toml(text).activity("MERCREDI").tariff is not None


@pytest.mark.parametrize("at", ['"10:00+01:00"', '"10:00:00Z"', '"10:00:00-05:30"'])
def test_a_cut_off_time_with_an_offset_is_refused(at: str) -> None:
    err = _error(cestas_with(MERCREDI_DEADLINE, f"deadline = {{ days_before = 3, at = {at} }}\ncapacity"))
    assert err.path == "activities.MERCREDI.deadline.at"
    assert "sans décalage" in err.message
    aware = _with(("activities", "MERCREDI", "deadline"), {"days_before": 3, "at": time(10, tzinfo=UTC)})
    assert _dict_error(aware).path == "activities.MERCREDI.deadline.at"
    built = ps.DaysBefore(3, at=time(10, tzinfo=UTC))
    with pytest.raises(ps.ConfigurationError) as info:
        attrs.evolve(ps.load_commune().activity("MERCREDI"), cancel_deadline=built)
    assert info.value.path == "activities.MERCREDI.cancel_deadline.at"


@pytest.mark.parametrize(
    "zone",
    [
        "",
        "/usr/share/zoneinfo/Europe/Paris",
        "../../../etc/localtime",
        "Europe/../Europe/Paris",
        "Europe//Paris",
        "Europe/",
        "Europe",
        "EST5EDT,M3.2.0,M11.1.0",
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "<+03>-3",
        "Europe/Paris\\u0000",
        "localtime",
        "Europe/" + "P" * 60,
        "zone.tab",
    ],
)
def test_the_time_zone_is_an_iana_name(zone: str) -> None:
    err = _error(cestas_with('timezone = "Europe/Paris"', f'timezone = "{zone}"'))
    assert err.path == "commune.timezone"
    assert "IANA" in err.message
    with pytest.raises(ps.InvalidArgument, match="fuseau"):
        ps.calendar.load_timezone(zone.replace("\\u0000", "\x00"))


@pytest.mark.parametrize(
    "zone", ["UTC", "America/Argentina/Buenos_Aires", "Etc/GMT-14", "America/Port-au-Prince"]
)
def test_iana_names_are_accepted(zone: str) -> None:
    assert (
        ps.Commune.from_toml(cestas_with('timezone = "Europe/Paris"', f'timezone = "{zone}"')).timezone
        == zone
    )


@pytest.mark.parametrize("value", [5, True, ["Europe/Paris"], {"name": "Europe/Paris"}])
def test_a_time_zone_that_is_not_a_string_is_refused(value: Any) -> None:
    assert _dict_error(_with(("commune", "timezone"), value)).path == "commune.timezone"


def test_deep_nesting_is_refused() -> None:
    err = _error(cestas_with('weekdays = ["wed"]', "weekdays = " + "[" * 100_000 + "]" * 100_000))
    assert err.code == "too_deep"
    err = _error(cestas_with('weekdays = ["wed"]', "weekdays = " + "[" * 30 + "]" * 30))
    assert (err.code, err.path.startswith("activities.MERCREDI.weekdays[0]")) == ("too_deep", True)
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    err = _dict_error(_with(("activities", "MERCREDI", "label"), deep))
    assert (err.code, err.path.startswith("activities.MERCREDI.label")) == ("too_deep", True)
    cycle: dict[str, Any] = {}
    cycle["again"] = cycle
    assert _dict_error(_with(("activities", "MERCREDI", "tariff"), cycle)).code == "too_deep"
    shared: list[Any] = [0] * 1000
    for _ in range(10):  # 1000 ** 10 paths to one list: refused without walking them all
        shared = [shared] * 1000
    assert _dict_error(_with(("closures", 0, "activities"), shared)).code in ("too_deep", "too_long")


def test_a_nul_in_a_path_is_refused(tmp_path: Path) -> None:
    for path in ("commune\x00.toml", tmp_path / "a\x00b", ""):
        with pytest.raises(ps.ConfigurationError) as info:
            ps.load_commune(path)
        assert info.value.code == "bad_path"
    for path in (0, 3.5, b"commune.toml", ["commune.toml"]):  # 0 would read stdin as a file descriptor
        with pytest.raises(ps.ConfigurationError) as info:
            ps.load_commune(path)  # type: ignore[arg-type]
        assert info.value.code == "bad_path"
    with pytest.raises(ps.ConfigurationError) as info:
        ps.load_commune(tmp_path)  # a directory
    assert info.value.code == "file_unreadable"
    err = _error(cestas_with('timezone = "Europe/Paris"', 'timezone = "Europe/Paris\\u0000/../x"'))
    assert err.path == "commune.timezone"


def test_an_oversized_document_is_refused(tmp_path: Path) -> None:
    big = CESTAS_TOML + "#" * 1_000_000 + "\n"
    assert _error(big).code == "too_long"
    path = tmp_path / "big.toml"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(ps.ConfigurationError) as info:
        ps.load_commune(path)
    assert info.value.code == "too_long"
    with pytest.raises(ps.ConfigurationError):
        ps.Commune.from_toml(CESTAS_TOML.encode())  # type: ignore[arg-type]
    err = _dict_error(_with(("closures",), _bundled()["closures"] * 1001))
    assert (err.path, err.code) == ("closures", "too_long")


def test_an_opens_datetime_with_an_offset_is_honoured_as_its_instant() -> None:
    commune = ps.Commune.from_toml(cestas_with("opens = 2024-10-18 ", "opens = 2024-10-18T16:00:00Z "))
    period = commune.calendar.period(2)
    assert (period.opens, period.opens_time) == (date(2024, 10, 18), time(18))  # 16:00 UTC is 18:00 in Paris
    assert ps.Commune.from_toml(commune.to_toml()) == commune
    # The day may change: 23:30 UTC on 17 October is 01:30 on the 18th in Paris.
    shifted = ps.Commune.from_toml(cestas_with("opens = 2024-10-18 ", "opens = 2024-10-17T23:30:00+00:00 "))
    assert shifted.calendar.period(2).opens_at == datetime(2024, 10, 18, 1, 30)
    # 01:30 UTC on 27 October 2024 is the second 02:30 in Paris: no local time names it.
    err = _error(cestas_with("opens = 2024-10-18 ", "opens = 2024-10-27T01:30:00Z "))
    assert err.path == "periods[1].opens"
    assert "heure locale" in err.message
    assert (
        _error(cestas_with("opens = 2024-08-19 ", "opens = 0001-01-01T00:00:00+23:59 ")).path
        == "periods[0].opens"
    )


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("start = 2024-09-02", "start = 1999-12-31", "periods[0].start"),
        ("end = 2025-07-04", "end = 9999-12-31", "periods[4].end"),
        ("opens = 2024-08-19                      # lundi", "opens = 0001-01-01 #", "periods[0].opens"),
        ("dossier_deadline = 2024-08-16", "dossier_deadline = 2100-01-01", "commune.dossier_deadline"),
        ("start = 2024-09-04", "start = 0001-01-01", "closures[0].start"),
        ("opens = 2024-08-19\nlabel", "opens = 1970-01-01\nlabel", "holiday_windows[0].opens"),
    ],
)
def test_dates_outside_2000_to_2099_are_refused(old: str, new: str, path: str) -> None:
    err = _error(cestas_with(old, new))
    assert (err.path, err.code) == (path, "out_of_range")


def test_a_configuration_covers_at_most_two_years() -> None:
    # From 2 September 2024 (the first day of period 1): 731 days at most.
    err = _error(cestas_with("end = 2025-07-04", "end = 2026-09-03"))
    assert (err.path, err.code) == ("periods[4].end", "out_of_range")
    longest = ps.Commune.from_toml(cestas_with("end = 2025-07-04", "end = 2026-09-02"))
    assert longest.calendar.last_day == date(2026, 9, 2)


def test_a_holiday_window_that_opens_after_it_starts_is_refused() -> None:
    err = _error(cestas_with("opens = 2024-08-19\nlabel", "opens = 2024-10-21\nlabel"))
    assert (err.path, err.code) == ("holiday_windows[0].opens", "opens_after_start")


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (("commune", "name"), "C" * 101, "too_long"),
        (("activities", "MERCREDI", "label"), "L" * 1001, "too_long"),
        (("closures", 0, "reason"), "\ud800", "configuration"),
        (("activities", "MERCREDI", "wallet"), "EXTRA\x00SCOLAIRE", "configuration"),
        (("activities", "MERCREDI", "wallet"), " ", "configuration"),
        (("activities", "MERCREDI", "wallet"), "W" * 65, "too_long"),
        (("commune", "key"), "cestas\n", "bad_key"),
    ],
)
def test_texts_are_bounded_and_identifiers_have_no_control_character(
    path: tuple[str | int, ...], value: str, code: str
) -> None:
    err = _dict_error(_with(path, value))
    assert err.path == ".".join(str(k) for k in path).replace(".0.", "[0].")
    assert err.code == code


def test_an_activity_code_is_matched_whole() -> None:
    data = _bundled()
    data["activities"]["MERCREDI\n"] = data["activities"].pop("MERCREDI")
    assert _dict_error(data).code == "bad_code"
    data = _bundled()
    data["activities"]["M" * 65] = data["activities"].pop("MERCREDI")
    assert _dict_error(data).code == "bad_code"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("activities", "MERCREDI", "capacity"), "48", "une chaîne"),
        (("activities", "MERCREDI", "capacity"), True, "un booléen"),
        (("activities", "MERCREDI", "deadline", "days_before"), "3", "une chaîne"),
        (("activities", "MERCREDI", "deadline", "days_before"), False, "un booléen"),
        (("activities", "MERCREDI", "deadline"), [3], "une liste"),
        (("activities", "MERCREDI", "tariff"), ["4.00"], "une liste"),
        (("activities", "MERCREDI", "tariff", "brackets"), {"0": "4.00"}, "une table"),
        (("activities", "MERCREDI", "weekdays"), "wed", "une chaîne"),
        (("activities", "MERCREDI", "waiting_list"), "true", "une chaîne"),
        (("activities", "MERCREDI", "season"), ["school"], "une liste"),
        (("activities", "RESTAURATION", "tariff", "sibling_rank"), True, "un booléen"),
        (("activities", "RESTAURATION", "tariff", "floor"), 1.0, "un nombre décimal"),
        (("commune",), [1], "une liste"),
        (("commune", "school_year"), "2024", "une chaîne"),
        (("commune", "dossier_deadline"), datetime(2024, 8, 16), "une date et heure"),
        (("periods",), {"number": 1}, "une table"),
        (("periods", 0, "start"), "2024-09-02", "une chaîne"),
        (("closures", 0, "activities"), "MERCREDI", "une chaîne"),
        (("holiday_windows", 0), ["2024-10-19"], "une liste"),
    ],
)
def test_values_of_the_wrong_type_name_their_key(
    path: tuple[str | int, ...], value: Any, expected: str
) -> None:
    err = _dict_error(_with(path, value))
    assert err.path == "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".")
    assert expected in err.message


def test_a_key_that_is_not_text_is_refused() -> None:
    err = _dict_error(_with(("activities", "MERCREDI", "tariff"), {1: "4.00"}))
    assert err.path == "activities.MERCREDI.tariff"
    assert "clé textuelle" in err.message


HOSTILE: list[Any] = [
    None,
    True,
    -1,
    10**6,
    2**63,
    10**5000,
    float("nan"),
    float("inf"),
    "",
    "\x00",
    "\ud800",
    "x" * 100_000,
    "1e9999999999",
    "10:00+01:00",
    [],
    [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],  # 20 levels
    {},
    {1: 1},
    date(1, 1, 1),
    date(9999, 12, 31),
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-23))),
    time(10, tzinfo=UTC),
    Decimal("1E+30"),
    b"\x00",
    object(),
]


def _key_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    paths = []
    for key, item in items:
        paths += [(*prefix, key), *_key_paths(item, (*prefix, key))]
    return paths


def test_a_hostile_value_for_any_key_of_the_bundled_file_is_a_configuration_error() -> None:
    keys = [p for p in _key_paths(_bundled()) if not (len(p) > 4 and p[3] == "brackets" and p[4] != 4)]
    escaped, long_messages = [], []
    for path in keys:
        for value in HOSTILE:
            try:
                ps.Commune.from_dict(_with(path, value))
            except ps.ConfigurationError as err:
                if len(str(err)) > 1000:
                    long_messages.append((path, len(str(err))))
            except Exception as exc:
                escaped.append(f"{path} = {value!r:.60}: {type(exc).__name__}: {exc}")
    assert escaped == []
    assert long_messages == []


# -- deadline rules: the algebra in TOML (issue 13) -----------------------------

MERCREDI_DEADLINE = "deadline = { days_before = 3 }          # p. 10\ncapacity"


def _mercredi(deadline: str) -> ps.Commune:
    return ps.Commune.from_toml(cestas_with(MERCREDI_DEADLINE, f"deadline = {deadline}\ncapacity"))


@pytest.mark.parametrize(
    ("toml", "rule"),
    [
        (
            '{ days_before = 3, skip_weekends = true, at = "23:59" }',
            ps.DaysBefore(3, skip_weekends=True, at=time(23, 59)),
        ),
        ("{ days_before = 3, skip_public_holidays = true }", ps.DaysBefore(3, skip_public_holidays=True)),
        ('{ days_before = 3, skip_weekdays = ["wed"] }', ps.DaysBefore(3, skip_weekdays=[ps.WED])),
        (
            '{ weekday_before = "wed", weeks = 1, at = "12:00" }',
            ps.WeekdayBefore(ps.WED, weeks=1, at=time(12)),
        ),
        ('"none"', ps.calendar.NoDeadline()),
        ("{ none = true }", ps.calendar.NoDeadline()),
        (
            '{ earliest = [{ days_before = 3 }, { weekday_before = "fri", at = "12:00" }] }',
            ps.calendar.earliest(ps.DaysBefore(3), ps.WeekdayBefore(ps.FRI, at=time(12))),
        ),
        (
            '{ latest = [{ days_before = 3 }, "none"] }',
            ps.calendar.latest(ps.DaysBefore(3), ps.calendar.NoDeadline()),
        ),
        (
            "{ days_before = 3, exceptions = [{ start = 2025-04-22, end = 2025-05-02, periods = [4],"
            ' rule = { days_before = 7 } }, { days = [2024-12-18], rule = "none" }] }',
            ps.calendar.Exceptions(
                ps.DaysBefore(3),
                [
                    ps.calendar.DeadlineCase(
                        ps.DaysBefore(7), start=date(2025, 4, 22), end=date(2025, 5, 2), periods=[4]
                    ),
                    ps.calendar.DeadlineCase(ps.calendar.NoDeadline(), days=[date(2024, 12, 18)]),
                ],
            ),
        ),
    ],
)
def test_deadline_rules_are_read_and_written_back(toml: str, rule: ps.DeadlineRule) -> None:
    commune = _mercredi(toml)
    assert commune.activities["MERCREDI"].deadline == rule
    assert ps.Commune.from_toml(commune.to_toml()) == commune
    assert ps.Commune.from_dict(commune.to_dict()) == commune


def test_deadline_exceptions_as_toml_tables() -> None:
    text = cestas_with(MERCREDI_DEADLINE, "capacity").replace(
        "\n[activities.VACANCES]",
        "\n[activities.MERCREDI.deadline]\ndays_before = 3\n\n"
        "[[activities.MERCREDI.deadline.exceptions]]\nperiods = [5]\nrule = { days_before = 7 }\n"
        "\n[activities.VACANCES]",
        1,
    )
    commune = ps.Commune.from_toml(text)
    assert commune.activities["MERCREDI"].deadline == ps.calendar.Exceptions(
        ps.DaysBefore(3), [ps.calendar.DeadlineCase(ps.DaysBefore(7), periods=[5])]
    )


@pytest.mark.parametrize(
    ("toml", "path", "code"),
    [
        ('"never"', "activities.MERCREDI.deadline", "bad_deadline"),
        ("{ none = false }", "activities.MERCREDI.deadline.none", "bad_deadline"),
        ("{ earliest = [{ days_before = 3 }] }", "activities.MERCREDI.deadline.earliest", "bad_deadline"),
        (
            "{ earliest = [{ days_before = 3 }, { days_before = 2, weeks = 1 }] }",
            "activities.MERCREDI.deadline.earliest[1].weeks",
            "unknown_key",
        ),
        ('{ weekday_before = "wed", weeks = 0 }', "activities.MERCREDI.deadline.weeks", "out_of_range"),
        (
            "{ days_before = 3, exceptions = [{ rule = { days_before = 7 } }] }",
            "activities.MERCREDI.deadline.exceptions[0]",
            "bad_deadline",
        ),
        (
            "{ days_before = 3, exceptions = [{ days = [1999-01-01], rule = { days_before = 7 } }] }",
            "activities.MERCREDI.deadline.exceptions[0].days[0]",
            "out_of_range",
        ),
        (
            '{ days_before = 3, skip_weekends = true, skip_weekdays = ["mon", "tue", "wed", "thu", "fri"] }',
            "activities.MERCREDI.deadline",
            "deadline_never_met",
        ),
    ],
)
def test_bad_deadline_rules_name_their_key(toml: str, path: str, code: str) -> None:
    err = _error(cestas_with(MERCREDI_DEADLINE, f"deadline = {toml}\ncapacity"))
    assert (err.path, err.code) == (path, code)


def test_any_deadline_rule_round_trips_through_toml() -> None:
    from hypothesis import HealthCheck, given, settings

    from periscolaire.strategies import deadline_rules

    cestas = ps.load_commune()

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(deadline_rules(ps.Season.SCHOOL), deadline_rules(ps.Season.HOLIDAYS))
    def check(school: ps.DeadlineRule, holidays: ps.DeadlineRule) -> None:
        activities = dict(cestas.activities)
        activities["RESTAURATION"] = attrs.evolve(activities["RESTAURATION"], cancel_deadline=school)
        activities["VACANCES"] = attrs.evolve(activities["VACANCES"], cancel_deadline=holidays)
        commune = attrs.evolve(cestas, activities=activities)
        again = ps.Commune.from_toml(commune.to_toml())
        assert again.activities["RESTAURATION"].cancel_deadline == school
        assert again.activities["VACANCES"].cancel_deadline == holidays
        assert ps.Commune.from_dict(commune.to_dict()) == again

    check()
