"""The report reader: repairing damaged report text and reading catalog figures from it.

Reference reports live in ``tests/data/reports/``: the seed as found on the web (every
figure ``X``) and a filled copy made from it, still damaged the same way (繁体, pinyin,
broken list numbers), with its expected figures beside it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.catalog import Catalog, load_catalog
from db.catalog_admin import add_alias
from db.models import Indicator
from etl import lexicon, mojibake
from etl.pipeline import FRAME_COLUMNS
from etl.report import (
    decode_report,
    extract_figures,
    frame_from_review,
    repair_text,
    review_table,
    to_frame,
)
from etl.report_text import PINYIN_GROUP
from tests.conftest import file_catalog

REPORTS = Path(__file__).resolve().parent / "data" / "reports"
SEED = (REPORTS / "seed_2020.txt").read_text(encoding="utf-8")
FILLED = (REPORTS / "report_2020_filled.txt").read_text(encoding="utf-8")
HEADINGS = [
    "(一)工程建设质量方面",
    "(二)营商环境增效方面",
    "(三)交通服务提质方面",
    "(四)阻击新冠疫情方面",
    "(五)交通运输安全监管方面",
    "(六)质量品牌创建方面",
]


CATALOG = file_catalog()


@pytest.fixture(scope="module")
def seed_repaired() -> str:
    return repair_text(SEED)


# ---------------------------------------------------------------- repair


def test_seed_repairs_to_clean_simplified_text(seed_repaired: str) -> None:
    assert not PINYIN_GROUP.search(seed_repaired)
    assert lexicon.to_simplified(seed_repaired) == seed_repaired  # no 繁体 left
    assert not lexicon.has_damage(seed_repaired)
    assert "?" not in seed_repaired
    headings = [line for line in seed_repaired.splitlines() if line.startswith("(")]
    assert [h[: len(w)] for h, w in zip(headings, HEADINGS, strict=True)] == HEADINGS
    assert "转运重点地区来(返)X人员X万余人" in seed_repaired  # (返) is text, not pinyin
    assert "《交通运输行业今冬明春疫情防控方案》" in seed_repaired  # a damaged run mid-line
    assert seed_repaired.splitlines()[-1].startswith("来源:网络整理 免责声明:本文仅限学习分享")


def test_repair_keeps_every_other_character(seed_repaired: str) -> None:
    """Lines without damage come out as themselves, annotations dropped and simplified."""
    lines = SEED.splitlines()
    assert len(seed_repaired.splitlines()) == len(lines)
    for raw, fixed in zip(lines, seed_repaired.splitlines(), strict=True):
        plain = PINYIN_GROUP.sub("", raw)
        if not lexicon.has_damage(plain) and "?" not in plain:
            assert fixed == lexicon.to_simplified(plain)


def test_repair_is_idempotent(seed_repaired: str) -> None:
    assert repair_text(seed_repaired) == seed_repaired


@pytest.mark.parametrize(
    ("original", "damaged"),
    [
        ("（一）工程建設", "。ㄒ唬┕こ探ㄔO"),
        ("（二）營", "。ǘI"),
        ("（三）交通服務", "。ㄈ┙煌ǚ⻊"),
        ("（四）阻擊新冠疫情方面", "。ㄋ模┳钃粜鹿谝咔榉矫"),
        ("（五）交通運", "。ㄎ澹┙煌ㄟ\\"),
        ("實施方案》《交通運", "嵤┓桨浮贰督煌ㄟ\\"),
        ("(fù)", "?fù)"),
    ],
)
def test_damage_model_reproduces_the_seed(original: str, damaged: str) -> None:
    assert mangle_in_seed(damaged)
    assert mojibake.mangle(original) == damaged


def mangle_in_seed(damaged: str) -> bool:
    return damaged in SEED


@pytest.mark.parametrize("numeral", "一二三四七八十")
@pytest.mark.parametrize("heading", ["工程建設質量", "質量品牌創建", "交通服務提質"])
def test_list_numbers_mended_beyond_the_seed(numeral: str, heading: str) -> None:
    """Any list number, any heading: damaged by the model, mended by the round trip."""
    damaged = mojibake.mangle(f"（{numeral}）{heading}") + "方面。一是加強管理。"
    fixed = repair_text(f"2021年工作報告\n{damaged}").splitlines()[1]
    assert fixed == f"({numeral}){lexicon.to_simplified(heading)}方面。一是加强管理。"


def test_pinyin_removal_leaves_brackets_that_are_text() -> None:
    text = "認(rèn)真貫徹(六)來(lái)(返)人員 APP(app) 約(yuē)6800名"
    assert repair_text(text) == "认真贯彻(六)来(返)人员 APP(app) 约6800名"


def test_damaged_annotation_marks_a_lost_character() -> None:
    assert repair_text("勇挑設卡防控重?fù)?dān),嚴密防控") == "勇挑设卡防控重□□,严密防控"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_decode_report_reads_the_usual_encodings(encoding: str) -> None:
    assert decode_report(FILLED.encode(encoding)) == FILLED


# ---------------------------------------------------------------- extraction


def test_seed_states_no_figure_and_lists_every_x_as_missing() -> None:
    result = extract_figures(SEED, CATALOG)
    assert result.year == 2020 and result.year_from_text
    assert result.figures == []
    with_x = [s.code for s in CATALOG.indicators.values() if any("X" in p for p in s.phrasings)]
    assert sorted(result.missing) == sorted(with_x)
    assert len(result.missing) == 42


def test_filled_report_gives_every_figure_and_nothing_else() -> None:
    expected = json.loads((REPORTS / "report_2020_filled.expected.json").read_text("utf-8"))
    result = extract_figures(FILLED, CATALOG)
    got = [
        {
            "indicator_code": f.indicator_code,
            "value": f.value,
            "unit": f.unit,
            "qualifier": f.qualifier,
            "written": f.written,
        }
        for f in result.figures
    ]
    assert got == expected["figures"]
    assert result.missing == expected["missing"]
    assert {f.year for f in result.figures} == {expected["year"]}
    for f in result.figures:  # spans point at the figure in the repaired text
        assert result.text[f.start : f.end] == f.written
        assert f.written in f.sentence
        assert result.text.splitlines()[f.line - 1].count(f.written) >= 1


@pytest.mark.parametrize(
    ("sentence", "figures"),
    [
        ("全年实施行政审批3万余件。", [("business.approvals", 30000, "more_than")]),
        ("管养公路平均优良路率87.5%。", [("safety.road_excellence_rate", 87.5, None)]),
        ("整修路肩边坡1.2万平米。", [("safety.shoulders_repaired", 12000, None)]),
        ("期间查验车辆3余万辆次。", [("epidemic.vehicles_checked", 30000, "more_than")]),
        ("一线300多名党员快递员、退役军人快递员。", [("brand.model_couriers", 300, "more_than")]),
        ("培训驾驶员约1200名。", [("business.drivers_trained", 1200, "about")]),
        ("邮政快递进出港量完成1.5亿件。", [("service.express_volume", 1.5e8, None)]),
        ("全年實(shí)施行政審批３萬(wàn)余件，", [("business.approvals", 30000, "more_than")]),
        (
            "全年排查治理安全隐患1650处,组织开展应急演练42次,线上抽查“两客一危”车辆2.6万辆次。",
            [
                ("safety.hazards_fixed", 1650, None),
                ("safety.drills", 42, None),
                ("safety.key_vehicle_checks", 26000, None),
            ],
        ),
        # names and aliases, not the report's own phrasing
        ("今年行政审批办理量达3.2万件。", [("business.approvals", 32000, None)]),
        ("共评选出5家城市客运企业。", [("brand.trusted_transit_firms", 5, None)]),
        ("补植树木600棵以上。", [("safety.trees_planted", 600, "more_than")]),
        # figures that belong to no indicator
        ("新建充电桩120个,同比增长15%。", []),
        ("或1年内累计发生3起及以上造成人员死亡的一般生产质量责任事故的。", []),
        ("行政审批3万辆。", []),  # 辆 is no unit of a count of approvals
    ],
)
def test_sentences(sentence: str, figures: list[tuple[str, float, str | None]]) -> None:
    result = extract_figures(f"2020年工作总结\n{sentence}", CATALOG)
    got = [(f.indicator_code, f.value, f.qualifier) for f in result.figures]
    assert got == [(c, float(v), q) for c, v, q in figures]


def test_year_given_wins_and_region_is_kept() -> None:
    result = extract_figures(FILLED, CATALOG, year=2019, region=" 城东区 ")
    assert result.year == 2019 and not result.year_from_text
    assert {(f.year, f.region) for f in result.figures} == {(2019, "城东区")}


def test_no_year_in_text() -> None:
    assert extract_figures("全年实施行政审批3万余件。", CATALOG).year is None


# ---------------------------------------------------------------- catalog-driven


def with_spec(catalog: Catalog, code: str, **changes: object) -> Catalog:
    specs = dict(catalog.indicators)
    specs[code] = dataclasses.replace(specs[code], **changes)
    return Catalog(categories=catalog.categories, indicators=specs)


def test_a_new_phrasing_teaches_the_reader() -> None:
    sentence = "2021年,全市完成桥梁定期检查桥梁X座,新栽行道树3.5万株。"
    assert extract_figures(sentence, CATALOG).figures == []
    spec = CATALOG.indicators["safety.trees_planted"]
    taught = with_spec(
        CATALOG, "safety.trees_planted", phrasings=(*spec.phrasings, "新栽行道树X万株")
    )
    (figure,) = extract_figures(sentence, taught).figures
    assert (figure.indicator_code, figure.value, figure.unit) == (
        "safety.trees_planted",
        35000,
        "棵",
    )


def test_catalog_edits_in_the_store_reach_the_reader(session: Session) -> None:
    text = "2021年,审批窗口办件2.4万件。交通卡互通城市达到310个以上。"
    assert extract_figures(text, load_catalog(session)).figures == []
    add_alias(session, "business.approvals", "审批窗口办件")
    card = session.scalar(select(Indicator).where(Indicator.code == "service.card_cities"))
    card.phrasings = json.dumps(["交通卡互通城市达到X个"], ensure_ascii=False)
    session.flush()
    result = extract_figures(text, load_catalog(session))
    assert [(f.indicator_code, f.value, f.qualifier, f.matched_by) for f in result.figures] == [
        ("business.approvals", 24000, None, "name"),
        ("service.card_cities", 310, "more_than", "phrasing"),
    ]


# ---------------------------------------------------------------- review and load frames


def test_to_frame_has_the_pipeline_columns() -> None:
    result = extract_figures(FILLED, CATALOG)
    frame = to_frame(result)
    assert list(frame.columns) == FRAME_COLUMNS
    assert len(frame) == len(result.figures)
    first = frame.iloc[1]
    assert (first["indicator_code"], first["year"], first["region"], first["value"]) == (
        "business.approvals",
        2020,
        "全市",
        30000.0,
    )
    assert first["qualifier"] == "more_than" and first["row"] == 4


def test_frame_from_a_corrected_review() -> None:
    table = review_table(extract_figures(FILLED, CATALOG))
    table.loc[0, "value"] = 1200
    table = table.drop(index=[2])
    added = {"indicator_code": "safety.major_accidents", "year": 2020, "value": 0}
    table = pd.concat([table, pd.DataFrame([added])], ignore_index=True)
    frame = frame_from_review(table)
    assert frame.loc[0, "value"] == 1200
    assert "business.non_approval_services" not in set(frame["indicator_code"])
    last = frame.iloc[-1]
    assert last["indicator_code"] == "safety.major_accidents" and last["region"] == "全市"
    assert last["row"] == int(table["line"].max()) + 1
    assert last["qualifier"] is None


def test_report_text_never_needs_more_than_the_report_and_catalog() -> None:
    """Repair works from the text alone (the shipped catalog's words as its lexicon)."""
    assert re.search(r"^\(二\)营商环境增效方面", repair_text(SEED), re.M)
