"""The dashboard's pages through streamlit.testing.v1.AppTest, on real SQLite stores.

Every page is run through ``app.py`` (navigation, sidebar filters, language) on the sample
data and on an empty store; filters are driven by their widgets and by the URL (a copied
link), and the edge states — one year, no data for a year, a region filter that leaves
nothing — must show a message, never a traceback or an empty chart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update
from streamlit.testing.v1 import AppTest

from db import users
from db.models import Batch, Indicator, Observation
from db.session import dispose_engines, get_engine, write_session
from tests.apptest import ANALYST, open_page
from tests.conftest import copy_store
from ui.auth import SessionUser

CJK = re.compile(r"[\u4e00-\u9fff]")
PAGES = {
    "pages/overview.py": ("交通运输质量指标总览", "Transport quality at a glance"),
    "pages/category.py": ("分类趋势", "Trends by category"),
    "pages/indicator.py": ("指标详情", "Indicator detail"),
    "pages/coverage.py": ("数据质量：覆盖情况", "Data coverage"),
}
EMPTY_BUTTONS = {
    "pages/overview.py": "load_sample_overview",
    "pages/category.py": "load_sample_category",
    "pages/indicator.py": "load_sample_indicator",
    "pages/coverage.py": "load_sample_coverage",
}


@pytest.fixture
def store(
    accounts_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty, migrated store the app reads through ``TQI_DATABASE_URL`` (with the
    template's accounts: ``ana`` is an analyst, ``vi`` a viewer)."""
    url = copy_store(accounts_template, tmp_path / "tqi.sqlite3")
    monkeypatch.setenv("TQI_DATABASE_URL", url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    get_engine(url)
    yield url
    dispose_engines()


@pytest.fixture
def sample_store(store: str) -> str:
    from etl.sample import load_sample

    with write_session(get_engine(store)) as session:
        assert load_sample(session).status == "loaded"
        session.commit()
    return store


def charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.title)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_the_sample(sample_store: str, page: str, lang: str) -> None:
    at = open_page(page, lang=lang)
    zh, en = PAGES[page]
    assert at.title[0].value == (zh if lang == "zh" else en)
    assert charts(at), "each page draws at least one chart on the sample data"
    assert not at.error
    if lang == "en":  # no Chinese UI text left (data, such as district names, may stay)
        labels = [m.label for m in at.metric] + [m.value for m in at.metric]
        labels += [c.value for c in at.caption]
        assert not [label for label in labels if CJK.search(label)], labels


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_on_an_empty_store_offers_the_sample(store: str, page: str) -> None:
    at = open_page(page, ANALYST)
    assert "数据库中还没有指标数据" in at.info[0].value
    assert at.button(key=EMPTY_BUTTONS[page]).label == "加载示例数据"
    assert not charts(at)


@pytest.mark.parametrize("user", [None, SessionUser("vi", "Vi", "viewer")])
@pytest.mark.parametrize("page", list(PAGES))
def test_only_an_analyst_is_offered_the_sample(
    store: str, page: str, user: SessionUser | None
) -> None:
    """Anonymous visitors and leaders (viewers) get the first-run screen: how an analyst
    loads the data, and no button to do it themselves."""
    at = open_page(page, user)
    info = at.info[0].value
    assert "数据库中还没有指标数据" in info
    assert "统计员" in info and "登录" in info and "python -m etl sample" in info
    assert not [b for b in at.button if b.label == "加载示例数据"]
    assert not charts(at)
    english = open_page(page, user, lang="en")
    assert "log in" in english.info[0].value and "analyst" in english.info[0].value


def test_loading_the_sample_is_refused_once_the_role_is_gone(store: str) -> None:
    """The server checks the role when the click arrives, not only when drawing the
    button: an analyst demoted in between (another tab, the CLI) loads nothing."""
    at = open_page("pages/overview.py", ANALYST)
    button = at.button(key="load_sample_overview")
    with write_session(get_engine(store)) as session:
        users.set_role(session, "ana", "viewer")
        session.commit()
    button.click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "未加载：只有统计员可以加载示例数据，请先以统计员身份登录。"
    ]
    with write_session(get_engine(store)) as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 0
        assert session.scalar(select(func.count()).select_from(Batch)) == 0


def test_one_click_loads_the_labelled_sample(store: str) -> None:
    at = open_page("pages/overview.py", ANALYST)
    at.button(key="load_sample_overview").click().run()
    assert not at.exception
    assert len(at.metric) == 8
    assert charts(at)
    assert "示例数据" in [b.proto.label for b in at.get("badge")] or "示例数据" in texts(at)


def test_category_filter_changes_the_cards(sample_store: str) -> None:
    at = open_page("pages/overview.py")
    everything = [m.label for m in at.metric]
    at.sidebar.multiselect(key="cats").set_value(["safety"]).run()
    assert [m.label for m in at.metric] == ["排查治理安全隐患", "管养公路平均优良路率"]
    assert at.query_params["cats"] == "safety"  # mirrored in the URL
    assert len(everything) == 8


