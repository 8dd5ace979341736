"""Check: run the consistency rules over a derived submission and collect findings.

Step 4 of the pipeline (load → model → derive → **check** → render → write).
The rules themselves live in `rules.py`; this module is the machinery: the rule
registry (code, severity, meaning, example message) and the runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from . import targets
from .derive import derive
from .findings import Finding
from .load import Loaded, load
from .profile import DEFAULT, Profile

if TYPE_CHECKING:
    from .forms import FormSet


@dataclass(frozen=True)
class Rule:
    """A consistency rule: a stable code, its severity and what it means (for docs and tests)."""

    code: str
    severity: str
    meaning: str
    example: str
    run: Callable[["Context"], Iterable[Finding]]


RULES: list[Rule] = []
SEVERITY: dict[str, str] = {}  # code → severity of the first rule registered under it


def rule(code: str, severity: str, meaning: str, example: str):
    """Register a rule function under a stable code."""

    def register(fn: Callable[["Context"], Iterable[Finding]]):
        RULES.append(Rule(code, severity, meaning, example, fn))
        SEVERITY.setdefault(code, severity)
        return fn

    return register


class Context:
    """What a rule sees: the derived submission and a way to make located findings."""

    def __init__(self, loaded: Loaded, profile: Profile = DEFAULT) -> None:
        assert loaded.submission is not None
        self.loaded = loaded
        self.sub = loaded.submission
        self.profile = profile  # the chosen form set's (the default one when there is none)
        self.memo: dict = {}  # what several rules compute alike (rules.common.assessment), for this department-year

    @property
    def checklist(self):
        """The 自评基础数据表 (隆回 附件4-1), or None when the submission has none."""
        overall = self.sub.整体自评
        return overall.自评基础数据表 if overall is not None else None

    def finding(self, path: tuple, code: str, message: str, severity: str | None = None) -> Finding:
        sev = severity or SEVERITY[code]
        return self.loaded.finding(path, code, sev, message)


def rules_markdown() -> str:
    """The table of every finding code (docs/rules.md), from the registries themselves."""
    from . import rules  # noqa: F401
    from .load import LOAD_CODES, LOAD_WARNINGS

    sev = {"error": "错误", "warning": "警告"}
    lines = [
        "# 检查规则一览",
        "",
        "`annexgen check` 报告的每一种问题都有一个固定的代码（方括号里的英文）。错误（error）是财政局评审会退回的问题，"
        "警告（warning）是评审会问到、需要说明的问题。本表由 `annexgen.check.rules_markdown()` 生成，测试保证它与程序一致。",
        "",
        "## 数据格式",
        "",
        "| 代码 | 级别 | 含义 | 示例消息 |",
        "|---|---|---|---|",
    ]
    for code, (meaning, example) in LOAD_CODES.items():
        level = "警告" if code in LOAD_WARNINGS else "错误"
        lines.append(f"| `{code}` | {level} | {meaning} | {example} |")
    lines += ["", "## 一致性", "", "| 代码 | 级别 | 含义 | 示例消息 |", "|---|---|---|---|"]
    for r in RULES:
        lines.append(f"| `{r.code}` | {sev[r.severity]} | {r.meaning} | {r.example} |")
    return "\n".join(lines) + "\n"


def review(loaded: Loaded, trusted: Sequence[Path] = ()) -> tuple[list[Finding], FormSet | None]:
    """Derive and check an already loaded department-year against the form set it names.

    Returns every finding, sorted, and that form set (None when there is none).
    `trusted` are the form-set folders the operator named (--forms); the data's own
    folder is never searched.
    """
    from . import rules  # noqa: F401  (registers the rules)

    from .prose import expand_prose
    from .requirements import choose_form_set

    findings = list(loaded.findings)
    targets.forget()
    form_set, about = choose_form_set(loaded, trusted)
    findings.extend(about)
    if loaded.submission is not None:
        profile = form_set.profile if form_set is not None else DEFAULT
        derive(loaded.submission, profile)
        findings.extend(expand_prose(loaded))
        ctx = Context(loaded, profile)
        for r in RULES:
            findings.extend(r.run(ctx))
    return sorted(set(findings)), form_set


def check_loaded(loaded: Loaded, trusted: Sequence[Path] = ()) -> list[Finding]:
    """Derive and check an already loaded department-year; returns all findings, sorted."""
    return review(loaded, trusted)[0]


def check(root: Path, trusted: Sequence[Path] = ()) -> list[Finding]:
    """Load, derive and check one department-year folder."""
    return check_loaded(load(root), trusted)
