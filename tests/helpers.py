"""Small inline fixtures: a consistent department-year written file by file."""

from __future__ import annotations

import textwrap
from pathlib import Path

DEPARTMENT = """\
部门名称: 测试县人力资源和社会保障局
年度: 2024
表样: 汨罗
签字:
  填表人: 张三
  填报日期: 2025-03-01
  联系电话: "07391234567"
  单位负责人: 李四
"""

BASIC = """\
标题: 2024年度部门整体支出绩效评价基础数据表
年度标签:
  实际在职人数: 2024
  经费控制情况: [2023, 2024, 2024]
  楼堂馆所控制情况: 2024
财政供养人员情况:
  编制数: 20
  实际在职人数: 19
  控制率: 95.00%
经费控制情况:
  三公经费: [3.50, 4, 2.87]
  公务用车购置和维护经费: [1.62, 2, 1.50]
  公车购置: [0, 0, 0]
  公车运行维护: [1.62, 2, 1.50]
  出国经费: [~, ~, ~]
  公务接待: [1.88, 2, 1.37]
  项目支出: [~, ~, ~]
  业务工作经费: [~, ~, ~]
  运行维护经费: [~, ~, ~]
  县级专项资金: [40, 50, 48.5]
  专项明细:
    - 名称: 就业服务
      金额: [40, 50, 48.5]
  公用经费: [60.2, 62, 61.3]
  办公经费: [10, 11, 10.5]
  水费、电费、差旅费: [20, 21, 20.3]
  会议费、培训费: [5, 5, 4.5]
  政府采购金额: [12, 15, 14]
  部门基本支出预算调整: [~, ~, ~]
楼堂馆所控制情况:
  批复规模: ~
  实际规模: ~
  规模控制率: ~
  预算投资: ~
  实际投资: ~
  投资概算控制率: ~
厉行节约保障措施: 压减一般性支出。
表注:
  - 说明：“项目支出”需要填报基本支出以外的所有项目支出情况。
"""

OVERALL = """\
部门整体支出绩效自评表:
  标题: 2024年度部门整体支出绩效自评表
  年度资金总额:
    年初预算数: 500
    全年预算数: 520
    全年执行数: 520
    分值: 10
    执行率: 100.00%
    得分: 10
  按收入性质分:
    一般公共预算: 500
    政府性基金拨款: ~
    纳入专户管理的非税收入拨款: ~
    其他资金: 20
  按支出性质分:
    基本支出: 471.5
    项目支出: 48.5
  年度总体目标:
    预期目标: 稳就业。
    实际完成情况: 完成。
  绩效指标:
    - 名称: 产出指标(50分)
      二级指标:
        - 名称: 数量指标
          三级指标:
            - 名称: 城镇新增就业人数
              年度指标值: ≥4650人
              实际完成值: 4673人
              分值: 30
              得分: 30
              偏差原因分析及改进措施: ~
            - 名称: 完成时间
              年度指标值: 2024年全年
              实际完成值: 2024年全年
              分值: 20
              得分: 20
              偏差原因分析及改进措施: ~
    - 名称: 效益指标(30分)
      二级指标:
        - 名称: 社会效益指标
          三级指标:
            - 名称: 就业困难人员就业率
              年度指标值: ≥97%
              实际完成值: 97%
              分值: 30
              得分: 30
              偏差原因分析及改进措施: ~
    - 名称: 满意度指标(10分)
      二级指标:
        - 名称: 服务对象满意度指标
          三级指标:
            - 名称: 群众满意度
              年度指标值: ≥90%
              实际完成值: 92%
              分值: 10
              得分: 10
              偏差原因分析及改进措施: ~
  总分:
    分值: 100
    得分: 100
自评基础数据表:
  标题: 2024年度部门整体支出绩效自评基础数据表
  基本情况:
    编制人数: 20
    实有人数: 19
    年度收入:
      县财政预算安排: 500
      非税收入: 0
      中央省市安排资金: 0
      其他收入: 20
      合计: 520
    年度支出:
      基本支出: 471.5
      项目支出: 48.5
      合计: 520
      其中三公经费支出: 2.87
  实施情况:
    财政供养人员控制情况:
      是否存在超编超配人员: false
    三公经费管理情况:
      三公经费是否比年度下降: true
      公务用车购置运行费是否比上年度下降: true
    政府采购及金额:
      应采购金额: 14
      实际采购金额: 14
    预算执行:
      本年度是否追加了预算: true
      本年度是否有结余: false
  自评结论: 优
"""

