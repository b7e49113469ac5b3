"""Run-chart analysis and drawing for a measure's series.

Improvement coaches read a run chart with four rules (Perla, Provost & Murray, "The run chart: a
simple analytical tool for learning from variation in healthcare processes", BMJ Qual Saf 2011,
and the IHI's run-chart guidance): a shift, a trend, too few or too many runs, and an
astronomical point. A signal means "something non-random is probably going on" — the evidence a
coach needs before saying a change is an improvement. The rules are applied here, in plain
functions with no Django models, so they can be tested on known series and so the chart, the
findings in words and the CSV all come from the same numbers.

The chart itself is a self-contained inline SVG (no JavaScript): it works in feeds, in print and
with scripts blocked, and a screen reader gets a title and a description plus the data table the
template renders next to it.
"""

from __future__ import annotations

import datetime
import itertools
import math
import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

SHIFT_LENGTH = 6
"""A shift is this many or more consecutive points on one side of the median."""

TREND_LENGTH = 5
"""A trend is this many or more consecutive points all rising or all falling."""

ASTRONOMICAL_FACTOR = 3.5
"""How many robust standard deviations from the median make a point 'astronomical'."""

MAD_TO_SD = 1.4826
"""Scales the median absolute deviation to a standard deviation for normally distributed data."""

MIN_USEFUL_FOR_RUNS = 10
"""Below this many points off the median the runs table has no entry: too little to judge."""

# Swed–Eisenhart limits as published for run charts (Perla, Provost & Murray 2011, table 1;
# also Provost & Murray, The Health Care Data Guide): useful observations -> (lower, upper).
# Fewer runs than `lower` is "too few"; more runs than `upper` is "too many" (about 5% risk of a
# false signal in each tail).
RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9),
    11: (3, 10),
    12: (3, 11),
    13: (4, 11),
    14: (4, 12),
    15: (5, 12),
    16: (5, 13),
    17: (5, 13),
    18: (6, 14),
    19: (6, 15),
    20: (6, 16),
    21: (7, 16),
    22: (7, 17),
    23: (7, 17),
    24: (8, 18),
    25: (8, 18),
    26: (9, 19),
    27: (10, 19),
    28: (10, 20),
    29: (10, 20),
    30: (11, 21),
    31: (11, 22),
    32: (11, 22),
    33: (11, 23),
    34: (12, 23),
    35: (13, 24),
    36: (13, 24),
    37: (13, 25),
    38: (14, 25),
    39: (14, 26),
    40: (15, 26),
    41: (16, 26),
    42: (16, 27),
    43: (17, 27),
    44: (17, 28),
    45: (17, 29),
    46: (17, 30),
    47: (18, 30),
    48: (18, 31),
    49: (19, 31),
    50: (19, 32),
    51: (20, 32),
    52: (20, 33),
    53: (21, 33),
    54: (21, 34),
    55: (22, 34),
    56: (22, 35),
    57: (23, 35),
    58: (23, 36),
    59: (24, 36),
    60: (24, 37),
}

RunsVerdict = Literal["not_enough_data", "too_few", "too_many", "expected"]


class Point(NamedTuple):
    date: datetime.date
    value: float


class Cycle(NamedTuple):
    """A PDSA cycle as the chart needs it: its number on the page, dates and what was tested."""

    number: int
    start: datetime.date
    end: datetime.date | None
    title: str


@dataclass(frozen=True)
class Signal:
    """A shift or a trend: where it starts and ends (indices into the series) and its direction.

    `indices` are the points that make up the signal; for a shift these exclude points lying on
    the median, which neither count nor break a shift.
    """

    kind: Literal["shift", "trend"]
    direction: Literal["above", "below", "up", "down"]
    indices: tuple[int, ...]

    @property
    def length(self) -> int:
        return len(self.indices)

    @property
    def start(self) -> int:
        return self.indices[0]


@dataclass
class RunChartAnalysis:
    """Everything the template and the SVG need to show what the series says."""

    median: float
    useful_observations: int
    runs: int
    runs_limits: tuple[int, int] | None
    runs_verdict: RunsVerdict
    shifts: list[Signal] = field(default_factory=list)
    trends: list[Signal] = field(default_factory=list)
    astronomical: list[int] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def highlighted(self) -> set[int]:
        """Indices of points that belong to a shift or a trend (drawn larger and filled)."""
        return {i for signal in (*self.shifts, *self.trends) for i in signal.indices}

    @property
    def has_signal(self) -> bool:
        return bool(
            self.shifts
            or self.trends
            or self.astronomical
            or self.runs_verdict in ("too_few", "too_many")
        )


