"""报告年度: the overview reports on a chosen year, not on whatever year is newest.

Default (db/report_year.py): the latest year in which at least half of the indicators that
apply that year have a figure. The case from issue 11: the sample (2016–2025, complete)
plus a batch with six 2026 figures — the overview must stay on 2025, say that 2026 has
6 of 41 (48 indicators less the seven 疫情防控 ones, which apply 2020–2022 only), mark
cards whose figure is older than the reporting year, and every open session must see
2026 at its next rerun.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from db import dashboard
from db.queries import Filters
from db.report_year import default_year, report_years, year_counts
from db.session import dispose_engines, get_engine, read_session, write_session
from etl.pipeline import LoadOptions, load_file
from tests.apptest import open_page

BATCH_2026 = """指标,年份,地区,数值,单位
行政审批办理量,2026,全市,52000,件
排查治理安全隐患,2026,全市,2100,处
管养公路平均优良路率,2026,全市,93.1%,%
工程质量监督检查,2026,全市,410,次
邮政快递进出港量,2026,全市,3.6亿,件
放心消费机动车维修企业,2026,全市,120,家
"""
SIX_CODES = {
    "business.approvals",
    "safety.hazards_fixed",
    "safety.road_excellence_rate",
    "construction.inspections",
    "service.express_volume",
    "brand.trusted_repair_shops",
}


def catalog(*rows: tuple[str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "first_year", "last_year"])


def figures(*pairs: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["code", "year"])


def test_default_is_the_latest_year_most_applicable_indicators_have() -> None:
    nan = np.nan
    indicators = catalog(("a", nan, nan), ("b", nan, nan), ("c", nan, nan), ("d", nan, nan))
    series = figures(*[(c, 2024) for c in "abcd"], *[(c, 2025) for c in "ab"], ("a", 2026))
    counts = year_counts(indicators, series)
    assert counts.values.tolist() == [[2024, 4, 4], [2025, 4, 2], [2026, 4, 1]]
    assert default_year(counts) == 2025  # 2 of 4 is half: "most" means at least half
    assert default_year(year_counts(indicators, figures(("a", 2030)))) == 2030  # none reach half


def test_indicators_outside_their_years_do_not_count() -> None:
    indicators = catalog(("a", np.nan, np.nan), ("e1", 2020, 2022), ("e2", 2020, 2022))
    counts = year_counts(indicators, figures(("a", 2021), ("a", 2025), ("e1", 2021)))
    assert counts.values.tolist() == [[2021, 3, 2], [2025, 1, 1]]
    assert default_year(counts) == 2025  # 1 of 1 applicable, not 1 of 3


def load_text(engine: Engine, text: str, name: str) -> None:
    with write_session(engine) as session:
        result = load_file(session, text.encode("utf-8"), name, LoadOptions(user="ana"))
        assert result.status == "loaded", [e.message for e in result.errors]
        session.commit()


def load_sample(engine: Engine) -> None:
    from etl.sample import load_sample as load

    with write_session(engine) as session:
        assert load(session).status == "loaded"
        session.commit()


def test_six_figures_of_a_new_year_do_not_flip_the_overview(db_url: str) -> None:
    engine = get_engine(db_url)
    load_sample(engine)
    load_text(engine, BATCH_2026, "2026.csv")
    with read_session(engine) as session:
        years = report_years(session, filters=Filters())
        default = dashboard.overview(session, filters=Filters())
        chosen = dashboard.overview(session, filters=Filters(), year=2026)
    assert years.default == 2025
    assert years.count(2026) == (6, 41)
    assert years.count(2025) == (41, 41)  # the seven 疫情防控 indicators do not apply
    assert years.count(2021) == (48, 48)
    assert default.year == 2025
    cards = default.kpis.set_index("code")
    stale = {c for c, s in cards["stale"].items() if s is True}
    assert stale == {"epidemic.vehicles_checked"}  # its latest figure is from 2022
    assert not cards.loc["epidemic.vehicles_checked", "applicable"]  # 2020–2022 only
    assert int(cards.loc["epidemic.vehicles_checked", "year"]) == 2022
    cards = chosen.kpis.set_index("code")
    assert chosen.year == 2026
    stale = {c for c, s in cards["stale"].items() if s is True}
    assert stale == set(cards.index) - SIX_CODES  # every other card is older than 2026
    tiles = chosen.tiles.set_index("category")
    assert int(tiles.loc["business", "reported"]) == 1
    assert int(tiles.loc["epidemic", "indicators"]) == 0  # none applies in 2026


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'tqi.sqlite3'}"
    monkeypatch.setenv("TQI_DATABASE_URL", url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    engine = get_engine(url)
    load_sample(engine)
    yield engine
    dispose_engines()


def report_options(at) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.selectbox(key="year").options)


def test_a_committed_year_reaches_every_open_session_at_its_next_rerun(store: Engine) -> None:
    first = open_page("pages/overview.py")
    second = open_page("pages/overview.py")
    for at in (first, second):
        assert at.selectbox(key="year").value == "2025"
        assert at.slider(key="years").value == (2016, 2025)
        assert "2026" not in " ".join(report_options(at))

    load_text(store, BATCH_2026, "2026.csv")  # committed elsewhere, between two reruns

    for at in (first, second):
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert report_options(at)[0] == "2026 年（6/41 项）"
        assert at.selectbox(key="year").value == "2025"  # still most complete
        assert at.slider(key="years").value == (2016, 2026)  # the range follows the store
        captions = " ".join(c.value for c in at.caption)
        assert "2026 年已有 6/41 项" in captions
    first.selectbox(key="year").set_value("2026").run()
    warnings = " ".join(w.value for w in first.warning)
    assert "2026 年数据尚不完整：已有 6/41 项" in warnings
    badges = " ".join(m.value for m in first.markdown)  # st.badge is drawn as Markdown
    assert "2025 年数据（非 2026 年）" in badges
    assert "仅适用 2020–2022 年" in badges
