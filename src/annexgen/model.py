"""Model: everything the annexes contain, typed, with Decimal amounts.

Step 2 of the pipeline (load → **model** → derive → check → render → write).
Field names are the labels the paper forms print (Chinese), so a clerk who
knows the form recognises each key; where a label has punctuation that cannot
be a Python name, the model field carries the printed label as its alias.

Blank versus left out: a key written as ``~`` is a cell the form prints blank;
a key left out is a figure annexgen computes (see ``derive``). Pydantic's
``model_fields_set`` tells the two apart.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from .values import Amount, Answer, Count, Date, Percent, Score, SignedAmount, Text, source_text


class Form(BaseModel):
    """Base of every part of the format: unknown keys are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=False)

    def written(self, name: str) -> bool:
        """True when the author wrote this key (even as ~), False when it was left out."""
        return name in self.model_fields_set


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        raise PydanticCustomError(
            "year_type", "年度应为四位整数年份，如 2023，现为“{got}”", {"got": source_text(value)}
        )
    return int(value)


Year = Annotated[int, PlainValidator(_year), WithJsonSchema({"type": "integer", "minimum": 1990, "maximum": 2100})]

SignedRow = Annotated[
    list[Optional[SignedAmount]],
    Field(min_length=3, max_length=3, description="一行三个数：[上年决算数, 本年预算数, 本年决算数]（万元），调减写负数；表上空白写 ~"),
]
Row = Annotated[
    list[Optional[Amount]],
    Field(
        min_length=3,
        max_length=3,
        description="一行三个数：[上年决算数, 本年预算数, 本年决算数]（万元）；表上空白写 ~",
    ),
]


# --- 部门.yaml ---------------------------------------------------------------


class Signature(Form):
    """表格下方的签字行：填表人、填报日期、联系电话、单位负责人签字。"""

    填表人: Optional[Text] = None
    填报日期: Optional[Date] = Field(None, description="填报日期，如 2024-10-17；也印在报告封面上")
    联系电话: Optional[Text] = Field(None, description="联系电话；请加引号，以免开头的 0 丢失")
    单位负责人: Optional[Text] = Field(None, description="单位负责人签字")


class Department(Form):
    """部门.yaml：部门名称、年度、表样和签字行。"""

    部门名称: Text = Field(description="预算部门（单位）全称，如 汨罗市人力资源和社会保障局")
    年度: Year = Field(description="自评的预算年度（财政年度），如 2023")
    表样: Text = Field(description="表样（各县财政局下发的附件格式）名称，如 全国、汨罗、隆回")
    签字: Optional[Signature] = Field(None, description="每张表下方的签字行；不印签字行的表样可不写")


# --- 基础数据表.yaml -----------------------------------------------------------


class Staffing(Form):
    """财政供养人员情况（人）。"""

    编制数: Optional[Count] = None
    实际在职人数: Optional[Count] = None
    控制率: Optional[Percent] = Field(None, description="控制率 = 实际在职人数 / 编制数；不写则自动计算")


class YearLabels(Form):
    """表头里印的年份。不写则按年度推算；写了则照印，并检查是否与年度一致。"""

    实际在职人数: Optional[Year] = Field(None, description="“2023年实际在职人数”中的年份，应为本年度")
    经费控制情况: Optional[Annotated[list[Year], Field(min_length=3, max_length=3)]] = Field(
        None, description="三列表头的年份 [上年决算, 本年预算, 本年决算]，如 [2022, 2023, 2023]"
    )
    楼堂馆所控制情况: Optional[Year] = Field(None, description="“(2023年完工项目)”中的年份，应为本年度")


class SpecialFund(Form):
    """县级专项资金中的一个专项（每个专项一行）。"""

    名称: Text
    金额: Row


