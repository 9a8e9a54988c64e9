"""The HTML report is self-contained, escapes what it quotes, and reads saved runs back."""

from __future__ import annotations

import base64
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import autosim
from autosim.errors import RunError
from autosim.io.saved import SavedResults
from autosim.present.report import render_report, report_files, write_report

from .conftest import FLAGSHIP

PNG = b"\x89PNG\r\n\x1a\n"
EVIL = "<script>alert(1)</script>"
DATA_PNG = "data:image/png;base64,"


class _Page(HTMLParser):
    """Collects every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def results():
    """A small real run whose scenario name, one automation's name and description are hostile."""
    scenario = autosim.load_scenario(FLAGSHIP)
    first = scenario.automations[0].model_copy(
        update={"name": f"Dispatch {EVIL}", "description": f"fast {EVIL} dispatch"}
    )
    scenario = scenario.model_copy(
        update={
            "name": f"Plumbing {EVIL}",
            "horizon": 60 * 1440.0,
            "warmup": 0.0,
            "automations": (first, *scenario.automations[1:]),
        }
    )
    return autosim.run_experiment(scenario, 3, seed=1, executor="serial")


@pytest.fixture(scope="module")
def page(results) -> str:
    return render_report(results, scenario_text=f"name: x {EVIL}\n# </pre><b>not bold</b>\n")


@pytest.fixture(scope="module")
def saved_dir(results, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("run")
    autosim.write_outputs(results, folder, scenario_path=FLAGSHIP)
    return folder


def test_every_image_is_an_inline_png(page):
    images = [attrs for tag, attrs in _parse(page).tags if tag == "img"]
    assert len(images) >= 6  # npv, roi, response time, cash fan, one per automation, convergence
    for attrs in images:
        src = attrs["src"] or ""
        assert src.startswith(DATA_PNG)
        assert base64.b64decode(src.removeprefix(DATA_PNG), validate=True).startswith(PNG)
        assert attrs.get("alt")


def test_nothing_is_fetched_from_outside(page):
    for _tag, attrs in _parse(page).tags:
        for name in ("src", "href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http://", "https://", "//")), value
    assert not re.search(r"url\(", page)
    assert "<link" not in page and "@import" not in page and "<script" not in page


def test_scenario_text_is_escaped(page):
    assert EVIL not in page
    assert html.escape(EVIL) in page  # scenario name, automation description, scenario text
    assert "<b>not bold</b>" not in page
    assert "<title>Plumbing &lt;script&gt;" in page


def test_automation_name_is_escaped(page):
    assert f"Option: Dispatch {html.escape(EVIL)} (auto_dispatch)</h2>" in page
    assert html.escape(f"fast {EVIL} dispatch") in page
    assert "<script" not in page.lower()


def test_template_ships_inside_the_package():
    from importlib.resources import files

    template = files("autosim.present") / "templates" / "report.html.j2"
    assert template.is_file()
    source = Path(__file__).parents[1] / "src" / "autosim" / "present"
    for module in ("report.py", "report_data.py"):
        text = (source / module).read_text(encoding="utf-8")
        assert "html.escape" not in text and "Markup" not in text  # escaping is the template's