# Rules ---------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    """The centre line of a run chart.

    Run charts use the median, not the mean, because it is not dragged by a single extreme value
    and because the runs rules are defined as 'sides of the median' (half the points either side).
    """
    if not values:
        raise ValueError("median of an empty series")
    return float(statistics.median(values))


def _sides(values: Sequence[float], centre: float) -> list[int]:
    """+1 above, -1 below, 0 on the median, for each value."""
    return [(value > centre) - (value < centre) for value in values]


def detect_shift(
    values: Sequence[float], centre: float, length: int = SHIFT_LENGTH
) -> list[Signal]:
    """Every run of `length` or more consecutive points on the same side of the median.

    Points exactly on the median are skipped: they neither count towards a shift nor break it
    (IHI / Perla, Provost & Murray). With a shift, the process has probably moved — the most
    common evidence that a change made a difference.
    """
    signals: list[Signal] = []
    current: list[int] = []
    current_side = 0
    for index, side in enumerate(_sides(values, centre)):
        if side == 0:
            continue
        if side != current_side:
            if len(current) >= length:
                signals.append(_shift(current_side, current))
            current, current_side = [], side
        current.append(index)
    if len(current) >= length:
        signals.append(_shift(current_side, current))
    return signals


def _shift(side: int, indices: list[int]) -> Signal:
    return Signal("shift", "above" if side > 0 else "below", tuple(indices))


def detect_trend(values: Sequence[float], length: int = TREND_LENGTH) -> list[Signal]:
    """Every run of `length` or more consecutive points all going up or all going down.

    A repeated equal value neither adds to a trend nor breaks it: 1, 2, 2, 3, 4, 5 is a trend of
    five points, not six (IHI / Perla, Provost & Murray). The signal's indices span every point
    from its first to its last, ties included, because that is the stretch a reader sees rising.
    """
    signals: list[Signal] = []
    # Indices of points that differ from the previous one: ties collapse onto their first point.
    distinct: list[int] = []
    for index, value in enumerate(values):
        if not distinct or value != values[distinct[-1]]:
            distinct.append(index)
    if len(distinct) < length:
        return signals
    steps = [
        1 if values[distinct[k]] > values[distinct[k - 1]] else -1 for k in range(1, len(distinct))
    ]
    start = 0  # position in `distinct` where the current monotone stretch starts
    for k in range(1, len(steps) + 1):
        if k == len(steps) or steps[k] != steps[start]:
            points = k - start + 1  # k - start steps join k - start + 1 distinct points
            if points >= length:
                first, last = distinct[start], distinct[k]
                direction = "up" if steps[start] > 0 else "down"
                signals.append(Signal("trend", direction, tuple(range(first, last + 1))))
            start = k
    return signals


def count_runs(values: Sequence[float], centre: float) -> tuple[int, int]:
    """(number of runs, number of useful observations).

    A run is one or more consecutive points on the same side of the median; points on the median
    are not useful observations and do not start or end a run. Too few runs suggests the process
    moved (clusters), too many suggests the data alternate systematically (e.g. two sources mixed).
    """
    sides = [side for side in _sides(values, centre) if side != 0]
    if not sides:
        return 0, 0
    runs = 1 + sum(1 for a, b in itertools.pairwise(sides) if a != b)
    return runs, len(sides)


def runs_limits(useful: int) -> tuple[int, int] | None:
    """The (lower, upper) limits for the number of runs, or None below 10 useful observations.

    From 10 to 60 useful observations the published Swed–Eisenhart table is used as is, so the
    page agrees with what coaches learn on the course. Beyond 60 the normal approximation to the
    same distribution (mean n/2 + 1, variance n(n - 2) / 4(n - 1), 95% two-sided) is used; at
    n = 60 it agrees with the table within one run.
    """
    if useful < MIN_USEFUL_FOR_RUNS:
        return None
    if useful in RUNS_TABLE:
        return RUNS_TABLE[useful]
    mean = useful / 2 + 1
    spread = 1.96 * math.sqrt(useful * (useful - 2) / (4 * (useful - 1)))
    return math.ceil(mean - spread), math.floor(mean + spread)


def runs_signal(runs: int, useful: int) -> RunsVerdict:
    """Whether the number of runs is fewer or more than chance would give, per the table."""
    limits = runs_limits(useful)
    if limits is None:
        return "not_enough_data"
    lower, upper = limits
    if runs < lower:
        return "too_few"
    if runs > upper:
        return "too_many"
    return "expected"


def astronomical_points(
    values: Sequence[float], centre: float, factor: float = ASTRONOMICAL_FACTOR
) -> list[int]:
    """Indices of 'astronomical' points: values obviously different from all the others.

    The IHI rule leaves 'obviously different' to judgement; to make it repeatable we call a point
    astronomical when |x − median| > 3.5 × (1.4826 × MAD), where MAD is the median absolute
    deviation from the median. 1.4826 × MAD estimates the standard deviation without being
    inflated by the very outlier we are looking for, and 3.5 is the usual cut-off for robust
    outlier detection (Iglewicz & Hoaglin). When MAD is 0 (more than half the values identical)
    there is no spread to compare with, and no point is flagged.
    """
    if not values:
        return []
    mad = statistics.median(abs(value - centre) for value in values)
    if mad == 0:
        return []
    limit = factor * MAD_TO_SD * mad
    return [index for index, value in enumerate(values) if abs(value - centre) > limit]


# Analysis in words ---------------------------------------------------------------------------


def format_value(value: float) -> str:
    """A value in the active language's number format, at most two decimals (as in the table)."""
    rounded = round(float(value), 2)
    return number_format(int(rounded) if rounded.is_integer() else rounded)


