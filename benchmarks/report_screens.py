"""What a client sees first: 1280×800 screenshots of the top of each scenario's report.

    .venv/bin/python -m benchmarks.report_screens OUT_DIR [SCENARIO ...] [-n 20] [--full]

Each scenario (default: every file in ``scenarios/``) is run briefly into ``OUT_DIR/<name>/``,
then headless Chromium (Debian's ``chromium`` package) opens its ``report.html`` at 1280×800 and
writes ``OUT_DIR/<name>.png`` (``--full``: also the whole page, ``<name>_full.png``). A copy of
the page with a small measuring script reports the layout — the page's scroll width, every
table's right edge, the bottom of the recommendation — into ``OUT_DIR/screens.json`` and one
line per scenario. ``tests/test_report_browser.py`` asserts on the same measurements.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 800
#: Measures the laid-out page and writes the numbers into the title (read back from --dump-dom).
PROBE = """<script>
addEventListener("load", function () {
  var d = document.documentElement, rec = document.getElementById("recommendation");
  var right = function (e) { return Math.ceil(e.getBoundingClientRect().right); };
  var tables = Array.prototype.map.call(document.querySelectorAll("table"), right);
  var options = document.querySelector("table.options");
  document.title = "PROBE " + JSON.stringify({
    viewport_width: d.clientWidth,
    scroll_width: d.scrollWidth,
    page_height: d.scrollHeight,
    table_right: tables,
    recommendation_bottom: rec ? Math.ceil(rec.getBoundingClientRect().bottom) : null,
    recommendation_option: rec ? rec.getAttribute("data-option") : null,
    recommendation_text: rec ? rec.textContent.replace(/\\s+/g, " ").trim() : null,
    options_top: options ? Math.ceil(options.getBoundingClientRect().top) : null,
    options_bottom: options ? Math.ceil(options.getBoundingClientRect().bottom) : null
  });
});
</script>"""


def chromium() -> str | None:
    """The headless browser on PATH (Debian: ``chromium``), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _browser(args: list[str], page: Path, width: int, height: int) -> str:
    exe = chromium()
    if exe is None:
        raise RuntimeError("no chromium on PATH (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="autosim-chromium-") as profile:
        command = [
            exe,
            "--headless",
            "--no-sandbox",  # needed as root; the page is our own file
            "--disable-gpu",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--virtual-time-budget=5000",
            *args,
            page.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def measure(report: Path, width: int = WIDTH, height: int = HEIGHT) -> dict[str, Any]:
    """The report's layout in a real browser window of ``width``×``height`` CSS pixels."""
    text = report.read_text(encoding="utf-8")
    probe = report.with_name(report.stem + ".probe.html")
    probe.write_text(text.replace("</body>", PROBE + "\n</body>", 1), encoding="utf-8")
    try:
        dom = _browser(["--dump-dom"], probe, width, height)
    finally:
        probe.unlink(missing_ok=True)
    match = re.search(r"<title>PROBE (.*?)</title>", dom, re.DOTALL)
    if match is None:
        raise RuntimeError("the layout probe did not run (no PROBE title in the dumped DOM)")
    return json.loads(html.unescape(match.group(1)))


def screenshot(report: Path, out: Path, width: int = WIDTH, height: int = HEIGHT) -> Path:
    """A PNG of the first ``width``×``height`` pixels of the page."""
    _browser([f"--screenshot={out.resolve()}"], report, width, height)
    return out


def main(argv: list[str] | None = None) -> int:
    import autosim

    parser = argparse.ArgumentParser(prog="python -m benchmarks.report_screens")
    parser.add_argument("out", type=Path, help="folder for the runs, screenshots, screens.json")
    parser.add_argument("scenarios", nargs="*", type=Path, help="default: scenarios/*.yaml")
    parser.add_argument("-n", "--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full", action="store_true", help="also screenshot the whole page")
    args = parser.parse_args(argv)
    if chromium() is None:
        print("no chromium on PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    scenarios = args.scenarios or sorted((ROOT / "scenarios").glob("*.yaml"))
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    for path in scenarios:
        folder = args.out / path.stem
        autosim.run_to_folder(
            path, folder, n_replications=args.replications, seed=args.seed, overwrite=True
        )
        report = folder / "report.html"
        layout = measure(report)
        screenshot(report, args.out / f"{path.stem}.png")
        if args.full:
            tall = min(int(layout["page_height"]) + 50, 30_000)
            screenshot(report, args.out / f"{path.stem}_full.png", height=tall)
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        layout["recommended"] = (summary.get("portfolio") or {}).get("recommended")
        results[path.stem] = layout
        widest = max(layout["table_right"] or [0])
        print(
            f"{path.stem}: scroll width {layout['scroll_width']} (viewport "
            f"{layout['viewport_width']}), widest table {widest}, recommendation bottom "
            f"{layout['recommendation_bottom']}, page height {layout['page_height']}, "
            f"recommended {layout['recommended']}"
        )
    (args.out / "screens.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