class FundControl(Form):
    """经费控制情况（万元）。每行三个数；整行不写的合计行自动计算。"""

    三公经费: Optional[Row] = Field(None, description="“三公”经费 = 公务用车购置和维护经费 + 出国经费 + 公务接待")
    公务用车购置和维护经费: Optional[Row] = Field(None, description="= 公车购置 + 公车运行维护")
    公车购置: Optional[Row] = None
    公车运行维护: Optional[Row] = None
    出国经费: Optional[Row] = None
    公务接待: Optional[Row] = None
    项目支出: Optional[Row] = Field(
        None, description="项目支出合计（隆回表样印作“县级专项资金：”）= 业务工作经费 + 运行维护经费 + 县级专项资金"
    )
    业务工作经费: Optional[Row] = None
    运行维护经费: Optional[Row] = None
    县级专项资金: Optional[Row] = Field(None, description="“3、县级专项资金”= 专项明细各行之和")
    专项明细: list[SpecialFund] = Field(default_factory=list, description="县级专项资金明细，每个专项一行")
    公用经费: Optional[Row] = None
    办公经费: Optional[Row] = Field(None, description="其中：办公经费")
    水费电费差旅费: Optional[Row] = Field(None, alias="水费、电费、差旅费")
    会议费培训费: Optional[Row] = Field(None, alias="会议费、培训费")
    政府采购金额: Optional[Row] = None
    部门基本支出预算调整: Optional[SignedRow] = None


class BuildingControl(Form):
    """楼堂馆所控制情况（本年完工项目）。"""

    批复规模: Optional[Amount] = Field(None, description="批复规模（m²）")
    实际规模: Optional[Amount] = Field(None, description="实际规模（m²）")
    规模控制率: Optional[Percent] = None
    预算投资: Optional[Amount] = Field(None, description="预算投资（万元）")
    实际投资: Optional[Amount] = Field(None, description="实际投资（万元）")
    投资概算控制率: Optional[Percent] = None


class BasicData(Form):
    """基础数据表.yaml：部门整体支出绩效评价基础数据表。"""

    标题: Optional[Text] = Field(None, description="表的标题；不写则由表样按年度生成，写了则照印")
    年度标签: YearLabels = Field(default_factory=YearLabels)
    财政供养人员情况: Staffing
    经费控制情况: FundControl
    楼堂馆所控制情况: Optional[BuildingControl] = None
    厉行节约保障措施: Optional[Text] = None
    表注: list[Text] = Field(default_factory=list, description="表下方印的说明文字，每项一段，照印")


# --- 整体自评.yaml / 项目/*.yaml: the self-evaluation tables ---------------------


class FundLine(Form):
    """一行资金：年初预算数、全年预算数、全年执行数，及该行的分值、执行率、得分。"""

    年初预算数: Optional[Amount] = None
    全年预算数: Optional[Amount] = Field(None, description="全年预算数（含年中调整）")
    全年执行数: Optional[Amount] = None
    分值: Optional[Score] = Field(None, description="预算执行率的分值，通常为 10")
    执行率: Optional[Percent] = Field(None, description="执行率 = 全年执行数 / 全年预算数；不写则自动计算")
    得分: Optional[Score] = Field(None, description="= 分值 × min(执行率, 100%)；不写则自动计算")


class BySource(Form):
    """按收入性质分（万元）。"""

    一般公共预算: Optional[Amount] = None
    政府性基金拨款: Optional[Amount] = None
    纳入专户管理的非税收入拨款: Optional[Amount] = None
    其他资金: Optional[Amount] = None


class ByNature(Form):
    """按支出性质分（万元）。"""

    基本支出: Optional[Amount] = None
    项目支出: Optional[Amount] = Field(None, description="项目支出（隆回表样印作“县级专项资金”）")


class Goals(Form):
    """年度总体目标：预期目标与实际完成情况。"""

    预期目标: Optional[Text] = None
    实际完成情况: Optional[Text] = None


class Indicator(Form):
    """三级指标一行。"""

    名称: Optional[Text] = Field(None, description="三级指标")
    年度指标值: Optional[Text] = Field(None, description="如 ≥1500次、≤100万元、100%、有所提升")
    实际完成值: Optional[Text] = None
    分值: Optional[Score] = None
    得分: Optional[Score] = None
    偏差原因分析及改进措施: Optional[Text] = None
    其后空行: int = Field(0, ge=0, le=20, description="此行之后表上印出的空白行数（照原表）")


class SubGroup(Form):
    """二级指标及其三级指标。"""

    名称: Optional[Text] = Field(None, description="二级指标，如 数量指标")
    三级指标: list[Indicator]


