"""Rewrite the generated data dictionary in data/README.md from data/datapackage.json."""

from pathlib import Path

from kzunrest.datadict import BEGIN, END, data_dictionary

README = Path(__file__).resolve().parents[1] / "data" / "README.md"

text = README.read_text(encoding="utf-8")
before, rest = text.split(BEGIN, 1)
_, after = rest.split(END, 1)
README.write_text(before + data_dictionary().rstrip("\n") + after, encoding="utf-8")
print(f"updated {README}")
