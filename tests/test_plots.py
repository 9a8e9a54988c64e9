"""Figures render, carry their units, draw one series per variant, and survive odd data."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from autosim.present import figures as plots

PNG = b"\x89PNG\r\n\x1a\n"
VARIANTS = ("baseline", "auto_a", "auto_b")
N_REP = 8
N_DAYS = 30


def _png(fig) -> bytes:
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=40)  # small: drawing is what is tested
    data = buffer.getvalue()
    assert data.startswith(PNG)
    return data


@pytest.fixture
def replications() -> pd.DataFrame:
    """Three variants x eight replications; auto_a clearly pays, auto_b is a coin flip."""
    rng = np.random.default_rng(7)
    growth = rng.uniform(0.0, 0.05, N_REP)
    rows = []
    for i, variant in enumerate(VARIANTS):
        for r in range(N_REP):
            row = {
                "variant": variant,
                "replication": r,
                "input:dispatch.growth": growth[r],
                "response_time_p90_min": 120 - 25 * (i == 1) + rng.normal(0, 5),
                "response_time_p90_min[job_type=emergency]": 70 - 10 * (i == 1) + rng.normal(0, 3),
                "net_cash_flow": 50_000 + 150_000 * (i == 1) + rng.normal(0, 10_000),
                "roi": np.nan,
                "npv": np.nan,
                "payback_months": np.nan,
                "net_benefit": np.nan,
            }
            if i:
                npv = 200_000 + rng.normal(0, 10_000) if i == 1 else rng.normal(0, 3_000)
                row.update(
                    roi=npv / 12_000,
                    npv=npv,
                    payback_months=2.5 if npv > 0 else np.inf,
                    net_benefit=npv * 1.05,
                )
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def cash() -> pd.DataFrame:
    """Thirty days of balances per replication and variant."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2027-01-04", periods=N_DAYS, freq="D")
    frames = []
    for i, variant in enumerate(VARIANTS):
        for r in range(N_REP):
            flow = rng.normal(500 + 300 * i, 800, N_DAYS)
            frames.append(
                pd.DataFrame(
                    {
                        "variant": variant,
                        "replication": r,
                        "day": np.arange(N_DAYS),
                        "date": dates,
                        "net_flow": flow,
                        "balance": 10_000 + np.cumsum(flow),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _results(replications: pd.DataFrame, cash: pd.DataFrame, currency: str = "EUR"):
    return SimpleNamespace(
        replications=replications, cash=cash, summary=lambda: {"currency": currency}
    )


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize(
    ("draw", "symbol", "unit"),
    [
        (lambda r: plots.roi_distribution(r, currency="EUR"), "ROI", "%"),
        (lambda r: plots.npv_distribution(r, currency="EUR"), "NPV", "(EUR)"),
    ],
)
def test_finance_distributions(replications, draw, symbol, unit):
    fig = draw(replications)
    _png(fig)
    ax = fig.axes[0]
    assert symbol in ax.get_xlabel() and unit in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["auto_b", "auto_a"]
    column = symbol.lower()
    expected = [
        f"P({symbol} > 0) = {np.mean(replications.loc[replications.variant == v, column] > 0):.0%}"
        for v in ("auto_a", "auto_b")
    ]
    assert [t for t in _texts(ax) if t.startswith("P(")] == expected
    assert any(line.get_xdata()[0] == 0 for line in ax.get_lines())  # break-even line


def test_kpi_distribution_one_curve_per_variant_and_target(replications):
    fig = plots.kpi_distribution(replications, "response_time_p90_min", target=100)
    _png(fig)
    ax = fig.axes[0]
    assert "(min)" in ax.get_xlabel() and "P90" in ax.get_xlabel()
    assert len(ax.get_lines()) == len(VARIANTS) + 1
    assert "target" in [t.get_text() for t in fig.legends[0].get_texts()]  # under the axes
    assert len(plots.kpi_distribution(replications, "response_time_p90_min").axes[0].lines) == 3


def test_kpi_distribution_units_for_filtered_and_money_columns(replications):
    ax = plots.kpi_distribution(replications, "response_time_p90_min[job_type=emergency]").axes[0]
    assert "emergency" in ax.get_xlabel() and "(min)" in ax.get_xlabel()
    ax = plots.kpi_distribution(replications, "net_cash_flow", currency="EUR", label="cash").axes[0]
    assert ax.get_xlabel() == "cash (EUR)"


def test_cash_fan_median_and_band_per_variant(cash):
    fig = plots.cash_fan(cash, min_cash=5_000, currency="EUR")
    _png(fig)
    ax = fig.axes[0]
    assert "(EUR)" in ax.get_ylabel() and ax.get_xlabel() == "date"
    assert len(ax.get_lines()) == len(VARIANTS) + 1  # medians + minimum cash
    assert len(ax.collections) == len(VARIANTS)  # P5-P95 bands
    subset = plots.cash_fan(cash, variants=["baseline", "auto_b"], currency="EUR").axes[0]
    colors = [line.get_color() for line in subset.get_lines()]
    assert colors == [plots.PALETTE["baseline"], plots.PALETTE["automations"][1]]


def test_cash_fan_unknown_variant(cash):
    with pytest.raises(KeyError, match="nope"):
        plots.cash_fan(cash, variants=["nope"], currency="EUR")


def test_convergence_running_mean(replications):
    fig = plots.convergence(replications, currency="EUR")
    _png(fig)
    ax = fig.axes[0]
    assert "NPV" in ax.get_ylabel() and "(EUR)" in ax.get_ylabel()
    assert "replications" in ax.get_xlabel()
    lines = ax.get_lines()
    assert len(lines) == 2  # one per automation, not the baseline
    npv_a = replications.loc[replications.variant == "auto_a", "npv"]
    assert lines[0].get_ydata()[-1] == pytest.approx(npv_a.mean())
    assert len(plots.convergence(replications, variant="auto_b").axes[0].get_lines()) == 1


def test_goal_heatmap():
    matrix = pd.DataFrame(
        [[0.4, -0.1, np.nan], [0.0, -0.7, 0.9]],
        index=["auto_a", "auto_b"],
        columns=["emergency P90 <= 60 min", "lost share <= 10%", "net cash flow"],
    )
    fig = plots.goal_heatmap(matrix)
    _png(fig)
    ax = fig.axes[0]
    assert len(ax.images) == 1 and len(fig.axes) == 2  # the map and its colour bar
    assert _texts(ax) == ["+0.40", "-0.10", "n/a", "+0.00", "-0.70", "+0.90"]
    assert "P(goal met)" in fig.axes[1].get_ylabel()
    assert ax.images[0].get_clim() == (-1, 1)


def test_alignment_map():
    points = pd.DataFrame(
        {
            "automation": ["auto_a", "auto_b", "auto_c"],
            "impact": [0.4, -0.05, 0.2],
            "npv": [200_000, -1_000, -30_000],
            "impact_lo": [0.3, -0.1, 0.1],
            "impact_hi": [0.5, 0.0, 0.3],
            "npv_lo": [180_000, -5_000, -40_000],
            "npv_hi": [215_000, 4_000, -20_000],
        }
    )
    fig = plots.alignment_map(points, currency="EUR")
    _png(fig)
    ax = fig.axes[0]
    assert "(EUR)" in ax.get_ylabel() and "impact" in ax.get_xlabel()
    assert len(ax.containers) == 3
    texts = _texts(ax)
    for name in ("aligned and profitable", "aligned but costly", "profitable but misaligned"):
        assert name in texts
    assert "neither" in texts
    legend = [t.get_text() for t in fig.legends[0].get_texts()]  # names in a legend, no overlap
    assert legend == ["auto_a", "auto_b", "auto_c"]
    lo, hi = ax.get_xlim()
    assert lo < 0 < hi and ax.get_ylim()[0] < 0 < ax.get_ylim()[1]
    _png(plots.alignment_map(points[["automation", "impact", "npv"]], currency="EUR"))


def test_tornado_sorted_by_absolute_size():
    sensitivity = pd.DataFrame(
        {"input": ["input:a", "input:b", "input:c"], "rank_correlation": [0.2, -0.7, 0.05]}
    )
    fig = plots.tornado(sensitivity)
    _png(fig)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "a", "b"]  # largest on top
    assert "ROI" in ax.get_xlabel()
    swing = sensitivity.assign(swing_lo=[0.1, -0.5, 0.0], swing_hi=[0.3, 0.9, 0.05])
    ax = plots.tornado(swing, output="NPV (EUR)").axes[0]
    assert len(ax.patches) == 3 and "NPV (EUR)" in ax.get_xlabel()
    assert "NPV (EUR) -0.5 → 0.9" in " ".join(_texts(ax))  # the swing beside its bar


def test_tornado_draws_intervals_and_greys_inputs_without_a_clear_effect():
    from matplotlib.colors import to_hex

    sensitivity = pd.DataFrame(
        {
            "input": ["big", "noise", "unknown"],
            "rank_correlation": [0.8, 0.1, 0.3],
            "ci95": [[0.6, 0.9], [-0.2, 0.4], [None, None]],
            "significant": [True, False, False],
            "swing_lo": [10.0, 17.5, 17.0],
            "swing_hi": [18.0, 17.7, 17.9],
        }
    )
    fig = plots.tornado(sensitivity, option="Automated dispatch", percent=True)
    _png(fig)
    ax = fig.axes[0]
    colours = {
        t.get_text(): to_hex(bar.get_facecolor())
        for t, bar in zip(ax.get_yticklabels(), ax.patches, strict=True)
    }
    assert colours["noise"] == colours["unknown"] == "#c8c8c8"  # grey: interval spans 0
    assert colours["big"] == plots.PALETTE["automations"][0].lower()
    whiskers = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    assert sorted(tuple(line.get_xdata()) for line in whiskers)[:2] == [(-0.2, 0.4)] * 2
    assert "+1,000% → +1,800%" in " ".join(_texts(ax))  # ROI swing in percent
    assert "Automated dispatch" in ax.get_title("left") and "grey" in ax.get_xlabel()


def test_tornado_labels_are_not_clipped():
    long = "Generic CRM and marketing automation: effects dispatch rate factor of routine jobs"
    sensitivity = pd.DataFrame(
        {"input": [long, "b"], "rank_correlation": [0.9, -0.95], "swing_lo": [1, 2]}
    ).assign(swing_hi=[3.0, 1.0])
    fig = plots.tornado(sensitivity, option="A bundle with a rather long name indeed", percent=True)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    drawn = fig.get_tightbbox(canvas.get_renderer())  # every artist, in inches
    width, height = fig.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, drawn
    assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, (drawn, width, height)
    assert "\n" in fig.axes[0].get_yticklabels()[0].get_text()  # the long label is wrapped


def test_roi_axis_in_percent_and_names_on_ticks(replications):
    names = {"auto_a": "Automation A", "auto_b": "Automation B"}
    fig = plots.roi_distribution(replications, currency="EUR", names=names)
    _png(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Automation B", "Automation A"]
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)


def _all_figures(replications, cash):
    return [
        plots.roi_distribution(replications),
        plots.npv_distribution(replications, currency="EUR"),
        plots.kpi_distribution(replications, "response_time_p90_min", target=90),
        plots.cash_fan(cash, currency="EUR", min_cash=0),
        plots.convergence(replications, "payback_months"),
    ]


@pytest.mark.parametrize("case", ["one replication", "baseline only", "nan and inf", "empty"])
def test_degenerate_inputs_do_not_crash(replications, cash, case):
    if case == "one replication":
        replications = replications[replications.replication == 0]
        cash = cash[cash.replication == 0]
    elif case == "baseline only":
        replications = replications[replications.variant == "baseline"].drop(
            columns=["roi", "npv", "payback_months", "net_benefit"]
        )
        cash = cash[cash.variant == "baseline"]
    elif case == "nan and inf":
        replications = replications.copy()
        replications["payback_months"] = np.where(
            replications.variant == "baseline", np.nan, np.inf
        )
        replications.loc[replications.replication < 3, "response_time_p90_min"] = np.nan
        replications.loc[replications.variant == "auto_b", "response_time_p90_min"] = np.nan
        replications.loc[replications.variant == "auto_b", "npv"] = np.nan
        replications.loc[replications.replication == 1, "roi"] = np.inf
    else:
        replications, cash = replications.iloc[:0], cash.iloc[:0]
    for fig in _all_figures(replications, cash):
        _png(fig)


def test_degenerate_strategy_frames():
    _png(plots.goal_heatmap(pd.DataFrame()))
    _png(plots.goal_heatmap(pd.DataFrame([[np.nan]], index=["a"], columns=["g"])))
    _png(plots.alignment_map(pd.DataFrame(columns=["automation", "impact", "npv"]), currency="X"))
    nan_point = pd.DataFrame({"automation": ["a"], "impact": [np.nan], "npv": [1.0]})
    _png(plots.alignment_map(nan_point, currency="X"))
    _png(plots.tornado(pd.DataFrame(columns=["input", "rank_correlation"])))


def test_save_all_writes_standard_files(replications, cash, tmp_path):
    written = plots.save_all(_results(replications, cash), tmp_path / "figs", dpi=40)
    names = {"roi.png", "npv.png", "response_time_p90.png", "cash_fan.png", "convergence_npv.png"}
    assert {p.name for p in written} == names
    assert {p.name for p in (tmp_path / "figs").iterdir()} == names  # no temporary files left
    assert all(p.read_bytes().startswith(PNG) for p in written)


def test_standard_figures_baseline_only(replications, cash):
    base = replications[replications.variant == "baseline"].drop(columns=["roi", "npv"])
    names = plots.standard_figures(_results(base, cash[cash.variant == "baseline"]))
    assert set(names) == {"response_time_p90.png", "cash_fan.png"}


def test_plot_accessor(replications, cash):
    from matplotlib.figure import Figure

    accessor = plots.PlotAccessor(_results(replications, cash))
    figures = [
        accessor.roi(),
        accessor.npv(),
        accessor.kpi("response_time_p90_min", target=60),
        accessor.cash(),
        accessor.convergence(),
    ]
    assert all(isinstance(f, Figure) for f in figures)
    assert "(EUR)" in figures[1].axes[0].get_xlabel()  # currency from the summary


def test_style_does_not_leak(replications):
    import matplotlib

    before = matplotlib.rcParams["font.size"]
    plots.roi_distribution(replications)
    assert matplotlib.rcParams["font.size"] == before


def test_engine_never_imports_matplotlib():
    code = (
        "import sys, autosim, autosim.experiment.runner, autosim.present.figures\n"
        "import autosim.present.report, autosim.io.saved\n"
        "assert 'matplotlib' not in sys.modules, 'engine imported matplotlib'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_plots_never_touch_pyplot():
    modules = sorted(Path(plots.__file__).parents[1].rglob("*.py"))  # all of autosim.present
    assert len(modules) > 5
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert "import matplotlib.pyplot" not in source, module
        assert "from matplotlib import pyplot" not in source, module
