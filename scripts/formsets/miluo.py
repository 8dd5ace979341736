"""汨罗 form set (templates/汨罗/): 基础数据表, 部门整体支出绩效自评表, 项目支出绩效自评表 and the two reports."""

from __future__ import annotations

from .layout import Grid, body, new_document, page_break_before, para, table_foot, title_block, title_lines
from .tables import FUND_WIDTHS, basic_data_table, fund_row, goals, indicator_block, overall_table_grid

NAME = "汨罗"

MILUO_MONEY_ROWS = [
    ("“三公”经费", "三公经费"),
    ("1、公务用车购置和维护经费", "公务用车购置和维护经费"),
    ("其中：公车购置", "公车购置"),
    ("     公车运行维护", "公车运行维护"),
    ("2、出国经费", "出国经费"),
    ("3、公务接待", "公务接待"),
    ("项目支出：", "项目支出"),
    ("1、业务工作经费", "业务工作经费"),
    ("2、运行维护经费", "运行维护经费"),
    ("3、县级专项资金", "县级专项资金"),
    ("{专项}", None),
    ("公用经费", "公用经费"),
    ("其中：办公经费", "办公经费"),
    ("   水费、电费、差旅费", "水费电费差旅费"),
    ("会议费、培训费", "会议费培训费"),
    ("政府采购金额", "政府采购金额"),
    ("部门基本支出预算调整", "部门基本支出预算调整"),
]


def basic_data() -> object:
    """汨罗 附件1 部门整体支出绩效评价基础数据表."""
    doc = new_document()
    title_block(doc)
    para(doc)
    basic_data_table(
        doc,
        MILUO_MONEY_ROWS,
        {
            "人员": "财政供养人员情况(人)",
            "经费": "经费控制情况(万元)",
            "楼堂馆所": "\n楼堂馆所控制情况\n({{ 楼堂馆所年 }}年完工项目)",
            "楼堂馆所列": ("批复规模 (m²)", "实际规模(m²)", "规模控制率", "预算投资\n(万元)", "实际投资 (万元)", "投资概算控制率"),
            "节约": "厉行节约保障措施",
        },
    )
    table_foot(doc)
    return doc


def overall_table() -> object:
    """汨罗 附件2 部门整体支出绩效自评表."""
    doc = new_document()
    title_block(doc)
    para(doc)
    overall_table_grid(
        doc,
        {
            "部门": "预算部门\n名称",
            "预算": "\n年度预算申请(万元)",
            "列": ("年初\n预算数", "全年\n预算数", "全年\n执行数"),
            "一般公共预算": "其中：一般公共预算：",
            "项目支出": "项目支出：",
            "目标": "年度总体 目标",
            "绩效指标": "\n绩效指标\n\n",
            "偏差": "偏差原因\n分析及\n改进措施",
        },
    )
    table_foot(doc)
    return doc


def project_table() -> object:
    """附件3-N 项目支出绩效自评表."""
    doc = new_document()
    title_block(doc)
    para(doc)
    g = Grid(doc, FUND_WIDTHS)
    g.row(("项目支出名称", 2), ("{{ 项目名称 }}", 7))
    g.row(("主管部门", 2), ("{{ 主管部门 }}", 3), "实施\n单位", ("{{ 实施单位 }}", 3))
    start = len(g.table.rows)
    g.row("项目资金 (万元)", ("", 2), "年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分")
    fund_row(g, "年度资金总额", "年度资金总额")
    fund_row(g, "其中：当年财政拨款", "当年财政拨款")
    fund_row(g, "上年结转资金", "上年结转资金")
    fund_row(g, "其他资金", "其他资金")
    g.vmerge(0, start, len(g.table.rows) - 1)
    goals(g, "年度总体目标")
    indicator_block(g, "\n绩效指标", "偏差原因分析及改进措施")
    table_foot(doc, gap=True)
    return doc


def overall_report() -> object:
    """附件4 部门整体支出绩效自评报告: cover, body, attachment list."""
    doc = new_document()
    para(doc, "附件{{ 附件号 }}", "附件标签")
    para(doc, "{%p if 封面 %}", "公文标题")
    para(doc, "", "公文标题")
    para(doc, "", "公文标题")
    title_lines(doc)
    for _ in range(11):
        para(doc, "", "封面")
    para(doc, "部门名称：{{ 封面.部门名称 }}", "封面")
    para(doc, "{{ 封面.日期 }}", "封面")
    para(doc, "（此页为封面）", "封面")
    page_break_before(para(doc))
    for _ in range(3):
        para(doc)
    para(doc, "{%p else %}", "公文标题")
    title_lines(doc)
    para(doc)
    para(doc, "{%p endif %}", "公文标题")
    body(doc)
    para(doc, "{%p if 附件清单 %}")
    for _ in range(4):
        para(doc)
    para(doc, "{%p for 附 in 附件清单 %}", "正文")
    para(doc, "{% if loop.first %}附件：{% endif %}{{ loop.index }}.{{ 附 }}", "正文")
    para(doc, "{%p endfor %}", "正文")
    para(doc, "{%p endif %}")
    return doc


def project_report() -> object:
    """附件5-N 项目支出绩效自评报告: cover with the project title, body."""
    doc = new_document()
    title_block(doc)
    para(doc, "{%p if 封面 %}", "封面")
    for _ in range(30):
        para(doc, "", "封面空行")
    para(doc, "部 门 名 称 ： {{ 封面.部门名称 }}", "封面")
    para(doc, "{{ 封面.年 }}  年 {{ 封面.月 }} 月 {{ 封面.日 }} 日", "封面")
    page_break_before(para(doc))
    for _ in range(3):
        para(doc)
    para(doc, "{%p endif %}", "封面")
    para(doc, "{%p if 副标题 %}", "公文标题")
    para(doc, "{{ 副标题 }}", "公文标题")
    para(doc)
    para(doc, "{%p endif %}", "公文标题")
    body(doc)
    return doc


TEMPLATES = {
    "附件1-基础数据表.docx": basic_data,
    "附件2-部门整体支出绩效自评表.docx": overall_table,
    "附件3-项目支出绩效自评表.docx": project_table,
    "附件4-部门整体支出绩效自评报告.docx": overall_report,
    "附件5-项目支出绩效自评报告.docx": project_report,
}