class Group(Form):
    """一级指标及其二级指标。名称照表上印，含分值，如 产出指标(30分)。"""

    名称: Text = Field(description="一级指标，照表上印，如 产出指标(30分)；括号里的分值应等于本组分值之和")
    二级指标: list[SubGroup]


class Total(Form):
    """总分行。不写则自动合计。"""

    分值: Optional[Score] = None
    得分: Optional[Score] = None


class SelfEvalTable(Form):
    """部门整体支出绩效自评表。"""

    标题: Optional[Text] = None
    年度资金总额: FundLine
    当年财政拨款: Optional[FundLine] = Field(None, description="其中：当年财政拨款（全国表样在年度资金总额下印这三行，汨罗、隆回不印）；写了则与上年结转资金、其他资金之和应等于年度资金总额")
    上年结转资金: Optional[FundLine] = None
    其他资金: Optional[FundLine] = None
    按收入性质分: BySource = Field(default_factory=BySource)
    按支出性质分: ByNature = Field(default_factory=ByNature)
    年度总体目标: Goals = Field(default_factory=Goals)
    绩效指标: list[Group]
    总分: Total = Field(default_factory=Total)
    表注: list[Text] = Field(default_factory=list)


# --- 自评基础数据表 (the 隆回 checklist, 附件4-1) ---------------------------------


class Income(Form):
    """年度收入（万元）。"""

    县财政预算安排: Optional[Amount] = None
    非税收入: Optional[Amount] = None
    中央省市安排资金: Optional[Amount] = None
    其他收入: Optional[Amount] = None
    合计: Optional[Amount] = None


class Spending(Form):
    """年度支出（万元）。"""

    基本支出: Optional[Amount] = None
    项目支出: Optional[Amount] = None
    合计: Optional[Amount] = None
    其中三公经费支出: Optional[Amount] = None


class ChecklistBasics(Form):
    """基本情况。"""

    编制人数: Optional[Count] = None
    实有人数: Optional[Count] = None
    部门职能概述: Optional[Text] = None
    年度收入: Income = Field(default_factory=Income)
    年度支出: Spending = Field(default_factory=Spending)


class StaffControl(Form):
    是否存在超编超配人员: Optional[Answer] = None


class SangongManagement(Form):
    是否制定三公经费管理办法: Optional[Answer] = Field(None, alias="是否制定“三公”经费管理办法")
    招待费用是否明确招待标准和招待人数: Optional[Answer] = None
    公务用车购置运行费是否比上年度下降: Optional[Answer] = None
    三公经费是否比年度下降: Optional[Answer] = None


class NonTaxIncome(Form):
    年度非税收入是否完成: Optional[Answer] = None
    是否实行收支两条线管理: Optional[Answer] = None
    有无截留坐支转移等现象: Optional[Answer] = Field(None, alias="有无截留、坐支、转移等现象")


class Procurement(Form):
    年度是否制定了政府采购计划: Optional[Answer] = None
    应采购金额: Optional[Amount] = None
    实际采购金额: Optional[Amount] = None


class Disclosure(Form):
    """公开方式。"""

    门户网站: Optional[Answer] = None
    单位内部: Optional[Answer] = None
    其它: Optional[Answer] = None


class BudgetExecution(Form):
    本年度是否追加了预算: Optional[Answer] = None
    本年度是否有结余: Optional[Answer] = None
    结余金额: Optional[Amount] = None
    预决算信息是否公开: Optional[Answer] = None
    公开时间: Optional[Text] = Field(None, description="如 预算：2024 年 3 月 11日，照印")
    公开方式: Disclosure = Field(default_factory=Disclosure)


class PerformanceManagement(Form):
    部门预算和专项资金是否编制绩效目标: Optional[Answer] = None
    是否开展绩效运行监控: Optional[Answer] = None
    是否开展绩效评价: Optional[Answer] = None
    年度绩效目标和绩效评价报告是否信息公开: Optional[Answer] = None
    上年度绩效评价反馈的问题是否整改到位: Optional[Answer] = None
    绩效监控发现的问题是否及时纠正: Optional[Answer] = None


