"""Reference tables for the docs, generated from the code that defines them.

The README embeds these tables verbatim and a test checks they match, so the documentation of
KPIs, distributions and effectable parameters cannot drift from what the package accepts.
"""

from __future__ import annotations

from autosim.dists import describe_families
from autosim.kpis import catalogue_markdown
from autosim.scenario.effects import EFFECTABLE

__all__ = ["distributions_markdown", "effects_markdown", "kpis_markdown"]


def kpis_markdown() -> str:
    """The KPI catalogue as a Markdown table."""
    return catalogue_markdown()


def distributions_markdown() -> str:
    """Distribution families and their parameters as a Markdown table."""
    rows = ["| dist | parameters | meaning |", "|---|---|---|"]
    rows += [f"| `{f['dist']}` | {f['parameters']} | {f['meaning']} |" for f in describe_families()]
    return "\n".join(rows)


def effects_markdown() -> str:
    """Parameters an automation may change, as a Markdown table."""
    rows = ["| parameter | what changing it means |", "|---|---|"]
    rows += [f"| `{path}` | {meaning} |" for path, meaning in EFFECTABLE.items()]
    return "\n".join(rows)


TABLES = {
    "distributions": distributions_markdown,
    "effects": effects_markdown,
    "kpis": kpis_markdown,
}


def update_readme(path: str = "README.md") -> bool:
    """Rewrite the generated tables between ``<!-- name -->`` markers; True if it changed."""
    import re
    from pathlib import Path

    file = Path(path)
    text = file.read_text(encoding="utf-8")
    new = text
    for name, make in TABLES.items():
        pattern = re.compile(rf"(<!-- {name} -->\n).*?(\n<!-- /{name} -->)", re.S)
        new = pattern.sub(lambda m, make=make: m.group(1) + make() + m.group(2), new)
    if new != text:
        file.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # python -m autosim.scenario.reference: refresh the README's tables
    print("README.md updated" if update_readme() else "README.md already current")
