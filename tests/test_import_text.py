"""Issue 10: labels, annex numbers and figures as clerks type them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from annexgen.importing.text import Figure, annex_number, chinese_number, label_key, parse_figure


@pytest.mark.parametrize(
    "typed",
    ["部门名称", "部 门 名 称", "部\u3000门\u3000名\u3000称：", " 部门名称: ", "部门\u00a0名称\n"],
)
def test_label_variants_compare_equal(typed: str) -> None:
    assert label_key(typed) == "部门名称"


def test_brackets_and_width_are_unified() -> None:
    assert label_key("项目资金（万元）") == label_key("项目资金(万元)") == label_key("项目资金【万元】") == "项目资金(万元)"
    assert label_key("ＡＢＣ１２３") == "ABC123"


@pytest.mark.parametrize(
    "text,number",
    [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23), ("九十九", 99), ("两", 2), ("二〇", 20), ("一一", 11), ("十十", None), ("三百", None), ("", None)],
)
def test_chinese_numerals(text: str, number: int | None) -> None:
    assert chinese_number(text) == number


@pytest.mark.parametrize(
    "label,number",
    [
        ("附件1", "1"),
        ("附件 1", "1"),
        ("附件１", "1"),
        ("附件1：", "1"),
        ("附件一", "1"),
        ("附件十二", "12"),
        ("附件3-1", "3-1"),
        ("附件3－1", "3-1"),
        ("附件 3 — 2", "3-2"),
        ("附件三之一", "3-1"),
        ("附件4-1：", "4-1"),
        ("附件", None),
        ("附件1 部门整体支出绩效自评表", None),
        ("附表1", None),
        ("附件三百", None),
    ],
)
def test_annex_labels(label: str, number: str | None) -> None:
    assert annex_number(label) == number


@pytest.mark.parametrize(
    "text,value,unit",
    [
        ("12.00", "12.00", ""),
        (" 12.00 ", "12.00", ""),
        ("1,234.50", "1234.50", ""),
        ("1，234.5", "1234.5", ""),
        ("１２．５", "12.5", ""),
        ("100万元", "100", "万元"),
        ("100 万元", "100", "万元"),
        ("95%", "95", "%"),
        ("９５％", "95", "%"),
        ("-3.5", "-3.5", ""),
        ("0", "0", ""),
        ("12人", "12", "人"),
    ],
)
def test_figures_keep_their_precision(text: str, value: str, unit: str) -> None:
    figure = parse_figure(text)
    assert figure == Figure(Decimal(value), unit, text)
    assert str(figure.value) == value  # 12.00 stays 12.00


@pytest.mark.parametrize("text", ["", "  ", "-", "—", "——", "/", "无", "约100", "100万", "1,23.4", "1.2.3", "12万元以上", "1" * 19, "0." + "1" * 11, "１e5"])
def test_not_figures(text: str) -> None:
    assert parse_figure(text) is None
