"""db.queries and db.dashboard against real databases (SQLite file; PostgreSQL when set).

The store is filled with a few hand-made figures whose right answers are known: a city
figure (全市) that differs from the sum of its districts, a year with districts only, a
rate that must be averaged, qualifiers, targets. Batches for the data-version tests go
through the real ETL (load_file / rollback_batch).
"""

from __future__ import annotations

import math

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from db import coverage, dashboard, queries
from db.coverage import refresh_coverage
from db.models import Batch, Indicator, Observation, Target
from db.queries import Filters
from db.regions import region_values
from db.session import read_session, write_session

HAZARDS = "safety.hazards_fixed"  # sum, up, 处
RATE = "safety.road_excellence_rate"  # mean, up, %
ACCIDENTS = "construction.quality_accidents"  # sum, down
APPROVALS = "business.approvals"  # sum, up

# (code, year, region, value, qualifier)
FIGURES = [
    # hazards: 全市 given and deliberately not the districts' sum (the city row wins)
    (HAZARDS, 2019, "全市", 1000.0, None),
    (HAZARDS, 2019, "东区", 300.0, None),
    (HAZARDS, 2019, "西区", 400.0, None),
    (HAZARDS, 2020, "全市", 1100.0, "more_than"),
    (HAZARDS, 2020, "东区", 350.0, None),
    (HAZARDS, 2020, "西区", 450.0, None),
    # 2021: districts only → summed
    (HAZARDS, 2021, "东区", 500.0, "more_than"),
    (HAZARDS, 2021, "西区", 600.0, None),
    # rate: districts only in 2020 → averaged, never summed
    (RATE, 2019, "全市", 90.0, None),
    (RATE, 2020, "东区", 80.0, None),
    (RATE, 2020, "西区", 90.0, "about"),
    # accidents (fewer is better)
    (ACCIDENTS, 2019, "全市", 4.0, None),
    (ACCIDENTS, 2020, "全市", 2.0, None),
    # approvals: one year only
    (APPROVALS, 2020, "全市", 5000.0, None),
    (APPROVALS, 2020, "北区", 9000.0, None),
]
TARGETS = [
    (HAZARDS, 2020, "全市", 1000.0),
    (HAZARDS, 2021, "东区", 450.0),
    (HAZARDS, 2021, "西区", 500.0),
    (RATE, 2020, "东区", 85.0),
    (RATE, 2020, "西区", 95.0),
    (ACCIDENTS, 2020, "全市", 3.0),
]


def fill(engine: Engine, figures=FIGURES, targets=TARGETS) -> int:
    with write_session(engine) as session:
        ids = dict(session.execute(select(Indicator.code, Indicator.id)).all())
        batch = Batch(source_name="手工测试.csv", sha256="t" * 64, loaded_by="test")
        session.add(batch)
        session.flush()
        session.execute(
            insert(Observation),
            [
                {"indicator_id": ids[c], "year": y, "region": r, "value": v,
                 "qualifier": q, "note": f"备注{y}", "batch_id": batch.id}
                for c, y, r, v, q in figures
            ],
        )  # fmt: skip
        if targets:
            session.execute(
                insert(Target),
                [
                    {"indicator_id": ids[c], "year": y, "region": r, "value": v}
                    for c, y, r, v in targets
                ],
            )
        refresh_coverage(session)  # figures written around the loader: keep its summary too
        session.commit()
        return batch.id


@pytest.fixture
def filled(engine: Engine) -> Engine:
    fill(engine)
    return engine


def series_of(session: Session, filters: Filters, code: str) -> dict[int, tuple]:
    frame = queries.city_series(session, filters=filters, codes=[code])
    return {int(r.year): (r.value, r.qualifier, r.source) for r in frame.itertuples(index=False)}


def test_city_wide_prefers_the_city_row_then_combines_districts(filled: Engine) -> None:
    with read_session(filled) as s:
        hazards = series_of(s, Filters(), HAZARDS)
        rate = series_of(s, Filters(), RATE)
    assert hazards[2019] == (1000.0, None, "city")  # not 300 + 400
    assert hazards[2020] == (1100.0, "more_than", "city")
    assert hazards[2021] == (1100.0, "more_than", "districts")  # 500余 + 600 → ≥1100
    assert rate[2019] == (90.0, None, "city")
    assert rate[2020] == (85.0, "about", "districts")  # mean of 80 and 90, not 170


