"""Mutation fuzz: random edits of the example department-years never end in a traceback.

The seed is printed; replay a failure with ANNEXGEN_FUZZ_SEED=<seed> python3 -m pytest tests/test_fuzz.py.
Mutations: replace a value (numbers as people write them, escapes, expressions, tags), delete,
duplicate or swap lines, retype digits, insert stray characters (tabs, control characters,
full-width spaces, quotes, tag braces, emoji); every 40th case is also built.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

from annexgen.build import build
from annexgen.check import check
from annexgen.errors import AnnexgenError
from annexgen.findings import Finding

REPO = Path(__file__).parent.parent
SOURCES = [REPO / "data" / "miluo-hrss" / "2023", REPO / "data" / "longhui-hrss" / "2024", REPO / "data" / "example-county" / "2024"]
VALUES = ["~", "0", "-5", '"x"', "[]", "{}", "true", "100%", "0.0", "12万", "2024-02-30", '"≥0人"', '"0%"', '"≤0万元"', "1e999", ".5", "[1, 2, 3, 4]", "&a x", "*a",
          '"\\x07"', "１２．５", '"1,234.5"', "—", "'{{ 年度 }}'", "'{{ 不存在 }}'", "'{% for i in range(3) %}x{% endfor %}'", "0731", "1:20", "!!str 5", "|\n  多行"]
NOISE = ["\t", "\x07", "\u3000", "：", "\ufeff", "#", "'", '"', "{{", "}}", "- ", ": ", "\u2028", "😀"]
CASES = int(os.environ.get("ANNEXGEN_FUZZ_CASES", "2000"))
BUILD_EVERY = 40  # every so many cases, also render and write the annexes


def mutate(lines: list[str], rng: random.Random) -> list[str]:
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.35 and ": " in lines[i]:
            key = lines[i].partition(": ")[0]
            lines[i] = f"{key}: {rng.choice(VALUES)}"
        elif op < 0.5 and len(lines) > 1:
            del lines[i]
        elif op < 0.65:
            lines.insert(i, lines[i])
        elif op < 0.8:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op < 0.9:
            lines[i] = lines[i].replace(rng.choice("0123456789"), rng.choice("0123456789.-"))
        else:
            at = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:at] + rng.choice(NOISE) + lines[i][at:]
    return lines


def test_mutations_never_raise(tmp_path: Path) -> None:
    seed = int(os.environ.get("ANNEXGEN_FUZZ_SEED", random.SystemRandom().randrange(10**6)))
    print(f"fuzz seed {seed} ({CASES} cases)")
    rng = random.Random(seed)
    for case in range(CASES):
        root = tmp_path / f"case{case}"
        shutil.copytree(rng.choice(SOURCES), root)
        file = rng.choice(sorted(root.rglob("*.yaml")))
        lines = mutate(file.read_text(encoding="utf-8").splitlines(), rng)
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            if case % BUILD_EVERY == 0:
                findings = build(root, tmp_path / f"out{case}").findings
            else:
                findings = check(root)
        except AnnexgenError:
            pass  # a located, Chinese message for the CLI to print (a broken form set, say)
        except Exception as e:  # pragma: no cover - the failure this test exists to catch
            raise AssertionError(f"seed {seed}, case {case}, {file.relative_to(root)}: {e!r}") from e
        else:
            assert all(isinstance(f, Finding) and f.line >= 1 and f.column >= 1 for f in findings)
        shutil.rmtree(root)
