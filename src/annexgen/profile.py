"""A form set's profile: the scoring, review thresholds and labels its 表样.yaml declares.

What varies between provinces and counties, beyond the templates (DOMAIN.md, "Form
sets across China"): the weights of the 一级指标, the execution-rate score and its
cap, the scoring of reverse (≤) indicators, the grade bands, what a reviewer asks
about, the annex numbering style and some printed labels. It is data in the
manifest, validated with located messages like the department-year files; the
rules and `derive` read it (`Profile`), never module constants. Every key may be
left out: the defaults are the national guidance as the 汨罗 set applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .model import Form, Text
from .values import Score

Grade = Literal["优", "良", "中", "差"]
REVERSE_RULES = ("比例", "线性")
#: the labels a profile may rename (printed in the templates and named in messages)
LABELS = ("年度资金总额", "当年财政拨款", "上年结转资金", "其他资金", "年初预算数", "全年预算数", "全年执行数")


class RateScore(Form):
    """预算执行率的计分：分值 × min(执行率, 上限)。"""

    计分: Literal["比例"] = Field("比例", description="比例：得分 = 分值 × 执行率（执行率超过上限按上限计）")
    上限: Score = Field(Decimal(100), description="执行率按此百分数封顶计分，通常为 100（执行率本身照实印出，超过 100% 另行提醒）")

    @field_validator("上限")
    @classmethod
    def _cap(cls, cap: Decimal) -> Decimal:
        if not 0 < cap <= 100:
            raise PydanticCustomError("rate_cap", "上限应大于 0、不超过 100（得分不能超过分值），通常为 100，现为 {got}", {"got": str(cap)})
        return cap


class Scoring(Form):
    """评分：分值、执行率计分、反向指标计分、等级。"""

    预算执行率: Optional[Score] = Field(None, description="预算执行率的分值，如 10；不写则为 100 减各指标分值之和")
    一级指标: dict[Text, Score] = Field(default_factory=dict, description="各一级指标的分值，如 产出指标: 50；表上印的“产出指标(50分)”应与之一致")
    执行率得分: RateScore = Field(default_factory=RateScore)
    反向指标: Literal["比例", "线性"] = Field(
        "比例",
        description="越低越好（≤）的定量指标未达标时的得分：比例 = 分值 × 目标/实际；线性 = 分值 × (1 − (实际 − 目标)/目标)，实际达两倍目标时为 0",
    )
    等级: dict[Grade, Score] = Field(
        default_factory=lambda: {"优": Decimal(90), "良": Decimal(80), "中": Decimal(60), "差": Decimal(0)},
        description="各等级的最低总分，如 优: 90、良: 80、中: 60、差: 0",
    )

    @field_validator("一级指标")
    @classmethod
    def _groups(cls, weights: dict) -> dict:
        names = ["".join(k.split()) for k in weights]
        if any(not n for n in names):
            raise PydanticCustomError("group_name", "一级指标的名称不能为空：写表上印的名称，如 产出指标: 50")
        for a in names:
            for b in names:
                if a != b and b.startswith(a):
                    raise PydanticCustomError("group_name", "一级指标“{a}”是“{b}”的开头，表上的“{b}”分不清属于哪一个：请写完整的名称", {"a": a, "b": b})
        return weights

    @model_validator(mode="after")
    def _hundred(self) -> "Scoring":
        if self.预算执行率 is not None and self.一级指标:
            total = self.预算执行率 + sum(self.一级指标.values(), Decimal(0))
            if total != 100:
                raise PydanticCustomError("weights_total", "预算执行率与各一级指标的分值合计应为 100，现为 {got}：请改正评分中的分值", {"got": format(total, "f")})
        return self

    @field_validator("等级")
    @classmethod
    def _bands(cls, bands: dict) -> dict:
        order = [g for g in ("优", "良", "中", "差") if g in bands]
        if order != list(bands) or set(bands) != {"优", "良", "中", "差"}:
            raise PydanticCustomError("grade_bands", "等级应依次写 优、良、中、差 四项，每项写该等级的最低总分")
        lows = [bands[g] for g in order]
        if any(a <= b for a, b in zip(lows, lows[1:])) or lows[-1] != 0 or lows[0] > 100:
            raise PydanticCustomError("grade_bands", "等级的最低总分应从高到低排列、不超过 100（如 优 90、良 80、中 60），差 为 0")
        return bands


class Review(Form):
    """审核提醒的界限：评审会问到、需要说明的情况。"""

    预算调整幅度: Score = Field(Decimal(30), description="全年预算数比年初预算数增减超过此百分数时提醒说明原因")
    执行率下限: Score = Field(Decimal(90), description="执行率低于此百分数时提醒说明原因（不超过 100）")
    扣分需说明: Score = Field(Decimal(0), description="扣分超过此分数时，偏差原因分析及改进措施必须填写；0 表示扣分即须说明")
    指标偏离: Optional[Score] = Field(None, description="定量指标实际完成值超出年度指标值此百分数以上时提醒（指标偏离，说明目标是否定得过低）；不写则不提醒")

    @field_validator("执行率下限")
    @classmethod
    def _low(cls, low: Decimal) -> Decimal:
        if low > 100:
            raise PydanticCustomError("low_rate", "执行率下限是百分数，不能大于 100，现为 {got}", {"got": format(low, "f")})
        return low


class ProfileKeys(Form):
    """表样.yaml 中 附件 以外的键（都可不写）。"""

    附件编号: Literal["数字", "汉字"] = Field("数字", description="附件号的写法：数字（附件1、附件3-1）或 汉字（附件一、附件三-1）")
    评分: Scoring = Field(default_factory=Scoring)
    审核: Review = Field(default_factory=Review)
    标签: dict[Literal[LABELS], Text] = Field(default_factory=dict, description="表上印的名称与通用名称不同时写，如 当年财政拨款: 本年财政拨款")  # type: ignore[valid-type]

    @field_validator("标签")
    @classmethod
    def _labels(cls, labels: dict) -> dict:
        for name, printed in labels.items():
            shown = "".join(str(printed).split())
            if not shown:
                raise PydanticCustomError("label", "“{name}”印作什么没有写：不改名就删去这一行", {"name": name})
            if shown in LABELS and shown != name:
                raise PydanticCustomError("label", "“{name}”不能印作“{shown}”：那是表上另一栏的名称，两栏会分不清", {"name": name, "shown": shown})
        return labels


@dataclass(frozen=True)
class Profile:
    """What the rules and `derive` read of a form set; `DEFAULT` is the one of a manifest that writes no profile key.

    The defaults live once, in the manifest's model (`ProfileKeys`); this is their plain view.
    """

    rate_weight: Decimal | None
    weights: dict[str, Decimal]
    rate_cap: Decimal
    reverse: str
    grades: tuple[tuple[str, Decimal], ...]
    adjust_limit: Decimal
    low_rate: Decimal
    reason_over: Decimal
    deviation: Decimal | None
    numbering: str
    labels: dict[str, str]
    name: str

    @classmethod
    def of(cls, keys: ProfileKeys, name: str) -> "Profile":
        s, r = keys.评分, keys.审核
        return cls(
            rate_weight=s.预算执行率,
            weights=dict(s.一级指标),
            rate_cap=s.执行率得分.上限,
            reverse=s.反向指标,
            grades=tuple(s.等级.items()),
            adjust_limit=r.预算调整幅度,
            low_rate=r.执行率下限,
            reason_over=r.扣分需说明,
            deviation=r.指标偏离,
            numbering=keys.附件编号,
            labels=dict(keys.标签),
            name=name,
        )

    def grade(self, score: Decimal) -> str:
        """The grade of a total score by this profile's bands (default 优 ≥ 90 · 良 ≥ 80 · 中 ≥ 60 · 差)."""
        for name, low in self.grades:
            if score >= low:
                return name
        return self.grades[-1][0]

    def bands_text(self) -> str:
        """'优 90 分及以上、良 80–89.99…' in short: 优 ≥90、良 ≥80、中 ≥60、差 <60."""
        parts = [f"{name} ≥{low}" for name, low in self.grades[:-1]]
        return "、".join(parts + [f"{self.grades[-1][0]} <{self.grades[-2][1]}"])

    def label(self, name: str) -> str:
        """The printed label of a row or column (当年财政拨款 → 本年财政拨款 where the profile says so)."""
        return self.labels.get(name, name)

    def weight_of(self, group_name: str) -> tuple[str, Decimal] | None:
        """(profile key, weight) of a 一级指标 by the start of its printed name ("产出指标\\n(30分)" → 产出指标)."""
        flat = "".join(group_name.split())
        for key, weight in self.weights.items():
            if flat.startswith("".join(key.split())):
                return key, weight
        return None


DEFAULT = Profile.of(ProfileKeys(), "")

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (annex numbers stay below 100)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def annex_label(number: str, numbering: str) -> str:
    """The number printed after 附件: as written (数字), or its leading number in Chinese (汉字: 3-1 → 三-1)."""
    if numbering != "汉字":
        return number
    head = ""
    for ch in number:
        if not ch.isdigit():
            break
        head += ch
    if not head or len(head) > 2:
        return number
    return chinese_numeral(int(head)) + number[len(head) :]