def test_region_and_year_filters_from_a_link(sample_store: str) -> None:
    city = open_page("pages/overview.py")
    district = open_page("pages/overview.py", regions="城东区", years=["2016", "2018"])
    value = {m.label: m.value for m in city.metric}["排查治理安全隐患"]
    district_value = {m.label: m.value for m in district.metric}["排查治理安全隐患"]
    assert value != district_value
    assert "2018 年" in texts(district) and "城东区合计" in texts(district)
    assert district.sidebar.slider(key="years").value == (2016, 2018)


def test_filters_reach_every_page(sample_store: str) -> None:
    category = open_page("pages/category.py", cats="epidemic")
    assert category.segmented_control(key="category").value == "epidemic"  # opens on it
    assert len(category.segmented_control(key="category").options) == 6  # one control: all
    assert not [m for m in category.sidebar.multiselect if m.key == "cats"]
    indicator = open_page("pages/indicator.py", regions="城东区", indicator="safety.drills")
    table = indicator.dataframe[-1].value  # the figures table
    assert set(table["地区"]) == {"城东区"}
    coverage = open_page("pages/coverage.py", cats="epidemic")
    assert {m.label: m.value for m in coverage.metric}["有数据的指标"] == "7/7"


def test_language_switch_survives_page_changes(sample_store: str) -> None:
    at = open_page("pages/overview.py")
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert at.title[0].value == "Transport quality at a glance"
    assert at.query_params["lang"] == "en"
    assert any("items" in m.value for m in at.metric)  # units in English too
    for page, (_zh, en) in PAGES.items():
        at.switch_page(page).run()
        assert not at.exception
        assert at.title[0].value == en


def test_a_link_opens_the_same_view(sample_store: str) -> None:
    at = open_page("pages/category.py", category="safety", view="regions", lang="en")
    assert at.segmented_control(key="category").value == "safety"
    assert at.segmented_control(key="view").value == "regions"
    assert at.title[0].value == "Trends by category"
    indicator = open_page("pages/indicator.py", indicator="safety.road_excellence_rate")
    assert indicator.selectbox(key="indicator").value == "safety.road_excellence_rate"


def test_a_region_filter_that_leaves_nothing(sample_store: str) -> None:
    params = {"regions": "城东区", "cats": "epidemic", "years": ["2016", "2018"]}
    for page in PAGES:
        at = open_page(page, **params)
        assert not charts(at), page
        assert any("没有数据" in i.value for i in at.info), (page, texts(at))


def test_a_year_with_no_data(sample_store: str) -> None:
    at = open_page("pages/overview.py", cats="epidemic", years=["2017", "2017"])
    assert "2017 年没有数据" in at.info[0].value
    assert not charts(at)


def _store_with(url: str, figures: list[tuple[str, int, str, float]]) -> None:
    engine = get_engine(url)
    with write_session(engine) as session:
        ids = dict(session.execute(select(Indicator.code, Indicator.id)).all())
        batch = Batch(source_name="one.csv", sha256="o" * 64)
        session.add(batch)
        session.flush()
        session.execute(
            insert(Observation),
            [
                {"indicator_id": ids[c], "year": y, "region": r, "value": v, "batch_id": batch.id}
                for c, y, r, v in figures
            ],
        )
        session.commit()


def test_an_indicator_with_one_year(store: str) -> None:
    _store_with(
        store, [("safety.drills", 2020, "全市", 40.0), ("safety.drills", 2020, "东区", 40.0)]
    )
    at = open_page("pages/indicator.py", indicator="safety.drills")
    assert "只有 2020 年一年数据" in texts(at)
    assert {m.label: m.value for m in at.metric}["最新值（2020 年）"] == "40次"
    overview = open_page("pages/overview.py")  # open_page: no exception element
    assert overview.title[0].value == "交通运输质量指标总览"
    assert overview.metric  # its cards drew, not the empty store's offer
    assert not [i for i in overview.info if "数据库中还没有指标数据" in i.value]
    category = open_page("pages/category.py", category="safety")
    assert category.title[0].value == "分类趋势"
    assert charts(category), "the category's chart, one year or not"


def test_catalog_text_is_never_markup(sample_store: str) -> None:
    engine = get_engine(sample_store)
    with write_session(engine) as session:
        session.execute(
            update(Indicator)
            .where(Indicator.code == "business.approvals")
            .values(name_zh="**审批**<img src=x onerror=alert(1)>")
        )
        session.commit()
    at = open_page("pages/overview.py")
    label = at.metric[0].label
    assert label.startswith("\\*\\*审批\\*\\*\\<img")  # Markdown-escaped, shown literally
    assert all("<img" not in h.proto.body for h in at.get("html"))


def test_region_names_from_files_are_never_markup(store: str) -> None:
    region = "[点我](http://example.com)"
    _store_with(store, [("safety.drills", 2020, region, 5.0), ("safety.drills", 2021, region, 6.0)])
    at = open_page("pages/overview.py", regions=region)
    assert "\\[点我\\]\\(http" in texts(at)  # shown as typed, not as a link
    assert "[点我](http" not in texts(at)
