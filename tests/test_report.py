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
    assert f"Automation: auto_dispatch — Dispatch {html.escape(EVIL)}</h2>" in page
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
        "Decision summary",
        "Key KPIs per variant",
        "Automation: auto_dispatch",
        "Automation: generic_crm",
        "Assumptions",
        "Scenario file",
        "Method",
    ]
    positions = [page.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "input</th>" in page and "growth_per_year" in page  # uncertain inputs listed
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
    assert "Automation: auto_dispatch</h2>" in page  # no names without a valid scenario
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
    assert "<th>verdict</th>" in page and "<td>aligned</td>" in page
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
