"""Catalog edits (db/catalog_admin.py): aliases, report phrasings and new indicators, names
and phrasings unique everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db import catalog_admin
from db.catalog import load_catalog
from db.session import read_session, write_session
from etl.report import extract_figures

NEW = {
    "code": "safety.bridges_checked",
    "category": "safety",
    "name_zh": "桥梁安全检查",
    "name_en": "Bridge safety inspections",
    "unit": "座",
}


def test_alias_maps_later_lookups(engine: Engine) -> None:
    with write_session(engine) as s:
        before = load_catalog(s)
        code = next(iter(before.indicators))
        assert before.lookup("一号部门自定义名称") is None
        aliases = catalog_admin.add_alias(s, code, " 一号部门自定义名称 ")
        s.commit()
    assert aliases[-1] == "一号部门自定义名称"
    with read_session(engine) as s:
        catalog = load_catalog(s)
    assert catalog.lookup("一号部门自定义名称") == code
    assert catalog.lookup("一号部门 自定义名称") == code  # compared like the loader compares


def test_alias_already_used_anywhere_is_refused(engine: Engine) -> None:
    with write_session(engine) as s:
        catalog = load_catalog(s)
        first, second = list(catalog.indicators.values())[:2]
        # Another indicator's Chinese name, its code in full-width capitals, its own name.
        for name in (
            second.name_zh,
            "ＣＯＮＳＴＲＵＣＴＩＯＮ.ＩＮＳＰＥＣＴＩＯＮＳ",
            first.name_zh,
        ):
            with pytest.raises(catalog_admin.DuplicateNameError) as refused:
                catalog_admin.add_alias(s, first.code, name)
            assert refused.value.owner_code in (first.code, second.code)
        with pytest.raises(catalog_admin.CatalogEditError):
            catalog_admin.add_alias(s, first.code, "   ")
        with pytest.raises(catalog_admin.UnknownIndicatorError):
            catalog_admin.add_alias(s, "no.such", "whatever")


def test_add_indicator_then_it_is_in_the_catalog(engine: Engine) -> None:
    with write_session(engine) as s:
        spec = catalog_admin.add_indicator(s, **NEW, aliases=["桥检次数", "桥检次数"])
        s.commit()
    assert spec.category == "safety" and spec.aliases == ("桥检次数",)
    with read_session(engine) as s:
        catalog = load_catalog(s)
    assert catalog.lookup("桥检次数") == "safety.bridges_checked"
    assert catalog.by_category("safety")[-1].code == "safety.bridges_checked"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code": "Bridges"}, "code must look like"),
        ({"code": "brand.bridges_checked"}, "start with the category"),
        ({"category": "nowhere", "code": "nowhere.x"}, "no such category"),
        ({"unit": ""}, "unit"),
        ({"aggregation": "median"}, "aggregation"),
        ({"direction": "sideways"}, "direction"),
        ({"unit": "%", "aggregation": "sum"}, "never summed"),
        ({"name_zh": "工程质量监督检查"}, "already used"),  # a shipped name
        ({"name_en": "construction quality INSPECTIONS"}, "already used"),
        ({"code": "construction.inspections", "category": "construction"}, "already used"),
    ],
)
def test_add_indicator_refuses(engine: Engine, change: dict, error: str) -> None:
    with write_session(engine) as s, pytest.raises(catalog_admin.CatalogEditError, match=error):
        catalog_admin.add_indicator(s, **{**NEW, **change})


def test_new_alias_cannot_collide_with_new_indicator(engine: Engine) -> None:
    with write_session(engine) as s:
        catalog_admin.add_indicator(s, **NEW)
        code = next(iter(load_catalog(s).indicators))
        with pytest.raises(catalog_admin.DuplicateNameError):
            catalog_admin.add_alias(s, code, "bridge safety inspections")


REPORT = "2023年，我局消除隐患120处。"


def test_phrasing_teaches_the_report_reader(engine: Engine) -> None:
    with read_session(engine) as s:
        assert extract_figures(REPORT, load_catalog(s)).figures == []
    with write_session(engine) as s:
        phrasings = catalog_admin.add_phrasing(s, "safety.hazards_fixed", " 消除隐患Ｘ处 ")
        s.commit()
    assert phrasings[-1] == "消除隐患X处"  # trimmed, full-width X made ASCII
    with read_session(engine) as s:
        catalog = load_catalog(s)
    assert catalog.indicators["safety.hazards_fixed"].phrasings[-1] == "消除隐患X处"
    figures = extract_figures(REPORT, catalog).figures
    assert [(f.indicator_code, f.value, f.year, f.matched_by) for f in figures] == [
        ("safety.hazards_fixed", 120.0, 2023, "phrasing")
    ]


@pytest.mark.parametrize(
    ("phrasing", "error"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("消除隐患处", "must contain X"),
        ("消除隐患x处", "must contain X"),  # lower-case x is not the placeholder
        ("X处", "2 Chinese characters"),
        ("X of X", "2 Chinese characters"),
        ("消除隐患" * 25 + "X", "too long"),
        ("全年排查治理安全隐患X处", "already belongs to safety.hazards_fixed"),  # shipped
        ("全年 排查治理安全隐患 Ｘ 处", "already belongs to safety.hazards_fixed"),
    ],
)
def test_add_phrasing_refuses(engine: Engine, phrasing: str, error: str) -> None:
    with write_session(engine) as s, pytest.raises(catalog_admin.CatalogEditError, match=error):
        catalog_admin.add_phrasing(s, "construction.inspections", phrasing)


def test_phrasing_of_any_indicator_is_refused_with_its_owner(engine: Engine) -> None:
    with write_session(engine) as s:
        catalog_admin.add_phrasing(s, "safety.hazards_fixed", "消除隐患X处")
        with pytest.raises(catalog_admin.DuplicatePhrasingError) as refused:
            catalog_admin.add_phrasing(s, "construction.inspections", "消除隐患X处")
        assert refused.value.owner_code == "safety.hazards_fixed"
        with pytest.raises(catalog_admin.UnknownIndicatorError):
            catalog_admin.add_phrasing(s, "no.such", "消除隐患X处")
        # The longest a phrasing may be is accepted.
        longest = "消除隐患" * 24 + "全年X处"
        assert len(longest) == catalog_admin.MAX_PHRASING_LENGTH
        assert catalog_admin.add_phrasing(s, "safety.hazards_fixed", longest)[-1] == longest


def test_new_indicator_with_phrasings(engine: Engine) -> None:
    with write_session(engine) as s:
        spec = catalog_admin.add_indicator(
            s, **NEW, phrasings=["全年检查桥梁X座", "全年检查桥梁Ｘ座", " "]
        )
        s.commit()
        with pytest.raises(catalog_admin.DuplicatePhrasingError):
            catalog_admin.add_indicator(
                s,
                **{**NEW, "code": "safety.other", "name_zh": "另一个", "name_en": "Other"},
                phrasings=["全年检查桥梁X座"],
            )
        with pytest.raises(catalog_admin.CatalogEditError, match="must contain X"):
            catalog_admin.add_indicator(
                s,
                **{**NEW, "code": "safety.other", "name_zh": "另一个", "name_en": "Other"},
                phrasings=["全年检查桥梁座"],
            )
    assert spec.phrasings == ("全年检查桥梁X座",)
    with read_session(engine) as s:
        figures = extract_figures("2024年全年检查桥梁35座。", load_catalog(s)).figures
    assert [(f.indicator_code, f.value) for f in figures] == [("safety.bridges_checked", 35.0)]


def test_years_range_is_checked_before_anything_changes(engine: Engine) -> None:
    from sqlalchemy import select

    from db.models import Indicator

    with write_session(engine) as session:
        catalog_admin.set_years(session, "safety.hazards_fixed", None, 2022)
        with pytest.raises(catalog_admin.CatalogEditError, match="截止年份"):
            catalog_admin.set_years(session, "safety.hazards_fixed", 2020, 21000)
        session.commit()
    with read_session(engine) as session:
        row = session.execute(
            select(Indicator.first_year, Indicator.last_year).where(
                Indicator.code == "safety.hazards_fixed"
            )
        ).one()
    assert tuple(row) == (None, 2022)