def format_date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def analyse(points: Sequence[Point]) -> RunChartAnalysis:
    """Apply every rule to a series (oldest first) and describe the signals in plain words.

    Call it while the visitor's language is active: the findings are translated when built.
    """
    values = [point.value for point in points]
    centre = median(values)
    runs, useful = count_runs(values, centre)
    analysis = RunChartAnalysis(
        median=centre,
        useful_observations=useful,
        runs=runs,
        runs_limits=runs_limits(useful),
        runs_verdict=runs_signal(runs, useful),
        shifts=detect_shift(values, centre),
        trends=detect_trend(values),
        astronomical=astronomical_points(values, centre),
    )
    analysis.findings = _findings(analysis, points)
    return analysis


def _findings(analysis: RunChartAnalysis, points: Sequence[Point]) -> list[str]:
    findings: list[str] = []
    for shift in analysis.shifts:
        params = {"count": shift.length, "date": format_date(points[shift.start].date)}
        if shift.direction == "above":
            message = _("Shift: %(count)s points in a row above the median (from %(date)s).")
        else:
            message = _("Shift: %(count)s points in a row below the median (from %(date)s).")
        findings.append(str(message) % params)
    for trend in analysis.trends:
        params = {
            "count": _trend_points(trend, points),
            "date": format_date(points[trend.start].date),
        }
        if trend.direction == "up":
            message = _("Trend: %(count)s points in a row going up (from %(date)s).")
        else:
            message = _("Trend: %(count)s points in a row going down (from %(date)s).")
        findings.append(str(message) % params)
    params = {"runs": analysis.runs, "useful": analysis.useful_observations}
    if analysis.runs_limits:
        params.update(lower=analysis.runs_limits[0], upper=analysis.runs_limits[1])
    if analysis.runs_verdict == "too_few":
        message = _(
            "Too few runs: %(runs)s runs in %(useful)s points off the median; fewer than "
            "%(lower)s is unlikely by chance alone."
        )
    elif analysis.runs_verdict == "too_many":
        message = _(
            "Too many runs: %(runs)s runs in %(useful)s points off the median; more than "
            "%(upper)s is unlikely by chance alone."
        )
    elif analysis.runs_verdict == "expected":
        message = _(
            "Runs: %(runs)s runs in %(useful)s points off the median, within the expected "
            "%(lower)s to %(upper)s."
        )
    else:
        message = _(
            "Runs: not enough data to judge the number of runs (%(useful)s points off the "
            "median; at least 10 are needed)."
        )
    findings.append(str(message) % params)
    for index in analysis.astronomical:
        findings.append(
            str(_("Astronomical point: %(value)s on %(date)s is clearly different from the rest."))
            % {"value": format_value(points[index].value), "date": format_date(points[index].date)}
        )
    if not analysis.has_signal:
        findings.insert(
            0,
            str(
                _(
                    "No signal of non-random variation: no shift, trend, unusual number of "
                    "runs or astronomical point."
                )
            ),
        )
    return findings


def _trend_points(trend: Signal, points: Sequence[Point]) -> int:
    """Points that count in a trend: ties are one point."""
    values = [points[i].value for i in trend.indices]
    return 1 + sum(1 for a, b in itertools.pairwise(values) if a != b)


# Drawing -------------------------------------------------------------------------------------

