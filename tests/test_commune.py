"""Commune configuration: the bundled Cestas file and every kind of mistake."""

from __future__ import annotations

import pickle
from datetime import date, time
from pathlib import Path

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
    assert vacances.deadline == ps.BeforeHolidayStart(14)
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
        cestas_with(
            "{ before_holiday_start_days = 14 }", "{ before_holiday_start_days = 14, days_before = 3 }"
        )
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