class FinancialManagement(Form):
    会计机构或会计人员是否按规定设置: Optional[Answer] = None
    会计核算是否严格执行政府会计制度准则: Optional[Answer] = None
    是否制定财务管理会计核算等制度: Optional[Answer] = Field(None, alias="是否制定财务管理、会计核算等制度")
    内部控制报告编制是否规范: Optional[Answer] = None
    会计人员是否具备从事会计工作所需要的专业能力: Optional[Answer] = None


class FundManagement(Form):
    是否制定资金管理办法: Optional[Answer] = None
    资金拨付有完整的审批程序: Optional[Answer] = None
    资金使用是否存在违规使用资金乱发津补贴奖金现象: Optional[Answer] = Field(
        None, alias="资金使用是否存在违规使用资金、乱发津补贴奖金现象"
    )


class AssetManagement(Form):
    是否制定资产管理制度: Optional[Answer] = None
    资产管理保存处置是否合理规范: Optional[Answer] = Field(None, alias="资产管理、保存、处置是否合理规范")
    资产是否产权清晰两证齐全: Optional[Answer] = Field(None, alias="资产是否产权清晰、两证齐全")
    账表实卡是否相符: Optional[Answer] = Field(None, alias="账、表、实、卡是否相符")


class DutyPerformance(Form):
    重点工作是否全部完成且质量达标: Optional[Answer] = None


class Implementation(Form):
    """实施情况：是☑/否□ 的勾选，true 为是（有），false 为否（无）。"""

    财政供养人员控制情况: StaffControl = Field(default_factory=StaffControl)
    三公经费管理情况: SangongManagement = Field(default_factory=SangongManagement)
    非税收入完成情况: NonTaxIncome = Field(default_factory=NonTaxIncome)
    政府采购及金额: Procurement = Field(default_factory=Procurement)
    预算执行: BudgetExecution = Field(default_factory=BudgetExecution)
    预算绩效管理: PerformanceManagement = Field(default_factory=PerformanceManagement)
    财务管理: FinancialManagement = Field(default_factory=FinancialManagement)
    资金管理: FundManagement = Field(default_factory=FundManagement)
    资产管理: AssetManagement = Field(default_factory=AssetManagement)
    职责履行: DutyPerformance = Field(default_factory=DutyPerformance)


Grade = Literal["优", "良", "中", "差"]


class Checklist(Form):
    """部门整体支出绩效自评基础数据表（隆回表样 附件4-1）。"""

    标题: Optional[Text] = None
    基本情况: ChecklistBasics = Field(default_factory=ChecklistBasics)
    实施情况: Implementation = Field(default_factory=Implementation)
    部门主要绩效: Optional[Text] = None
    自评结论: Optional[Grade] = Field(None, description="优（90–100分）、良（80–89）、中（60–79）、差（60以下）；不写则按总分推算")
    问题与建议: Optional[Text] = None
    主管部门意见: Optional[Text] = None
    表注: list[Text] = Field(default_factory=list)


class Overall(Form):
    """整体自评.yaml：部门整体支出绩效自评表，及（部分表样有的）自评基础数据表。"""

    部门整体支出绩效自评表: SelfEvalTable
    自评基础数据表: Optional[Checklist] = None


# --- narrative reports ---------------------------------------------------------

# A block of a report body: a paragraph (text), or a heading written as a
# one-key mapping whose value is the list of blocks under it.
Block = TypeAliasType("Block", Union[str, dict[str, Optional[list["Block"]]]])  # type: ignore[misc]


class Cover(Form):
    """报告封面。写了此项即印封面；其中不写的内容取部门名称与填报日期。"""

    部门名称: Optional[Text] = None
    日期: Optional[Date] = None


class Report(Form):
    """一份自评报告：标题、封面、正文（标题连同编号照写，如“一、部门基本情况”）。"""

    标题: Optional[Text] = Field(None, description="报告标题；不写则由表样生成，写了则照印（换行处写 \\n）")
    封面: Optional[Cover] = None
    副标题: Optional[Text] = Field(None, description="正文前的标题，如 项目支出绩效评价报告")
    正文: list[Block] = Field(
        description="正文：一段文字是一项；标题写成“标题: [其下内容]”，标题连同编号照写"
    )
    附件清单: list[Text] = Field(default_factory=list, description="报告末尾“附件：1.…”所列各项，不含编号")