WIDTH, HEIGHT = 720, 400
LEFT, RIGHT, TOP, BOTTOM = 64, 96, 36, 290  # plot area; below it: date labels and legend
COLOUR_DATA = "#0b5e66"
COLOUR_SIGNAL = "#07444a"
COLOUR_MEDIAN = "#4d5d66"
COLOUR_CYCLE = "#7a4a00"
COLOUR_GRID = "#d5e0e2"
COLOUR_TEXT = "#1c2b33"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: 1, 2, 2.5 or 5 times a power of ten apart."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    tick = first
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def render_svg(
    points: Sequence[Point],
    centre: float,
    cycles: Sequence[Cycle],
    unit: str,
    title: str,
    *,
    highlighted: Collection[int] = (),
    astronomical: Collection[int] = (),
    id_prefix: str = "run-chart",
) -> SafeString:
    """The run chart as inline SVG: data, dashed median, PDSA cycles on the time axis, legend.

    Points in a shift or trend are drawn larger and filled (not only in another colour), an
    astronomical point as a square, so the signals do not depend on seeing colour. The time axis
    is by date, so uneven intervals and the cycles' own dates line up with the data.
    """
    if not points:
        return mark_safe("")
    right_edge = WIDTH - RIGHT
    dates = [point.date for point in points]
    values = [point.value for point in points]
    cycle_dates = [c.start for c in cycles]
    first_day = min([*dates, *cycle_dates])
    last_day = max([*dates, *cycle_dates])
    span = max((last_day - first_day).days, 1)

    def x(day: datetime.date) -> float:
        return LEFT + (day - first_day).days / span * (right_edge - LEFT)

    ticks = _nice_ticks(min([*values, centre]), max([*values, centre]))
    low, high = ticks[0], ticks[-1]

    def y(value: float) -> float:
        return BOTTOM - (value - low) / (high - low) * (BOTTOM - TOP)

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    description = _describe(points, centre, cycles, unit)
    out = [
        f'<svg class="run-chart__svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" '
        f'font-size="12" fill="{COLOUR_TEXT}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    # Value axis: grid lines and labels; the unit on top.
    out.append('<g class="run-chart__grid" aria-hidden="true">')
    for tick in ticks:
        ty = y(tick)
        out.append(
            f'<line x1="{LEFT}" x2="{right_edge}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{COLOUR_GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(tick))}</text>"
        )
    # The unit runs up the value axis, clear of the cycle labels along the top.
    mid = (TOP + BOTTOM) / 2
    out.append(
        f'<text x="14" y="{mid:.1f}" text-anchor="middle" transform="rotate(-90 14 {mid:.1f})">'
        f"{escape(unit)}</text>"
    )
    out.append(
        f'<line x1="{LEFT}" x2="{right_edge}" y1="{BOTTOM}" y2="{BOTTOM}" '
        f'stroke="{COLOUR_TEXT}" stroke-width="1"/>'
    )
    # Time axis: a few dates, at data points, spread evenly by index.
    label_count = min(len(points), 5)
    label_indices = sorted(
        {round(k * (len(points) - 1) / max(label_count - 1, 1)) for k in range(label_count)}
    )
    for index in label_indices:
        tx = x(dates[index])
        anchor = "start" if index == 0 else "end" if index == len(points) - 1 else "middle"
        out.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{BOTTOM}" y2="{BOTTOM + 5}" '
            f'stroke="{COLOUR_TEXT}"/>'
            f'<text x="{tx:.1f}" y="{BOTTOM + 20}" text-anchor="{anchor}">'
            f"{escape(date_format(dates[index], 'j M Y'))}</text>"
        )
    out.append("</g>")
    # PDSA cycles: a line at the start, a band along the time axis while it ran, its number on top.
    if cycles:
        out.append('<g class="run-chart__cycles" aria-hidden="true">')
        for cycle in cycles:
            cx = x(cycle.start)
            end = min(cycle.end, last_day) if cycle.end else cycle.start
            ex = max(x(end), cx + 2)
            out.append(
                f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{TOP - 6}" y2="{BOTTOM}" '
                f'stroke="{COLOUR_CYCLE}" stroke-width="1.5" stroke-dasharray="2 3"/>'
                f'<rect x="{cx:.1f}" y="{BOTTOM - 6}" width="{ex - cx:.1f}" height="6" '
                f'fill="{COLOUR_CYCLE}" fill-opacity="0.35"/>'
                f'<rect x="{cx - 13:.1f}" y="{TOP - 26}" width="26" height="18" rx="3" '
                f'fill="#fff" stroke="{COLOUR_CYCLE}"/>'
                f'<text x="{cx:.1f}" y="{TOP - 13}" text-anchor="middle" font-weight="600" '
                f'fill="{COLOUR_CYCLE}">{escape(f"P{cycle.number}")}</text>'
            )
        out.append("</g>")
    # Median: dashed, labelled at the right end.
    my = y(centre)
    out.append(
        f'<g class="run-chart__median" aria-hidden="true">'
        f'<line x1="{LEFT}" x2="{right_edge}" y1="{my:.1f}" y2="{my:.1f}" '
        f'stroke="{COLOUR_MEDIAN}" stroke-width="2" stroke-dasharray="8 5"/>'
        f'<text x="{right_edge + 6}" y="{my + 4:.1f}">'
        f"{escape(_('Median'))} {escape(format_value(centre))}</text></g>"
    )
    # The data: a line, then a marker per point.
    coords = " ".join(f"{x(p.date):.1f},{y(p.value):.1f}" for p in points)
    out.append(
        f'<g class="run-chart__data" aria-hidden="true">'
        f'<polyline points="{coords}" fill="none" stroke="{COLOUR_DATA}" stroke-width="2" '
        f'stroke-linejoin="round"/>'
    )
    for index, point in enumerate(points):
        px, py = x(point.date), y(point.value)
        if index in astronomical:
            out.append(
                f'<rect x="{px - 6:.1f}" y="{py - 6:.1f}" width="12" height="12" '
                f'fill="{COLOUR_SIGNAL}" stroke="#fff" stroke-width="1.5"/>'
            )
        elif index in highlighted:
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="6" fill="{COLOUR_SIGNAL}" '
                f'stroke="#fff" stroke-width="1.5"/>'
            )
        else:
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="#fff" '
                f'stroke="{COLOUR_DATA}" stroke-width="2"/>'
            )
    out.append("</g>")
    out.append(_legend(bool(cycles), bool(highlighted), bool(astronomical)))
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through escape()