def test_choosing_districts_combines_only_those(filled: Engine) -> None:
    with read_session(filled) as s:
        both = series_of(s, Filters(regions=("东区", "西区")), HAZARDS)
        east = series_of(s, Filters(regions=("东区",)), HAZARDS)
        rate = series_of(s, Filters(regions=("东区", "西区")), RATE)
        with_city = series_of(s, Filters(regions=("全市", "东区")), HAZARDS)
    assert both[2019] == (700.0, None, "regions")
    assert east == {2019: (300.0, None, "regions"), 2020: (350.0, None, "regions"),
                    2021: (500.0, "more_than", "regions")}  # fmt: skip
    assert rate == {2020: (85.0, "about", "regions")}
    # 全市 among the chosen regions: the headline stays city-wide
    assert with_city[2019] == (1000.0, None, "city")


def test_year_and_category_filters(filled: Engine) -> None:
    with read_session(filled) as s:
        frame = queries.city_series(s, filters=Filters(year_from=2020, year_to=2020))
        safety = queries.city_series(s, filters=Filters(categories=("safety",)))
    assert set(frame["year"]) == {2020}
    assert set(safety["code"]) == {HAZARDS, RATE}


def test_targets_follow_the_same_rule(filled: Engine) -> None:
    with read_session(filled) as s:
        frame = queries.target_series(s, filters=Filters())
        east = queries.target_series(s, filters=Filters(regions=("东区",)))
    got = {(r.code, int(r.year)): r.target for r in frame.itertuples(index=False)}
    assert got[(HAZARDS, 2020)] == 1000.0
    assert got[(HAZARDS, 2021)] == 950.0  # districts summed
    assert got[(RATE, 2020)] == 90.0  # districts averaged
    assert {(r.code, int(r.year)): r.target for r in east.itertuples(index=False)} == {
        (HAZARDS, 2021): 450.0,
        (RATE, 2020): 85.0,
    }


def test_region_values_never_combine_and_keep_the_largest(filled: Engine) -> None:
    with read_session(filled) as s:
        every = region_values(s, filters=Filters(), codes=[HAZARDS])
        top = region_values(s, filters=Filters(), codes=[HAZARDS], max_regions=1)
        chosen = region_values(s, filters=Filters(regions=("全市",)), codes=[HAZARDS])
    assert "全市" not in set(every["region"])
    assert len(every) == 6
    assert set(top["region"]) == {"西区"}  # largest in the latest year (2021: 600)
    assert set(chosen["region"]) == {"全市"}


def test_lists_and_bounds(filled: Engine, engine: Engine) -> None:
    with read_session(filled) as s:
        assert queries.list_regions(s) == ["全市", *sorted(["东区", "西区", "北区"])]
        assert queries.year_bounds(s) == (2019, 2021)
        indicators = queries.list_indicators(s, filters=Filters(categories=("safety",)))
    assert len(indicators) == 13
    assert indicators.iloc[0]["code"] == HAZARDS


def test_empty_store(engine: Engine) -> None:
    with read_session(engine) as s:
        assert queries.year_bounds(s) is None
        assert queries.list_regions(s) == []
        assert queries.city_series(s, filters=Filters()).empty
        overview = dashboard.overview(s, filters=Filters())
        cover = dashboard.coverage_view(s, filters=Filters())
        category = dashboard.category_view(s, filters=Filters(), category="safety")
        detail = dashboard.indicator_view(s, filters=Filters(), code=HAZARDS)
    assert overview.year is None
    assert cover.years == []
    assert category.series.empty
    assert detail.series.empty


def test_indicator_figures_name_their_batch_and_target(filled: Engine) -> None:
    with read_session(filled) as s:
        frame = queries.indicator_figures(s, code=HAZARDS, filters=Filters())
        detail = dashboard.indicator_view(s, filters=Filters(), code=HAZARDS)
    assert list(frame["year"])[:2] == [2021, 2021]  # newest first
    row = frame[(frame["year"] == 2020) & (frame["region"] == "全市")].iloc[0]
    assert row["qualifier"] == "more_than"
    assert row["target"] == 1000.0
    assert row["batch_source"] == "手工测试.csv"
    assert row["note"] == "备注2020"
    assert set(detail.figures["region"]) == {"全市", "东区", "西区"}  # what the charts show


