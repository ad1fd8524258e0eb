#!/usr/bin/env python3
"""Prints the encoding groups of the A64 decoder table that have entries
worth a differential test, one per line, by scanning the group sources.

Only used to name one meson test per group; the difftest-other test runs
whatever this scan misses, so a heuristic is enough here."""
import pathlib
import re
import sys

# An entry: { "NAME", "group", P(...), ... } written out, or inside an
# entry-making macro, where the name is the macro parameter `name` and
# lines end in backslashes.
WS = r'[\s\\]*'
ENTRY = re.compile(r'\{' + WS + r'(?:"[^"]+"|\bname)' + WS + ',' + WS + r'"([^"]+)"' + WS + ','
                   + WS + r'P\((.*?)\}', re.S)
EXCLUDED = re.compile(r'\bkSys\b|kInsnSystem|kInsnNoDifftest')

GROUP_CONST = re.compile(r'kGroup\s*=\s*"([^"]+)"')

groups = set()
for src in sorted(pathlib.Path(sys.argv[1]).glob("*.cpp")):
    text = src.read_text()
    for m in ENTRY.finditer(text):
        if not EXCLUDED.search(m.group(2)):
            groups.add(m.group(1))
    # Files that name their group once in a constant.
    groups.update(GROUP_CONST.findall(text))
print("\n".join(sorted(groups)))