def _legend(cycles: bool, highlighted: bool, astronomical: bool) -> str:
    items: list[tuple[str, str]] = [
        (
            f'<line x1="0" x2="24" y1="0" y2="0" stroke="{COLOUR_DATA}" stroke-width="2"/>'
            f'<circle cx="12" cy="0" r="3.5" fill="#fff" stroke="{COLOUR_DATA}" stroke-width="2"/>',
            str(_("Data")),
        ),
        (
            f'<line x1="0" x2="24" y1="0" y2="0" stroke="{COLOUR_MEDIAN}" stroke-width="2" '
            f'stroke-dasharray="8 5"/>',
            str(_("Median")),
        ),
    ]
    if highlighted:
        items.append(
            (
                f'<circle cx="12" cy="0" r="6" fill="{COLOUR_SIGNAL}"/>',
                str(_("Part of a shift or trend")),
            )
        )
    if astronomical:
        items.append(
            (
                f'<rect x="6" y="-6" width="12" height="12" fill="{COLOUR_SIGNAL}"/>',
                str(_("Astronomical point")),
            )
        )
    if cycles:
        items.append(
            (
                f'<line x1="12" x2="12" y1="-8" y2="8" stroke="{COLOUR_CYCLE}" '
                f'stroke-width="1.5" stroke-dasharray="2 3"/>'
                f'<rect x="12" y="2" width="12" height="6" fill="{COLOUR_CYCLE}" '
                f'fill-opacity="0.35"/>',
                str(_("P1, P2 …: PDSA cycle starts (band: while it ran)")),
            )
        )
    out = ['<g class="run-chart__legend" aria-hidden="true">']
    # Two columns, so long translations still fit the 720 wide drawing.
    for position, (symbol, label) in enumerate(items):
        lx = LEFT + (position % 2) * 300
        ly = BOTTOM + 48 + (position // 2) * 22
        out.append(
            f'<g transform="translate({lx} {ly})">{symbol}'
            f'<text x="32" y="4">{escape(label)}</text></g>'
        )
    out.append("</g>")
    return "".join(out)


def _describe(points: Sequence[Point], centre: float, cycles: Sequence[Cycle], unit: str) -> str:
    """The chart in one or two sentences for screen readers; the table has every value."""
    text = str(
        _(
            "Run chart of %(count)s values from %(first)s to %(last)s, median %(median)s "
            "%(unit)s. Every value is in the data table."
        )
    ) % {
        "count": len(points),
        "first": format_date(points[0].date),
        "last": format_date(points[-1].date),
        "median": format_value(centre),
        "unit": unit,
    }
    if cycles:
        starts = ", ".join(
            str(_("cycle %(number)s from %(date)s"))
            % {"number": c.number, "date": format_date(c.start)}
            for c in cycles
        )
        text += " " + str(_("PDSA cycles marked: %(cycles)s.")) % {"cycles": starts}
    return text
