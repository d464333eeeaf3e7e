"""The data dictionary, generated from ``datapackage.json`` so it cannot drift from the schemas.

``data/README.md`` holds it between two marker lines; a test checks that it is current
(regenerate with ``make datadict``).
"""

from __future__ import annotations

from pathlib import Path

from .data import read_descriptor, resolve_data_dir
from .tablecheck import read_rows

BEGIN = "<!-- BEGIN GENERATED DATA DICTIONARY (make datadict) -->"
END = "<!-- END GENERATED DATA DICTIONARY -->"


def _rules(field: dict) -> str:
    constraints = field.get("constraints", {})
    rules = ["required" if constraints.get("required") else "optional"]
    if "enum" in constraints:
        rules.append("one of: " + ", ".join(f"`{v}`" for v in constraints["enum"]))
    if "minimum" in constraints:
        rules.append(f"≥ {constraints['minimum']}")
    if "maximum" in constraints:
        rules.append(f"≤ {constraints['maximum']}")
    if "pattern" in constraints:
        rules.append(f"matches `{constraints['pattern']}`")
    if "maxLength" in constraints:
        rules.append(f"at most {constraints['maxLength']} characters")
    return "; ".join(rules)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _examples(path: Path) -> dict[str, str]:
    """The first non-empty value of each column: examples are real rows, never made up."""
    examples: dict[str, str] = {}
    for row in read_rows(path):
        for column, value in row.items():
            if value and column not in examples:
                examples[column] = value if len(value) <= 60 else value[:57] + "..."
    return examples


# Headings of the vocabularies in the dictionary (the field descriptions refer to them).
VOCABULARY_TITLES = {
    "number_precision": "Precision of a number (claims, claim checks)",
    "date_precision": "Precision of a date (claims, claim checks)",
    "standing": "Standing of a report (claim checks)",
    "measures": "What a report measures (claim checks)",
    "verdict": "Verdicts of the claims ledger (computed, not stored)",
    "detention_measure": "What a detention count counts (detentions)",
    "count_precision": "Precision of a detention count (detentions)",
    "region": "Regions of January 2022 (protest spread, key events, detentions)",
    "activity": "Activities, least to most serious (protest spread)",
    "date_basis": "Basis of a protest date (protest spread)",
    "event_kind": "Kinds of key event (key events; `marked` ones are drawn on timelines)",
    "affiliation": "Affiliations (arrests and dismissals)",
    "action": "Actions (arrests and dismissals)",
    "action_date_precision": "Precision of an action's date (arrests and dismissals)",
    "toll_event": "Events compared (death tolls)",
    "toll_category": "Who is counted (death tolls)",
    "reporter_kind": "Kinds of reporter (death tolls, detentions)",
    "source_kind": "Kinds of source (sources)",
    "claim_kind": "Kinds of claim (claims)",
    "scope": "Scope of a count (detentions)",
    "map_shading": "Map shading (computed, not stored)",
}


def _reading(entry: dict) -> str:
    marked = "drawn on the timelines" if entry.get("marked") else ""
    return "; ".join(part for part in (entry.get("reading", ""), marked) if part)


def _vocabularies(descriptor: dict) -> list[str]:
    """One table per vocabulary: the value, the reader's word, how the project reads it."""
    lines = ["### Vocabularies", "",
             "Allowed values with the words the report shows for them and how each is read. "
             "They live in `datapackage.json` under `vocabularies`; code reads them from there.", ""]
    for name, entries in descriptor.get("vocabularies", {}).items():
        lines += [f"#### {VOCABULARY_TITLES.get(name, name)}", "",
                  "| value | shown as | reading |", "|---|---|---|"]
        lines += [f"| `{value}` | {_cell(entry['label'])} | {_cell(_reading(entry))} |"
                  for value, entry in entries.items()]
        lines.append("")
    return lines


def data_dictionary(data_dir: str | Path | None = None) -> str:
    directory = resolve_data_dir(data_dir)
    descriptor = read_descriptor(directory)
    lines = [BEGIN, ""] + _vocabularies(descriptor)
    for resource in descriptor["resources"]:
        schema = resource["schema"]
        examples = _examples(directory / resource["path"])
        lines += [f"### `{resource['path']}` — {resource['title']}", "", resource["description"], "",
                  f"Primary key: {', '.join(f'`{k}`' for k in schema['primaryKey'])}."]
        if schema.get("foreignKeys"):
            lines.append("Every `source_id` must be a `source_id` in `sources.csv`.")
        lines += ["", "| column | type | rules | meaning | example |", "|---|---|---|---|---|"]
        for field in schema["fields"]:
            lines.append(f"| `{field['name']}` | {field['type']} | {_cell(_rules(field))} | "
                         f"{_cell(field.get('description', ''))} | {_cell(examples.get(field['name'], ''))} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"
