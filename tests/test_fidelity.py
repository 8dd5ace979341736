"""The annexes built from both example department-years read exactly like the published seeds.

Each built .docx is extracted by the seed's rules (tests/extract.py) and compared
line by line with its part of the seed: data/miluo-hrss/2023 (汨罗 form set) with
000_3be2371918d1ba32.txt, data/longhui-hrss/2024 (隆回 form set) with
003_054a0f482106efb5.txt. Nothing may differ but the seeds' own accidents, each
written down below with its reason; on failure the test prints the diff.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from annexgen.build import build
from extract import extract_text

REPO = Path(__file__).parent.parent
SEEDS = REPO.parent / "shared" / "seeds"  # CI clones the repository beside shared/
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")

# Where each annex stands in the seed (1-based, inclusive line numbers).
LONGHUI = {
    "附件3": (1, 60),
    "附件3-附1": (61, 193),  # the 基础数据表 attached to the report, printed without a label
    "附件4-1": (194, 336),
    "附件4-2": (337, 648),
}
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
BOOKMARK = "'[bookmark: NAME]' (汨罗 line 1375 alone; 隆回 lines 22 and 31 before a paragraph) is a Word bookmark the extractor printed, not content"
LEADING = "隆回: an empty paragraph before the first label (line 1), a space before the 基础数据表 title (line 61), a lone space after the last table (line 648)"
TRAILING = "empty paragraphs at the end of an annex (附件4: 24, 5-2: 9, 5-3: 15, 5-4: 3) are page filler typed by hand; the build starts each annex on a new page instead"
COVER_SPACING = "the author spaced the project report covers by hand: 5-3 has 25 and 2 empty paragraphs around 部门名称/date, 5-4 has 1 after the date, where 5-1 (the form set's spacing) has 30 and 4"
TITLE_WRAP = (
    "a title line wider than the printed line (汨罗 附件4, the first line of 5-3): annexgen breaks it between words "
    "(GB/T 9704 7.3.3; src/annexgen/titles.py); the seed's line holds no break, so Word wrapped it wherever the line ran out"
)
MISSING_COVER = "附件5-2 (line 1517) lost its 附件5-2 label, its title and the empty paragraphs above its cover line, which also gained a leading space"


def seed_part(seed: str, segments: dict, key: str) -> list[str]:
    lines = (SEEDS / seed).read_text(encoding="utf-8").split("\n")
    a, b = segments[key]
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


def join_wrapped_titles(seed: list[str], built: list[str], head: int = 8) -> list[str]:  # TITLE_WRAP
    """Within the first `head` lines, built lines that together spell one seed line exactly become that line."""
    built = list(built)
    for i in range(min(head, len(seed))):
        j = i + 1
        while i < len(built) and built[i] != seed[i] and seed[i].startswith(built[i]) and j < len(built) and seed[i].startswith(built[i] + built[j]):
            built[i : j + 1] = [built[i] + built[j]]
    return built


def normalise(key: str, seed: list[str], built: list[str]) -> tuple[list[str], list[str]]:
    seed = [re.sub(r"^ +(附件\d)", r"\1", line) for line in seed]  # LABEL_SPACE
    seed = [line for line in seed if not re.fullmatch(r"\[bookmark: [^\]]+\]", line)]  # BOOKMARK
    seed = [re.sub(r"^\[bookmark: [^\]]+\]", "", line) for line in seed]  # BOOKMARK
    seed = ["" if re.fullmatch(r" +", line) else line for line in seed]  # LEADING (the lone space)
    while seed and seed[0] == "":  # LEADING
        seed.pop(0)
    if key == "附件3-附1":  # LEADING
        seed[0] = seed[0].lstrip()
    seed, built = strip_trailing(seed), strip_trailing(join_wrapped_titles(seed, built))
    if key in ("附件5-3", "附件5-4"):
        seed, built = collapse_blank_runs(seed, "项目支出绩效评价报告"), collapse_blank_runs(built, "项目支出绩效评价报告")
    if key == "附件5-2":  # MISSING_COVER, COVER_SPACING
        seed[0] = seed[0].lstrip()
        built = built[next(i for i, line in enumerate(built) if line.startswith("部 门 名 称")) :]
        seed, built = collapse_blank_runs(seed, "项目支出绩效评价报告"), collapse_blank_runs(built, "项目支出绩效评价报告")
    return seed, built


CASES = {
    "miluo": ("miluo-hrss/2023", "000_3be2371918d1ba32.txt", SEGMENTS),
    "longhui": ("longhui-hrss/2024", "003_054a0f482106efb5.txt", LONGHUI),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    out = {}
    for name, (data, _seed, _segments) in CASES.items():
        result = build(REPO / "data" / data, tmp_path_factory.mktemp(name))
        assert not result.stopped
        out[name] = {p.name.split(" ")[0]: p for p in result.written}
    return out


def test_every_annex_is_built(built) -> None:
    for name, (_data, _seed, segments) in CASES.items():
        assert sorted(built[name]) == sorted(segments)
    assert built["miluo"]["附件3-2"].name == "附件3-2 事业单位人员招聘考试项目支出绩效自评表.docx"
    assert built["longhui"]["附件4-1"].name == "附件4-1 部门整体支出绩效自评基础数据表.docx"


@pytest.mark.parametrize("case,key", [(c, k) for c, (_d, _s, segs) in CASES.items() for k in segs])
def test_annex_reads_like_the_seed(built, case: str, key: str) -> None:
    _data, seed_file, segments = CASES[case]
    text = extract_text(built[case][key]).split("\n")[:-1]
    seed, mine = normalise(key, seed_part(seed_file, segments, key), text)
    diff = "\n".join(difflib.unified_diff(seed, mine, "seed", "built", n=2, lineterm="")).replace("\t", "⇥")
    assert seed == mine, f"{case} {key} differs from the seed:\n{diff}"
