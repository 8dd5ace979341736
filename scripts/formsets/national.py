"""全国 form set (templates/全国/): the standard forms of 财预〔2020〕10号 as provinces republish them.

附件1 部门整体支出绩效自评表 and 附件2 项目支出绩效自评表 (财政部《项目支出绩效评价管理办法》
附件1), laid out after published examples: 廊坊市食品工程学校 2019 (http://www.lfsp.cn/newsinfo/1158053.html),
池州市贵池区棠溪镇 2022 (Anhui, "其中：本年财政拨款"; http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2)
and 金寨县茶谷和美丽乡村建设服务中心 2023 (Anhui, the overall table). Title "项目支出绩效自评表" with
"（2023年度）" below it, one table of nine grid columns, no signature line (printed only when
部门.yaml has 签字). The label 当年财政拨款 comes from the form set's profile (标签), since Hebei
and Anhui print 本年财政拨款.
"""

from __future__ import annotations

from typing import Callable

from .layout import Grid, new_document, table_foot, title_block
from .tables import fund_row, goals, indicator_block

NAME = "全国"

# nine columns: label | 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因
# (fund rows: label | name over two | 年初 | 全年预算 | 全年执行 | 分值 | 执行率 | 得分);
# 36 mm for the fund name, so "其中：本年财政拨款" stays on one line; the widest for 三级指标, whose
# names run longest; the 8th holds 执行率, 20 mm as in the 汨罗 set, so "102.59%" stays on one line
WIDTHS = [10, 18, 18, 24, 18, 18, 12, 20, 18]
DEVIATION = "偏差原因\n分析及\n改进措施"
AMOUNT_COLUMNS = ("年初\n预算数", "全年\n预算数", "全年\n执行数")
# as 廊坊 and 金寨 print them: "年度 / 指标值", "实际 / 完成值" on two lines
HEADER = ("一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分")


def _table(head: Callable[[Grid], None], funds_label: str) -> object:
    """The one layout of both national tables: `head` writes the rows naming whose table it is, then
    the fund block (年度资金总额 and 其中 the three parts, "—" in their 分值/得分), goals, indicators, 总分."""
    doc = new_document()
    title_block(doc)
    g = Grid(doc, WIDTHS)
    head(g)
    start = len(g.table.rows)
    g.row(funds_label, ("", 2), *AMOUNT_COLUMNS, "分值", "执行率", "得分")
    fund_row(g, "年度资金总额", "年度资金总额")
    fund_row(g, "其中：{{ 标签.当年财政拨款 }}", "当年财政拨款", dashes=True)
    fund_row(g, "上年结转资金", "上年结转资金", dashes=True)
    fund_row(g, "其他资金", "其他资金", dashes=True)
    g.vmerge(0, start, len(g.table.rows) - 1)
    goals(g, "年度总体目标")
    indicator_block(g, "绩效指标", DEVIATION, header=HEADER)
    table_foot(doc)
    return doc


def project_table() -> object:
    """附件2-N 项目支出绩效自评表 (the national form, 财预〔2020〕10号 附件1)."""

    def head(g: Grid) -> None:
        g.row(("项目名称", 2), ("{{ 项目名称 }}", 7))
        g.row(("主管部门", 2), ("{{ 主管部门 }}", 3), "实施单位", ("{{ 实施单位 }}", 3))

    return _table(head, "项目资金（万元）")


def overall_table() -> object:
    """附件1 部门整体支出绩效自评表, as Anhui counties publish it (金寨县 2023,
    https://www.ahjinzhai.gov.cn/public/6624963/37545031.html): the project form's shape with 部门 for
    the project's name: 年度资金总额 and the three rows below it (其中：当年财政拨款, 上年结转资金,
    其他资金: the table's optional fields of those names). The form has no 按收入性质分 /
    按支出性质分 block, so those figures are not printed.
    """
    return _table(lambda g: g.row(("部门", 2), ("{{ 部门名称 }}", 7)), "预算资金（万元）")


TEMPLATES = {
    "附件1-部门整体支出绩效自评表.docx": overall_table,
    "附件2-项目支出绩效自评表.docx": project_table,
}