class Project(Form):
    """项目/*.yaml：一个项目的项目支出绩效自评表及其自评报告。文件名前的数字定附件序号。"""

    项目名称: Text
    主管部门: Optional[Text] = Field(None, description="不写则为部门名称")
    实施单位: Optional[Text] = Field(None, description="不写则为部门名称")
    标题: Optional[Text] = None
    项目资金: "ProjectFunds"
    年度总体目标: Goals = Field(default_factory=Goals)
    绩效指标: list[Group]
    总分: Total = Field(default_factory=Total)
    表注: list[Text] = Field(default_factory=list)
    自评报告: Optional[Report] = None


class ProjectFunds(Form):
    """项目资金（万元）：年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金，三列分别相加。"""

    年度资金总额: FundLine
    当年财政拨款: FundLine = Field(default_factory=FundLine)
    上年结转资金: FundLine = Field(default_factory=FundLine)
    其他资金: FundLine = Field(default_factory=FundLine)


Project.model_rebuild()


class SelfReport(Form):
    """自评报告.yaml：部门整体支出绩效自评报告。"""

    部门整体支出绩效自评报告: Report


# --- the whole department-year --------------------------------------------------

#: file name → (model field, model class); the folder layout of one department-year
FILES: dict[str, tuple[str, type[Form]]] = {
    "部门.yaml": ("部门", Department),
    "基础数据表.yaml": ("基础数据表", BasicData),
    "整体自评.yaml": ("整体自评", Overall),
    "自评报告.yaml": ("自评报告", SelfReport),
}
PROJECT_DIR = "项目"
REQUIRED_FILE = "部门.yaml"


class Submission(Form):
    """One department-year: the files of its folder, merged."""

    部门: Department
    基础数据表: Optional[BasicData] = None
    整体自评: Optional[Overall] = None
    自评报告: Optional[SelfReport] = None
    项目: list[Project] = Field(default_factory=list)

    @property
    def 年度(self) -> int:
        return self.部门.年度


# --- addressing values by their YAML path ----------------------------------------


_FIELD_NAMES: dict[type, dict[str, str]] = {}  # model class → key as written (field name or alias) → field name


def _names(cls: type[BaseModel]) -> dict[str, str]:
    """Once per class and process (the fields of a class do not change): field name or alias → field name."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        fields = cls.model_fields
        names = {info.alias: name for name, info in reversed(fields.items()) if info.alias is not None}
        names.update({name: name for name in fields})
        _FIELD_NAMES[cls] = names
    return names


def _field_name(obj: BaseModel, key: str) -> str:
    return _names(type(obj))[key]


def resolve(obj: Any, path: tuple) -> Any:
    """The value at a YAML path (keys as written in the files); None where a part is absent."""
    for part in path:
        if obj is None:
            return None
        if isinstance(part, int):
            obj = obj[part] if isinstance(obj, list) and part < len(obj) else None
            continue
        names = _FIELD_NAMES.get(obj.__class__)  # only models' classes are in it
        if names is None:
            if not isinstance(obj, BaseModel):
                return None
            names = _names(obj.__class__)
        obj = getattr(obj, names[part])
    return obj


def is_written(root: BaseModel, path: tuple) -> bool:
    """True when the author wrote the key at `path` (a list item counts as written with its list)."""
    parent = resolve(root, path[:-1])
    last = path[-1]
    if isinstance(last, int):
        return is_written(root, path[:-1]) if len(path) > 1 else True
    return isinstance(parent, Form) and parent.written(_field_name(parent, last))


def fill(root: BaseModel, path: tuple, value: Any) -> None:
    """Set a derived value: it stays out of `model_fields_set`, so it still counts as not written."""
    parent = resolve(root, path[:-1])
    name = _field_name(parent, path[-1])
    was_set = name in parent.model_fields_set
    object.__setattr__(parent, name, value)
    if not was_set:
        parent.model_fields_set.discard(name)
