"""The 汨罗 annexes built from data/miluo-hrss/2023 read exactly like the published seed.

Each built .docx is extracted by the seed's rules (tests/extract.py) and compared
line by line with its part of 000_3be2371918d1ba32.txt. Nothing may differ but
the seed's own accidents, each written down below with its reason; on failure
the test prints the diff.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from annexgen.build import build
from extract import extract_text

REPO = Path(__file__).parent.parent
SEED = (REPO.parent / "shared" / "seeds" / "000_3be2371918d1ba32.txt")
if not SEED.is_file():  # CI clones the repository beside shared/
    SEED = Path("/work/shared/seeds/000_3be2371918d1ba32.txt")

# Where each annex stands in the seed (1-based, inclusive line numbers).
SEGMENTS = {
    "附件1": (1, 210),
    "附件2": (211, 435),
    "附件3-1": (436, 646),
    "附件3-2": (647, 857),
    "附件3-3": (858, 1148),
    # 1149–1153: "", "- 2 -", "", "", "": a page-number footer that leaked into the text, between two annexes
    "附件3-4": (1154, 1354),
    "附件4": (1355, 1448),
    "附件5-1": (1449, 1516),
    "附件5-2": (1517, 1560),
    "附件5-3": (1561, 1638),
    "附件5-4": (1639, 1705),
}

# The seed's accidents: what may differ, and why.
LABEL_SPACE = "a space typed before the 附件N label (' 附件2', ' 附件3-1'…' 附件3-3', ' 附件4'); the form prints the label flush left"
BOOKMARK = "'[bookmark: _Hlk124528175]' (附件4, line 1375) is a Word bookmark the extractor printed, not content"
TRAILING = "empty paragraphs at the end of an annex (附件4: 24, 5-2: 9, 5-3: 15, 5-4: 3) are page filler typed by hand; the build starts each annex on a new page instead"
COVER_SPACING = "the author spaced the project report covers by hand: 5-3 has 25 and 2 empty paragraphs around 部门名称/date, 5-4 has 1 after the date, where 5-1 (the form set's spacing) has 30 and 4"
MISSING_COVER = "附件5-2 (line 1517) lost its 附件5-2 label, its title and the empty paragraphs above its cover line, which also gained a leading space"


def seed_part(key: str) -> list[str]:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    a, b = SEGMENTS[key]
    return lines[a - 1 : b]


def strip_trailing(lines: list[str]) -> list[str]:  # TRAILING
    lines = list(lines)
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def collapse_blank_runs(lines: list[str], until: str) -> list[str]:  # COVER_SPACING
    """Runs of empty lines before the line `until` count as one."""
    out: list[str] = []
    stop = lines.index(until) if until in lines else len(lines)
    for i, line in enumerate(lines):
        if i < stop and line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return out


def normalise(key: str, seed: list[str], built: list[str]) -> tuple[list[str], list[str]]:
    seed = [re.sub(r"^ +(附件\d)", r"\1", line) for line in seed]  # LABEL_SPACE
    seed = [line for line in seed if not re.fullmatch(r"\[bookmark: [^\]]+\]", line)]  # BOOKMARK
    seed, built = strip_trailing(seed), strip_trailing(built)
    if key in ("附件5-3", "附件5-4"):
        seed, built = collapse_blank_runs(seed, "项目支出绩效评价报告"), collapse_blank_runs(built, "项目支出绩效评价报告")
    if key == "附件5-2":  # MISSING_COVER, COVER_SPACING
        seed[0] = seed[0].lstrip()
        built = built[next(i for i, line in enumerate(built) if line.startswith("部 门 名 称")) :]
        seed, built = collapse_blank_runs(seed, "项目支出绩效评价报告"), collapse_blank_runs(built, "项目支出绩效评价报告")
    return seed, built


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("miluo")
    result = build(REPO / "data" / "miluo-hrss" / "2023", out)
    assert not result.stopped
    return {p.name.split(" ")[0]: p for p in result.written}


def test_every_annex_is_built(built) -> None:
    assert sorted(built) == sorted(SEGMENTS)
    assert built["附件3-2"].name == "附件3-2 事业单位人员招聘考试项目支出绩效自评表.docx"


@pytest.mark.parametrize("key", list(SEGMENTS))
def test_annex_reads_like_the_seed(built, key: str) -> None:
    text = extract_text(built[key]).split("\n")[:-1]
    seed, mine = normalise(key, seed_part(key), text)
    diff = "\n".join(difflib.unified_diff(seed, mine, "seed", "built", n=2, lineterm="")).replace("\t", "⇥")
    assert seed == mine, f"{key} differs from the seed:\n{diff}"