def test_sections_in_order(page, results):
    headings = [
        'id="recommendation"',
        "The options</h2>",
        "Roadmap: in what order to buy</h2>",
        "Risk: what can go wrong</h2>",
        "Details</h2>",
        "Strategy and goals</h2>",
        "(auto_dispatch)</h2>",
        "(generic_crm)</h2>",
        "Key KPIs per option</h2>",
        "Assumptions</h2>",
        "Method</h2>",
        "<summary>Scenario file</summary>",
    ]
    positions = [page.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "input</th>" in page and "emergency jobs: growth per year" in page  # inputs, by name
    assert "dispatch.job_types.emergency.growth_per_year" in page  # and where they are set
    assert f"seed {results.seed}" in page and "Common random numbers: on" in page
    assert f"autosim version: {autosim.__version__}" in page


def test_saved_results_round_trip(results, saved_dir):
    saved = SavedResults.load(saved_dir)
    assert saved.summary() == json.loads((saved_dir / "summary.json").read_text(encoding="utf-8"))
    assert saved.summary()["scenario"] == results.scenario.name
    pd.testing.assert_frame_equal(saved.replications, results.replications, check_dtype=False)
    pd.testing.assert_frame_equal(saved.cash, results.cash, check_dtype=False)
    assert saved.manifest["seed"] == results.seed
    assert saved.scenario_text == FLAGSHIP.read_text(encoding="utf-8")
    assert saved.n_replications == 3
    assert saved.seed == results.seed
    assert saved.variants == results.variants
    assert saved.scenario.name == autosim.load_scenario(FLAGSHIP).name


def test_saved_roadmap_variant_keeps_its_purchase_days(tmp_path):
    from autosim.experiment.variants import Variant

    phases = [{"start_day": 7.0, "automations": ["b"]}, {"start_day": 0.0, "automations": ["a"]}]
    summary = {
        "scenario": "s",
        "currency": "EUR",
        "replications": 2,
        "seed": 5,
        "variants": [
            {"id": "baseline", "automations": []},
            {"id": "plan", "automations": ["a", "b"]},
        ],
        "roadmap": {"roadmaps": [{"id": "plan", "phases": phases}]},
    }
    saved = SavedResults(tmp_path, summary, pd.DataFrame(), pd.DataFrame(), {"seed_given": False})
    assert saved.variants == (Variant("baseline"), Variant("plan", ("a", "b"), (0.0, 7 * 1440.0)))
    assert saved.seed == 5 and saved.seed_given is False and saved.scenario is None


def test_saved_scenario_is_read_only_through_the_scenario_loader(saved_dir, tmp_path):
    folder = _copy(saved_dir, tmp_path)
    hostile = "!!python/object/apply:os.system [touch pwned]\n"
    (folder / "scenario.yaml").write_text(hostile, encoding="utf-8")
    saved = SavedResults.load(folder)
    assert saved.scenario is None  # refused by the guarded loader, never executed
    page = render_report(saved)
    assert "Option: auto_dispatch</h2>" in page  # no names without a valid scenario
    assert f"<pre>{hostile}</pre>" in page  # shown as text


def test_write_report_from_saved_folder(saved_dir, tmp_path):
    saved = SavedResults.load(saved_dir)
    entry = saved.summary()["variants"][1]  # later, the strategy module adds these keys
    entry["verdict"] = "aligned"
    entry["explanation"] = f"moves the emergency goal {EVIL}"
    path = write_report(saved, tmp_path / "out")
    assert path == tmp_path / "out" / "report.html"
    names = {p.name for p in path.parent.iterdir()}
    assert names == {
        "report.html",
        "roi.png",
        "npv.png",
        "response_time_p90.png",
        "cash_fan.png",
        "convergence_npv.png",
        "goal_heatmap.png",
        "alignment_map.png",
        *(
            f"tornado_{v['id']}.png"
            for v in saved.summary()["variants"]
            if (v.get("sensitivity") or {}).get("roi")
        ),
    }
    page = path.read_text(encoding="utf-8")
    assert "<h2>Strategy and goals</h2>" in page
    assert "<th>verdict</th>" in page and '<span class="badge good">aligned</span>' in page
    assert html.escape(f"moves the emergency goal {EVIL}") in page and EVIL not in page
    assert "Automated dispatch and 24/7 intake" in page  # names read from the saved scenario
    assert "SHA-256" in page  # the manifest's facts


def test_load_missing_folder(tmp_path):
    with pytest.raises(RunError, match="no such output folder"):
        SavedResults.load(tmp_path / "nope")


@pytest.mark.parametrize(
    "name", ["summary.json", "manifest.json", "replications.parquet", "cash.parquet"]
)
def test_load_missing_file(saved_dir, tmp_path, name):
    folder = _copy(saved_dir, tmp_path)
    (folder / name).unlink()
    with pytest.raises(RunError, match=re.escape(name)):
        SavedResults.load(folder)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("summary.json", b'{"scenario": ', "not valid JSON"),
        ("summary.json", b'{"scenario": "x"}', "not an autosim summary"),
        ("manifest.json", b"[1, 2]", "expected a JSON object"),
        ("replications.parquet", b"not a parquet file", "not a readable parquet"),
        ("cash.parquet", b"", "not a readable parquet"),
    ],
)
def test_load_corrupt_file(saved_dir, tmp_path, name, content, message):
    folder = _copy(saved_dir, tmp_path)
    (folder / name).write_bytes(content)
    with pytest.raises(RunError, match=message) as info:
        SavedResults.load(folder)
    assert name in str(info.value)