REPORT = """\
部门整体支出绩效自评报告:
  标题: 2024年度测试县人力资源和社会保障局部门整体支出绩效自评报告
  封面: {}
  正文:
    - 一、部门基本情况:
        - 截至2024年12月31日，单位编制人数为20人，实际在岗人数19人。
    - 二、“三公”经费情况:
        - 公务接待费1.37万元，公务用车购置及运行费1.50万元。
    - 三、其他需要说明的情况:
        - 全年城镇新增就业4673人。
  附件清单:
    - 部门整体支出绩效评价基础数据表
"""

PROJECT = """\
项目名称: 就业服务
实施单位: 测试县就业服务中心
标题: 2024年度项目支出绩效自评表
项目资金:
  年度资金总额: {年初预算数: 50, 全年预算数: 50, 全年执行数: 48.5, 分值: 10, 执行率: 97.00%, 得分: 9.7}
  当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 48.5}
  上年结转资金: {年初预算数: ~, 全年预算数: ~, 全年执行数: ~}
  其他资金: {年初预算数: ~, 全年预算数: ~, 全年执行数: ~}
年度总体目标:
  预期目标: 提供就业服务。
  实际完成情况: 完成。
绩效指标:
  - 名称: 产出指标(50分)
    二级指标:
      - 名称: 数量指标
        三级指标:
          - 名称: 招聘会场次
            年度指标值: ≥20场
            实际完成值: 30场
            分值: 50
            得分: 50
            偏差原因分析及改进措施: ~
  - 名称: 效益指标(40分)
    二级指标:
      - 名称: 社会效益指标
        三级指标:
          - 名称: 服务满意度
            年度指标值: ≥90%
            实际完成值: 88%
            分值: 40
            得分: 39
            偏差原因分析及改进措施: 宣传不足，下年加强。
总分: {分值: 100, 得分: 98.7}
自评报告:
  标题: "2024年度就业服务项目支出\\n绩效自评报告"
  封面: {}
  副标题: 项目支出绩效评价报告
  正文:
    - 一、项目支出基本情况:
        - 全年举办招聘会场次30场。
"""

FILES = {
    "部门.yaml": DEPARTMENT,
    "基础数据表.yaml": BASIC,
    "整体自评.yaml": OVERALL,
    "自评报告.yaml": REPORT,
    "项目/1-就业服务.yaml": PROJECT,
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path → text or bytes) under `root`; returns `root`."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def year(root: Path, **changes: tuple[str, str] | str | None) -> Path:
    """The consistent department-year with text replacements per file.

    `year(tmp, 基础数据表=("[20, 21, 20.3]", "[20, 21, 99]"))` replaces once in 基础数据表.yaml;
    a plain string replaces the whole file; None removes it.
    """
    files = dict(FILES)
    for stem, change in changes.items():
        name = next(n for n in files if n.split("/")[-1].removesuffix(".yaml").split("-")[-1] == stem or n.removesuffix(".yaml") == stem)
        if change is None:
            del files[name]
        elif isinstance(change, str):
            files[name] = change
        else:
            old, new = change
            assert old in files[name], f"{old!r} not in {name}"
            files[name] = files[name].replace(old, new, 1)
    return write_tree(root, files)


#: the files a build of `year()` writes, in order
YEAR_ANNEXES = [
    "附件1 部门整体支出绩效评价基础数据表.docx",
    "附件2 部门整体支出绩效自评表.docx",
    "附件3-1 就业服务项目支出绩效自评表.docx",
    "附件4 部门整体支出绩效自评报告.docx",
    "附件5-1 就业服务项目支出绩效自评报告.docx",
]


def edited_set(tmp_path: Path, source: str, old: str | None = None, new: str = "") -> Path:
    """A copy of a built-in set under tmp/表样/<source> (it shadows the built-in one with --forms), one text edit in its manifest."""
    import shutil

    from annexgen.forms import BUILTIN

    sets = tmp_path / "表样"
    shutil.copytree(BUILTIN / source, sets / source)
    manifest = sets / source / "表样.yaml"
    text = manifest.read_text(encoding="utf-8")
    if old is not None:
        assert old in text, old
        manifest.write_text(text.replace(old, new, 1), encoding="utf-8")
    return sets
