"""The glossary stays one well-formed, sorted block (branches append to it in parallel)."""

import re
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parent.parent / "reference" / "glossary.md"


def _entries():
    text = GLOSSARY.read_text(encoding="utf-8")
    start = text.index("```{glossary}\n:sorted:\n") + len("```{glossary}\n:sorted:\n")
    end = text.index("\n```", start)
    return [e.strip("\n") for e in re.split(r"\n\s*\n", text[start:end]) if e.strip()]


def test_every_entry_is_terms_then_an_indented_definition():
    for entry in _entries():
        lines = entry.split("\n")
        terms = [line for line in lines if not line.startswith(" ")]
        body = [line for line in lines if line.startswith("  ")]
        assert terms and body, entry[:60]
        # terms come first, then only definition lines: a term after a definition means two
        # entries ran together (Sphinx: "glossary term must be preceded by empty line")
        assert lines[: len(terms)] == terms, entry[:60]


def test_entries_are_sorted_and_unique():
    keys = [e.split("\n")[0].casefold() for e in _entries()]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))