def test_coverage_counts_regions(filled: Engine) -> None:
    with read_session(filled) as s:
        cells = coverage.coverage(s, filters=Filters())
        by_region = coverage.region_coverage(s, filters=Filters(), regions=["东区", "北区"])
        view = dashboard.coverage_view(s, filters=Filters(categories=("safety",)))
    got = {(r.code, int(r.year)): (r.regions, r.city) for r in cells.itertuples(index=False)}
    assert got[(HAZARDS, 2019)] == (3, 1)
    assert got[(HAZARDS, 2021)] == (2, 0)
    assert {(r.region, int(r.year)): r.indicators for r in by_region.itertuples()} == {
        ("东区", 2019): 1, ("东区", 2020): 2, ("东区", 2021): 1, ("北区", 2020): 1,
    }  # fmt: skip
    assert view.years == [2019, 2020, 2021]
    assert view.matrix.loc[HAZARDS].tolist() == [2, 2, 2]  # districts: 全市 is not a region
    assert view.matrix.loc[RATE, 2019] == 0  # only the 全市 figure: covered, no district
    assert math.isnan(view.matrix.loc[RATE, 2021])
    gaps = dict(zip(view.gaps["code"], view.gaps["missing"], strict=True))
    assert gaps[RATE] == [2021]
    assert gaps["safety.drills"] == [2019, 2020, 2021]
    assert view.reported == 2


def test_change_and_completion_read_the_direction(filled: Engine) -> None:
    with read_session(filled) as s:
        data = dashboard.indicator_view(s, filters=Filters(), code=ACCIDENTS)
        rate = dashboard.indicator_view(s, filters=Filters(), code=RATE)
        hazards = dashboard.indicator_view(s, filters=Filters(), code=HAZARDS)
    last = data.series.iloc[-1]
    assert last["change"] == pytest.approx(-50.0)  # 4 → 2 accidents
    assert last["favourable"] > 0  # fewer accidents is good
    assert last["completion"] == pytest.approx(150.0) and last["met"]  # target 3, got 2
    step = rate.series.set_index("year").loc[2020]
    assert step["change_kind"] == "pp" and step["change"] == pytest.approx(-5.0)
    assert step["favourable"] < 0
    h = hazards.series.set_index("year")
    assert h.loc[2020, "completion"] == pytest.approx(110.0)
    assert h.loc[2021, "completion"] == pytest.approx(1100 / 950 * 100)


def test_overview_cards_and_tiles(filled: Engine) -> None:
    with read_session(filled) as s:
        data = dashboard.overview(s, filters=Filters())
        safety = dashboard.overview(s, filters=Filters(categories=("safety",)))
    assert data.year == 2021
    codes = list(data.kpis["code"])
    assert codes[:3] == [APPROVALS, HAZARDS, RATE]  # headline order
    cards = data.kpis.set_index("code")
    assert cards.loc[APPROVALS, "year"] == 2020  # its latest figure, not the overview year
    assert cards.loc[HAZARDS, "spark"] == [1000.0, 1100.0, 1100.0]
    assert len(data.tiles) == 6
    tile = data.tiles.set_index("category").loc["safety"]
    assert (tile["reported"], tile["indicators"], tile["targets"], tile["met"]) == (1, 13, 1, 1)
    assert list(safety.kpis["code"]) == [HAZARDS, RATE]


def test_category_view_rates_are_never_summed(filled: Engine) -> None:
    with read_session(filled) as s:
        city = dashboard.category_view(s, filters=Filters(), category="safety")
        regions = dashboard.category_view(s, filters=Filters(), category="safety", by_region=True)
    rate = city.series[city.series["code"] == RATE].set_index("year")["value"]
    assert rate.to_dict() == {2019: 90.0, 2020: 85.0}
    assert set(regions.series["region"]) == {"东区", "西区"}
    latest = city.table.set_index("code")
    assert latest.loc[HAZARDS, "year"] == 2021 and latest.loc[HAZARDS, "change"] == 0


def test_data_version_changes_on_load_and_rollback(engine: Engine) -> None:
    from etl.pipeline import LoadOptions, load_file
    from etl.rollback import rollback_batch

    def version() -> str:
        with read_session(engine) as s:
            return queries.data_version(s)

    empty = version()
    csv = "指标,年份,数值\n排查治理安全隐患,2020,1200\n".encode()
    with write_session(engine) as s:
        result = load_file(s, csv, "a.csv", LoadOptions(user="t"))
        s.commit()
    assert result.status == "loaded"
    loaded = version()
    assert loaded != empty
    with write_session(engine) as s:
        rollback_batch(s, result.batch_id, user="t")
        s.commit()
    assert version() not in (empty, loaded)


def test_city_series_reads_the_region_index(sqlite_url: str) -> None:
    """The pages' hottest query seeks the region-led index instead of scanning."""
    from db.session import get_engine

    engine = get_engine(sqlite_url)
    fill(engine)
    with read_session(engine) as s:
        stmt = queries.indicator_scope(  # the statement city_series runs first
            select(Indicator.code, Observation.year, Observation.value).join(
                Indicator, Indicator.id == Observation.indicator_id
            ),
            Filters(),
            None,
        ).where(Observation.region == "全市")
        compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(str(row[-1]) for row in s.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_observation_region" in plan, plan
