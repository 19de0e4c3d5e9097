"""Catalog edits (db/catalog_admin.py): aliases and new indicators, names unique everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db import catalog_admin
from db.catalog import load_catalog
from db.session import read_session, write_session

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
