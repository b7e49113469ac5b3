"""The run-chart rules on known series, and the chart, findings and CSV through real HTTP."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from django.utils.html import escape

from cms.knowledge import runchart
from tests import factories

START = datetime.date(2024, 3, 3)
# Median 5; the last seven points (from 5 May 2024) are a shift below it; 4 runs in 16 is too few.
SHIFT_SERIES = [9, 8, 9, 1, 8, 9, 8, 9, 8, 2, 1, 2, 1, 2, 1, 2]


def series(values: list[float]) -> list[runchart.Point]:
    return [
        runchart.Point(START + datetime.timedelta(weeks=i), float(v)) for i, v in enumerate(values)
    ]


# median ---------------------------------------------------------------------------------------


def test_median_of_odd_and_even_series():
    assert runchart.median([3, 1, 2]) == 2
    assert runchart.median([4, 1, 3, 2]) == 2.5
    with pytest.raises(ValueError):
        runchart.median([])


# shift ----------------------------------------------------------------------------------------


def test_six_points_below_the_median_is_a_shift():
    values = [5, 3, 6, 3, 5, 6, 1, 1, 1, 1, 1, 1]
    shifts = runchart.detect_shift(values, 4)
    assert len(shifts) == 1
    assert shifts[0].direction == "below"
    assert shifts[0].indices == (6, 7, 8, 9, 10, 11)


def test_five_points_on_one_side_is_not_a_shift():
    values = [5, 1, 1, 1, 1, 1, 5, 1, 5]
    assert runchart.detect_shift(values, 3) == []


def test_points_on_the_median_neither_count_nor_break_a_shift():
    # Five above, one on the median, one more above: a shift of six, the median point not in it.
    values = [1, 5, 5, 5, 3, 5, 5, 5, 1]
    shifts = runchart.detect_shift(values, 3)
    assert len(shifts) == 1
    assert shifts[0].direction == "above"
    assert shifts[0].length == 6
    assert 4 not in shifts[0].indices
    # Five above with a median point in the middle: still only five, no shift.
    assert runchart.detect_shift([1, 5, 5, 3, 5, 5, 5, 1], 3) == []


def test_shift_above_at_the_end_of_the_series():
    values = [1, 2, 1, 2, 9, 9, 9, 9, 9, 9, 9]
    shifts = runchart.detect_shift(values, 5)
    assert [(s.direction, s.length) for s in shifts] == [("above", 7)]


# trend ----------------------------------------------------------------------------------------


def test_five_points_going_up_is_a_trend():
    trends = runchart.detect_trend([5, 1, 2, 3, 4, 5, 2])
    assert [(t.direction, t.indices) for t in trends] == [("up", (1, 2, 3, 4, 5))]


def test_five_points_going_down_is_a_trend():
    trends = runchart.detect_trend([9, 8, 7, 6, 5, 7])
    assert [(t.direction, t.length) for t in trends] == [("down", 5)]


def test_four_points_going_up_is_not_a_trend():
    assert runchart.detect_trend([1, 2, 3, 4, 2, 3, 4, 5]) == []


def test_equal_values_neither_add_to_nor_break_a_trend():
    # 1, 2, 2, 3, 4 is only four distinct rising points: no trend.
    assert runchart.detect_trend([1, 2, 2, 3, 4, 1]) == []
    # 1, 2, 2, 3, 4, 5 is five points rising; the tie does not break it.
    trends = runchart.detect_trend([1, 2, 2, 3, 4, 5, 1])
    assert len(trends) == 1
    assert trends[0].direction == "up"
    assert trends[0].indices == (0, 1, 2, 3, 4, 5)  # the stretch a reader sees, tie included


# runs -----------------------------------------------------------------------------------------


def test_count_runs_ignores_points_on_the_median():
    # above, above, (median), above, below, below, above -> runs: AAA | BB | A = 3, useful 6
    assert runchart.count_runs([5, 5, 3, 5, 1, 1, 5], 3) == (3, 6)


def test_runs_table_limits_for_twenty_useful_observations():
    assert runchart.runs_limits(20) == (6, 16)
    assert runchart.runs_signal(5, 20) == "too_few"
    assert runchart.runs_signal(6, 20) == "expected"
    assert runchart.runs_signal(16, 20) == "expected"
    assert runchart.runs_signal(17, 20) == "too_many"


def test_runs_table_covers_10_to_60():
    assert set(runchart.RUNS_TABLE) == set(range(10, 61))
    assert runchart.runs_limits(10) == (3, 9)
    assert runchart.runs_limits(60) == (24, 37)


def test_too_few_runs_on_a_known_series():
    # 20 points: 10 below then 10 above the median -> 2 runs, fewer than 6.
    values = [1] * 10 + [9] * 10
    centre = runchart.median(values)
    assert runchart.count_runs(values, centre) == (2, 20)
    assert runchart.runs_signal(2, 20) == "too_few"


def test_too_many_runs_on_a_known_series():
    # 20 points alternating -> 20 runs, more than 16.
    values = [1, 9] * 10
    centre = runchart.median(values)
    runs, useful = runchart.count_runs(values, centre)
    assert (runs, useful) == (20, 20)
    assert runchart.runs_signal(runs, useful) == "too_many"


def test_normal_number_of_runs_on_a_known_series():
    # Pairs alternating sides: 10 runs in 20 useful points, inside 6..16.
    values = [1, 1, 9, 9] * 5
    centre = runchart.median(values)
    runs, useful = runchart.count_runs(values, centre)
    assert (runs, useful) == (10, 20)
    assert runchart.runs_signal(runs, useful) == "expected"


def test_fewer_than_ten_useful_observations_is_not_enough_data():
    # 12 points but 4 on the median: 8 useful observations.
    values = [1, 9, 5, 5, 1, 9, 5, 5, 1, 9, 1, 9]
    centre = runchart.median(values)
    assert centre == 5
    runs, useful = runchart.count_runs(values, centre)
    assert useful == 8
    assert runchart.runs_limits(useful) is None
    assert runchart.runs_signal(runs, useful) == "not_enough_data"


def test_beyond_the_table_the_normal_approximation_is_close_to_the_table_end():
    lower, upper = runchart.runs_limits(61)
    assert abs(lower - 24) <= 1 and abs(upper - 37) <= 2


# astronomical point ---------------------------------------------------------------------------


def test_a_value_far_from_the_rest_is_astronomical():
    values = [4, 5, 4, 6, 5, 4, 5, 6, 5, 4, 5, 30]
    centre = runchart.median(values)
    assert runchart.astronomical_points(values, centre) == [11]


def test_ordinary_variation_has_no_astronomical_point():
    values = [4, 5, 4, 6, 5, 4, 5, 6, 5, 4, 5, 7]
    centre = runchart.median(values)
    assert runchart.astronomical_points(values, centre) == []


def test_no_spread_means_no_astronomical_point():
    # More than half the values identical: MAD is 0 and nothing is flagged.
    values = [5, 5, 5, 5, 5, 5, 5, 9]
    assert runchart.astronomical_points(values, 5) == []


# analysis and drawing -------------------------------------------------------------------------


def test_analysis_describes_the_shift_in_words():
    with translation.override("en"):
        analysis = runchart.analyse(series(SHIFT_SERIES))
    assert analysis.shifts and analysis.shifts[0].length == 7
    assert "Shift: 7 points in a row below the median (from 5 May 2024)." in analysis.findings
    assert analysis.highlighted == set(range(9, 16))
    assert analysis.runs_verdict == "too_few"  # 4 runs in 16 useful points: fewer than 5


def test_analysis_describes_trend_runs_and_astronomical_point_in_words():
    values = [5, 4, 6, 5, 4, 6, 5, 4, 3, 2, 1, 0.5, 40, 4, 6, 5]
    with translation.override("en"):
        analysis = runchart.analyse(series(values))
    assert [(t.direction, t.indices) for t in analysis.trends] == [
        ("down", (5, 6, 7, 8, 9, 10, 11))
    ]
    assert analysis.astronomical == [12]
    assert "Trend: 7 points in a row going down (from 7 April 2024)." in analysis.findings
    assert any(f.startswith("Astronomical point: 40 on 26 May 2024") for f in analysis.findings)
    assert any(f.startswith("Runs: ") for f in analysis.findings)


def test_analysis_of_random_looking_data_says_so():
    values = [3, 5, 4, 6, 3, 5, 4, 6, 5, 3, 6, 4]
    with translation.override("en"):
        analysis = runchart.analyse(series(values))
    assert not analysis.has_signal
    assert analysis.findings[0].startswith("No signal of non-random variation")


def test_svg_is_accessible_and_escapes_text():
    points = series([3, 5, 4, 6, 3, 5, 4, 6, 5, 3, 6, 4])
    cycles = [runchart.Cycle(1, START + datetime.timedelta(weeks=4), None, "<b>test</b>")]
    with translation.override("en"):
        svg = runchart.render_svg(points, 4.5, cycles, "<days>", 'A & "B"', id_prefix="m1")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="m1-title">A &amp; &quot;B&quot;</title>' in svg
    assert 'aria-labelledby="m1-title m1-desc"' in svg
    assert "<desc" in svg and "&lt;days&gt;" in svg and "<days>" not in svg
    assert ">P1<" in svg  # the cycle marker
    assert svg.count("<circle") >= len(points)


# through HTTP ---------------------------------------------------------------------------------


def _project_with_shift(site_tree):
    kwargs = {}
    for i, value in enumerate(SHIFT_SERIES):
        kwargs[f"measures__0__measure__data_points__{i}__value"] = value
        kwargs[f"measures__0__measure__data_points__{i}__date"] = START + datetime.timedelta(
            weeks=i
        )
    kwargs["measures__0__measure__data_points__3__note"] = "Sjuksköterska, sjuk"
    kwargs["measures__0__measure__data_points__4__note"] = "=1+1"
    return factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        themes=[site_tree.transitions],
        pdsa_cycles__0__pdsa_cycle__start_date=START + datetime.timedelta(weeks=5),
        **kwargs,
    )


@pytest.mark.django_db
def test_project_page_shows_the_run_chart_findings_and_csv_link(client, site_tree):
    project = _project_with_shift(site_tree)
    html = client.get(project.url).content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert ">P1<" in html  # the page's PDSA cycle on the time axis
    # The findings in the page's language, whatever the catalogue says for it today.
    with translation.override(project.locale.language_code):
        findings = runchart.analyse(series(SHIFT_SERIES)).findings
    assert findings and all(escape(finding) in html for finding in findings)
    assert f"{project.url}measures/1/csv/" in html
    assert "<details" in html  # the table is the alternative, folded under the chart


def test_shift_finding_text_in_english():
    with translation.override("en"):
        findings = runchart.analyse(series(SHIFT_SERIES)).findings
    assert findings[0] == "Shift: 7 points in a row below the median (from 5 May 2024)."


@pytest.mark.django_db
def test_measure_csv_returns_the_data_rows(client, site_tree):
    project = _project_with_shift(site_tree)
    response = client.get(f"{project.url}measures/1/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="utskrivningsklara-dagar-per-vardtillfalle.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == "date,value,note"
    assert lines[1] == "2024-03-03,9,"
    assert lines[4] == '2024-03-24,1,"Sjuksköterska, sjuk"'  # quoted: it has a comma
    assert lines[5] == "2024-03-31,8,'=1+1"  # a formula is shown, not run
    assert len(lines) == 1 + len(SHIFT_SERIES)


@pytest.mark.django_db
def test_measure_csv_for_a_missing_measure_is_a_404(client, site_tree):
    project = _project_with_shift(site_tree)
    assert client.get(f"{project.url}measures/99/csv/").status_code == 404
    assert client.get(f"{project.url}measures/0/csv/").status_code == 404
