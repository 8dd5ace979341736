"""Table blocks shared by several form sets: the 基础数据表 grid, fund rows, goals, the indicator block."""

from __future__ import annotations

from .layout import Grid


def basic_data_table(doc, money_rows, wording: dict[str, str]) -> None:
    """The 基础数据表 grid: staffing, the money rows (a placeholder row has key ""), 楼堂馆所, 厉行节约."""
    g = Grid(doc, [40, 19.33, 19.33, 19.34, 19.33, 19.33, 19.34])
    if wording.get("单位名称"):
        g.row(wording["单位名称"], ("{{ 部门名称 }}", 6))
    g.row(wording["人员"], ("编制数", 2), ("{{ 在职人数年 }}年实际在职\n人数", 2), ("控制率", 2))
    g.row("", ("{{ 人员.编制数 }}", 2), ("{{ 人员.实际在职人数 }}", 2), ("{{ 人员.控制率 }}", 2))
    g.vmerge(0, len(g.table.rows) - 2, len(g.table.rows) - 1)
    g.row(wording["经费"], ("{{ 列[0] }}", 2), ("{{ 列[1] }}", 2), ("{{ 列[2] }}", 2))
    for label, key in money_rows:
        if key is None:
            g.tag_row("{%tr for 专项 in 专项明细 %}")
            g.row("{{ 专项.名称 }}", *((f"{{{{ 专项.金额[{c}] }}}}", 2) for c in range(3)))
            g.tag_row("{%tr endfor %}")
        elif key == "":
            g.row(label, ("", 2), ("", 2), ("", 2))
        else:
            g.row(label, *((f"{{{{ 经费.{key}[{c}] }}}}", 2) for c in range(3)))
    start = len(g.table.rows)
    g.row(wording["楼堂馆所"], *wording["楼堂馆所列"])
    g.row("", *(f"{{{{ 楼堂馆所.{k} }}}}" for k in ("批复规模", "实际规模", "规模控制率", "预算投资", "实际投资", "投资概算控制率")))
    g.vmerge(0, start, start + 1)
    g.row(wording["节约"], ("{{ 厉行节约保障措施 }}", 6))


# the nine columns of the indicator block; the 8th holds 执行率, wide enough for "102.59%" on one line
FUND_WIDTHS = [10, 16, 16, 24, 20, 20, 12, 20, 18]


INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")


def indicator_block(g: Grid, label: str, deviation: str, total_row=None, blank_row=None, header=INDICATOR_HEADER) -> None:
    """The 绩效指标 header row, one row per 三级指标 (grouped cells merged by the renderer), 总分.

    `blank_row` is the shape of a 其后空行 row where the form prints one differently (隆回: three
    merged cells and one wide blank); otherwise a blank row has the nine cells of any other.
    `header` are the seven column names between the label and `deviation`, as the form prints them.
    """
    keys = ("续", "一级", "二级", "三级", "年度指标值", "实际完成值", "分值", "得分", "偏差")
    g.row(label, *header, deviation)
    g.tag_row("{%tr for 行 in 指标行 %}")
    if blank_row:
        g.tag_row("{%tr if 行.空行 %}")
        g.row(*blank_row)
        g.tag_row("{%tr else %}")
    g.row(*(f"{{{{ 行.{k} }}}}" for k in keys))
    if blank_row:
        g.tag_row("{%tr endif %}")
    g.tag_row("{%tr endfor %}")
    g.row(*(total_row or (("总分", 6), "{{ 总分.分值 }}", "{{ 总分.得分 }}", "")))


def fund_row(g: Grid, name: str, key: str, dashes: bool = False) -> None:
    """One fund row: its name over two columns, the three amounts, 分值, 执行率, 得分.

    With `dashes` the 分值 and 得分 cells print "—", as the national form has them on the rows
    below 年度资金总额 (only the total is scored).
    """
    cells = [f"{{{{ 资金.{key}.{k} }}}}" for k in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")]
    if dashes:
        cells[3] = cells[5] = "—"
    g.row("", (name, 2), *cells)


def overall_table_grid(doc, w: dict) -> None:
    """The 部门整体支出绩效自评表 grid, in a county's wording `w`."""
    g = Grid(doc, FUND_WIDTHS)
    g.row((w["部门"], 2), ("{{ 部门名称 }}", 7))  # the label over two columns: 预算部门 on one line, not one character a line
    g.row(w["预算"], ("", 2), *w["列"], "分值", "执行率", "得分")
    fund_row(g, "年度资金总额", "年度资金总额")
    g.row("", ("按收入性质分：", 4), ("按支出性质分：", 4))
    pairs = [
        (w["一般公共预算"] + "{{ 收入.一般公共预算 }}", "其中：基本支出：{{ 支出.基本支出 }}"),
        ("政府性基金拨款：{{ 收入.政府性基金拨款 }}", w["项目支出"] + "{{ 支出.项目支出 }}"),
        ("纳入专户管理的非税收入拨款：{{ 收入.纳入专户管理的非税收入拨款 }}", ""),
        ("其他资金：{{ 收入.其他资金 }}", ""),
    ]
    for left, right in pairs:
        g.row("", (left, 4), (right, 4), style="表格正文")
    g.vmerge(0, 1, len(g.table.rows) - 1)
    goals(g, w["目标"])
    indicator_block(g, w["绩效指标"], w["偏差"], w.get("总分行"), w.get("空行"))


def goals(g: Grid, label: str) -> None:
    start = len(g.table.rows)
    g.row(label, ("预期目标", 4), ("实际完成情况", 4))
    g.row("", ("{{ 目标.预期目标 }}", 4), ("{{ 目标.实际完成情况 }}", 4), style="表格正文")
    g.vmerge(0, start, start + 1)