def test_load_parquet_without_required_columns(saved_dir, tmp_path):
    folder = _copy(saved_dir, tmp_path)
    pd.DataFrame({"x": [1]}).to_parquet(folder / "cash.parquet")
    with pytest.raises(RunError, match=re.escape("cash.parquet: missing column")):
        SavedResults.load(folder)


def _copy(source: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    folder.mkdir()
    for item in source.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    return folder


def test_report_files_for_a_baseline_only_run(saved_dir):
    saved = SavedResults.load(saved_dir)
    summary = saved.summary()
    baseline = SimpleNamespace(
        replications=saved.replications[saved.replications.variant == "baseline"],
        cash=saved.cash[saved.cash.variant == "baseline"],
        summary=lambda: {**summary, "variants": summary["variants"][:1]},
        scenario_text=None,
    )
    files = report_files(baseline)
    assert set(files) == {"report.html", "response_time_p90.png", "cash_fan.png"}
    page = files["report.html"].decode("utf-8")
    assert "only the baseline was simulated" in page
    assert "scenario file text is not available" in page


# --- the answer first ----------------------------------------------------------------------


def _saved_with(saved_dir: Path, change) -> SavedResults:
    """The saved run with its summary changed in place (as later versions add keys)."""
    saved = SavedResults.load(saved_dir)
    change(saved.summary())
    return saved


def _before_details(page: str) -> str:
    return page[: page.index('<h2 class="part">Details</h2>')]


def test_recommendation_opens_the_page_and_names_the_portfolio_choice(saved_dir):
    def recommend(summary):
        summary["portfolio"]["recommended"] = "auto_dispatch"
        summary["portfolio"]["reason"] = "auto_dispatch has the highest strategic impact"

    page = render_report(_saved_with(saved_dir, recommend))
    top = _before_details(page)
    assert top.index('id="recommendation"') < top.index("The options</h2>")
    assert top.index('id="recommendation"') < top.index("<table")
    assert '<section id="recommendation" class="rec" data-option="auto_dispatch">' in page
    lead = top[top.index('id="recommendation"') : top.index("</section>")]
    assert "buy Automated dispatch and 24/7 intake</strong>" in lead and "(auto_dispatch)" in lead
    assert "It has the highest strategic impact." in lead  # the reason, with the name as "It"
    for label in ("Money:", "Constraints:"):
        assert label in lead
    assert '<tr class="chosen" data-option="auto_dispatch">' in page  # first row, highlighted


def test_nothing_recommended_says_buy_nothing_and_why(saved_dir):
    def nothing(summary):
        summary["portfolio"]["recommended"] = None
        summary["portfolio"]["binding"] = {
            "constraint": "budget_upfront",
            "option": "auto_dispatch",
            "limit": 5000.0,
            "value": 6000.0,
            "text": "buy nothing yet: auto_dispatch needs 6,000 up-front, over the 5,000 budget",
        }

    page = render_report(_saved_with(saved_dir, nothing))
    lead = page[page.index('id="recommendation"') : page.index("</section>")]
    assert 'data-option=""' in lead and "buy nothing yet.</strong>" in lead
    assert "Automated dispatch and 24/7 intake needs 6,000 up-front" in lead  # named, once


def test_goal_progress_is_shown_when_the_summary_has_it(saved_dir):
    def progress(summary):
        summary["portfolio"]["recommended"] = "auto_dispatch"
        entry = summary["variants"][1]["goals"]["emergency_response"]
        entry["progress"] = {"mean": 0.47, "ci95": [0.28, 0.66]}
        for v in summary["variants"][2:]:
            for goal in v["goals"].values():
                goal.pop("progress", None)
                goal["delta_vs_baseline"] = 0.25

    page = render_report(_saved_with(saved_dir, progress))
    lead = page[page.index('id="recommendation"') : page.index("</section>")]
    assert "closes 47% [28%, 66%] of today&#39;s gap to “75% of residential emergencies" in lead
    options = page[page.index('<table class="options">') :]
    options = options[: options.index("</table>")]
    assert "<b>47%</b>" in options and "[28%, 66%]" in options
    assert "<b>+25 pp</b>" in options  # without progress: the change in P(goal met)


def test_options_table_is_compact_and_explanations_sit_under_it(saved_dir):
    def explain(summary):
        summary["variants"][1]["explanation"] = "auto_dispatch raises the chance of a goal"

    page = render_report(_saved_with(saved_dir, explain))
    options = page[page.index('<table class="options">') :]
    table = options[: options.index("</table>")]
    assert "raises the chance" not in table  # no long text inside the rows
    assert "<b>Automated dispatch and 24/7 intake:</b> It raises the chance of a goal" in options
    assert "<col" in table and 'title="75% of residential emergencies' in table  # full goal


def test_roi_is_a_percentage_everywhere(page):
    rows = re.findall(r"ROI \(net gain as % of cost\)</td>(.*?)</tr>", page)
    assert len(rows) >= 3  # one per option
    for row in rows:
        values = re.findall(r'<td class="num">([^<]*)</td>', row)[:5]  # mean, CI, P5, P50, P95
        numbers = [x for v in values for x in v.strip("[]").split(", ")]
        assert numbers and all(x.endswith("%") or x == "—" for x in numbers), row
    assert "mean ROI" not in page


def test_roi_percent_format():
    from autosim.present.numbers import roi_pct

    assert roi_pct(18.0) == "+1,800%"
    assert roi_pct(-0.3) == "-30%"
    assert roi_pct(-0.0001) == "0%"
    assert roi_pct(float("nan")) == "—"


def test_tables_name_things_for_people(page):
    shown = page[: page.index('<details id="scenario-file">')]
    for column in ("response_time_p90_min", "within_target_share", "dso_days", "net_cash_flow"):
        assert column not in shown, column
    assert "P90 response time (min)" in shown and "DSO (days)" in shown
    assert "Mobile invoicing and on-site card payment" in shown  # automations by name


def test_kpis_that_mean_nothing_here_are_left_out(results, page):
    kpis = page[page.index("Key KPIs per option</h2>") : page.index("Assumptions</h2>")]
    assert "oversells" not in kpis  # no online shop: zero in every variant
    assert "cash in stock" not in kpis.lower() and "supplier bills" not in kpis
    assert "average stock at cost" in kpis


def test_kpi_rows_need_a_finite_non_zero_value():
    from autosim.present.report_data import meaningful

    assert not meaningful([{"mean": 0.0, "p5": 0.0, "p95": 0.0}, None, {"mean": float("nan")}])
    assert meaningful([{"mean": 0.0, "p5": 0.0, "p95": 2.0}])


def test_scenario_file_is_folded_away_at_the_end(page):
    assert page.index("Method</h2>") < page.index('<details id="scenario-file">')
    assert "<summary>Scenario file</summary>" in page
    assert page.rstrip().endswith("</details>\n</main>\n</body>\n</html>".rstrip())


def test_roadmap_and_risk_sections(page):
    roadmap = page[page.index("Roadmap: in what order to buy") : page.index("Risk: what can")]
    assert "Suggested order" in roadmap and "Best roadmap" in roadmap
    assert "day 45: Mobile invoicing and on-site card payment" in roadmap
    risk = page[page.index("Risk: what can") : page.index('<h2 class="part">Details</h2>')]
    assert "P(NPV &lt; 0)" in risk and "CVaR10 of NPV" in risk and "worst month-end cash" in risk
