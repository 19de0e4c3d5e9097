"""Regenerate the upload test files (run from the project root): ``python tests/data/upload/make_files.py``.

Written as departments send them: a GB18030 wide table with a title row (Excel's "CSV" on
Chinese Windows), a long .xlsx with districts and targets, a file full of mistakes, a
correction that overlaps the wide table, and a file using a department's own name.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

WIDE = """2024年交通运输质量指标统计表（安全监管处报送）,,,,
序号,指标名称,单位,2023年,2024年
1,排查治理安全隐患,处,"1,234",1500
2,行政审批办理量,万件,3.2,3.5
3,管养公路平均优良路率,%,92.3%,93.1
4,查验车辆,辆次,—,3余万
注：2023年查验车辆未统计。,,,,
"""

ERRORS = """指标,年份,地区,数值,单位,备注
隐患排查整治处数,2024,全市,1600,处,部门自己的叫法
应急演练,二〇二四,全市,12,次,
修补路面病害,2024,全市,-40,平方米,
先锋的士,2024,全市,=SUM(A1:A3),辆,
"""

CORRECTION = """指标,年份,地区,数值,单位,备注
排查治理安全隐患,2024,全市,1520,处,复核后更正
"""

ALIAS = """指标,年份,地区,数值,单位
隐患排查整治处数,2022,全市,1100,处
"""


def main() -> None:
    (HERE / "wide_2023_2024_gb18030.csv").write_bytes(WIDE.replace("\n", "\r\n").encode("gb18030"))
    (HERE / "department_errors.csv").write_bytes(ERRORS.encode("utf-8"))
    (HERE / "correction_2024.csv").write_bytes(CORRECTION.encode("utf-8-sig"))
    (HERE / "department_alias.csv").write_bytes(ALIAS.encode("utf-8"))

    book = Workbook()
    sheet = book.active
    sheet.title = "2024"
    sheet.append(["地区", "指标", "年份", "数值", "单位", "目标值", "备注"])
    rows = [
        ("东城区", "应急演练", 2024, 12, "次", 10, None),
        ("西城区", "应急演练", 2024, 9, "次", 10, "含联合演练"),
        ("东城区", "修补路面病害", 2024, "1.2", "万平米", None, None),
        ("西城区", "修补路面病害", 2024, 8600, "平方米", None, None),
        ("全市", "先锋的士", 2024, "约30", "辆", None, None),
    ]
    for row in rows:
        sheet.append(list(row))
    book.save(HERE / "districts_2024.xlsx")


if __name__ == "__main__":
    main()
