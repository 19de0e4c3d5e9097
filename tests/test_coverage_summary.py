"""The loader-kept coverage summary (``observation_coverage``) never drifts from the figures.

Every check compares the summary with a direct count of ``observation`` — the query the
数据质量 page ran before the summary existed — after loads, updates, rollbacks, dry runs
and rejected files, on SQLite and PostgreSQL. A bulk batch takes another path (recount
everything), so it is exercised too, by lowering the bulk threshold.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, and_, case, func, select, text
from sqlalchemy.orm import Session

import etl.load
from db.coverage import coverage, refresh_coverage
from db.models import CITY_WIDE, CoverageCount, Indicator, Observation
from db.queries import Filters, indicator_scope, year_scope
from db.session import create_engine_for, get_engine, read_session, upgrade_database, write_session
from etl.pipeline import BatchResult, LoadOptions, load_file
from etl.rollback import rollback_batch
from etl.sample import load_sample

APPROVALS = "business.approvals"
RATE = "safety.road_excellence_rate"
VEHICLES = "epidemic.vehicles_checked"

FIRST = """指标,年份,地区,数值,单位
行政审批办理量,2023,全市,"32,100",件
行政审批办理量,2023,城东区,"12,000",件
行政审批办理量,2024,城东区,"13,000",件
管养公路平均优良路率,2024,全市,91.5%,%
管养公路平均优良路率,2024,城西区,90.1%,%
查验车辆,2020,全市,30余万,辆次
"""
# Changes two figures, repeats one, and adds regions (and a 全市 row) to existing pairs
# and one new pair.
SECOND = """指标,年份,地区,数值,单位
行政审批办理量,2023,全市,"33,000",件
行政审批办理量,2023,城西区,"9,000",件
行政审批办理量,2024,全市,"35,000",件
行政审批办理量,2024,城西区,"11,000",件
管养公路平均优良路率,2024,全市,92.0%,%
管养公路平均优良路率,2024,城西区,90.1%,%
管养公路平均优良路率,2025,新城区,88.0%,%
"""


def load(engine: Engine, data: str, name: str, **options: object) -> BatchResult:
    with write_session(engine) as session:
        result = load_file(session, data.encode("utf-8"), name, LoadOptions(**options))
        if result.status == "loaded":
            session.commit()
        else:
            session.rollback()
    return result


def rollback(engine: Engine, batch_id: int) -> None:
    with write_session(engine) as session:
        rollback_batch(session, batch_id, user="test")
        session.commit()


def summary(engine: Engine) -> dict[tuple[str, int], tuple[int, int]]:
    """The summary table by indicator code and year: ``(regions, city)``."""
    with read_session(engine) as s:
        rows = s.execute(
            select(
                Indicator.code, CoverageCount.year, CoverageCount.regions, CoverageCount.city
            ).join(Indicator, Indicator.id == CoverageCount.indicator_id)
        ).all()
    return {(code, year): (regions, city) for code, year, regions, city in rows}


def counted(engine: Engine) -> dict[tuple[str, int], tuple[int, int]]:
    """The same, counted from the figures themselves."""
    city = func.sum(case((Observation.region == CITY_WIDE, 1), else_=0))
    with read_session(engine) as s:
        rows = s.execute(
            select(Indicator.code, Observation.year, func.count(), city)
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .group_by(Indicator.code, Observation.year)
        ).all()
    return {(code, year): (regions, int(c)) for code, year, regions, c in rows}


def coverage_counted(session: Session, filters: Filters) -> pd.DataFrame:
    """``db.coverage.coverage`` as it was before the summary: counted from observations."""
    counts = (
        select(Observation.indicator_id, Observation.year, func.count().label("regions"))
        .where(*year_scope(Observation.year, filters))
        .group_by(Observation.year, Observation.indicator_id)
        .subquery("counts")
    )
    city = Observation.__table__.alias("city")
    stmt = indicator_scope(
        select(Indicator.code, counts.c.year, counts.c.regions, city.c.indicator_id.is_not(None))
        .select_from(counts)
        .join(Indicator, Indicator.id == counts.c.indicator_id)
        .outerjoin(
            city,
            and_(
                city.c.indicator_id == counts.c.indicator_id,
                city.c.year == counts.c.year,
                city.c.region == CITY_WIDE,
            ),
        ),
        filters,
        None,
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["code", "year", "regions", "city"])
    frame["city"] = frame["city"].astype(int)
    return frame.sort_values(["code", "year"], ignore_index=True)


FILTERS = [
    Filters(),
    Filters(year_from=2023),
    Filters(year_from=2021, year_to=2024),
    Filters(categories=("business", "epidemic")),
    Filters(categories=("safety",), year_to=2024),
]


def assert_summary_exact(engine: Engine) -> None:
    assert summary(engine) == counted(engine)
    with read_session(engine) as s:
        for filters in FILTERS:
            pd.testing.assert_frame_equal(
                coverage(s, filters=filters), coverage_counted(s, filters), obj=str(filters)
            )


@pytest.fixture(params=["pairs", "bulk"])
def refresh_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways the loader refreshes: the touched pairs, or (a bulk batch) everything."""
    if request.param == "bulk":
        monkeypatch.setattr(etl.load, "BULK_INSERT_ROWS", 1)
    return str(request.param)


def test_loads_updates_and_rollbacks_keep_the_summary_exact(
    engine: Engine, refresh_path: str
) -> None:
    assert summary(engine) == {}
    first = load(engine, FIRST, "first.csv")
    assert first.status == "loaded", first.errors
    after_first = {
        (APPROVALS, 2023): (2, 1),
        (APPROVALS, 2024): (1, 0),
        (RATE, 2024): (2, 1),
        (VEHICLES, 2020): (1, 1),
    }
    assert summary(engine) == after_first
    assert_summary_exact(engine)

    second = load(engine, SECOND, "second.csv")
    assert second.status == "loaded", second.errors
    assert (second.counts["inserted"], second.counts["updated"]) == (4, 2)
    assert summary(engine) == {
        (APPROVALS, 2023): (3, 1),
        (APPROVALS, 2024): (3, 1),  # gained its 全市 row
        (RATE, 2024): (2, 1),  # figures changed, counts not
        (RATE, 2025): (1, 0),
        (VEHICLES, 2020): (1, 1),
    }
    assert_summary_exact(engine)

    rollback(engine, second.batch_id)
    assert summary(engine) == after_first
    assert_summary_exact(engine)

    rollback(engine, first.batch_id)
    assert summary(engine) == {}
    assert_summary_exact(engine)


def test_an_update_only_batch_and_a_rollback_of_updates_keep_counts(engine: Engine) -> None:
    load(engine, FIRST, "first.csv")
    changed = FIRST.replace("91.5%", "93.0%").replace('"32,100"', '"32,500"')
    update = load(engine, changed, "changed.csv")
    assert (update.counts["inserted"], update.counts["updated"]) == (0, 2)
    assert_summary_exact(engine)
    rollback(engine, update.batch_id)
    assert summary(engine)[(RATE, 2024)] == (2, 1)
    assert_summary_exact(engine)


def test_dry_runs_and_rejected_files_leave_the_summary_alone(engine: Engine) -> None:
    load(engine, FIRST, "first.csv")
    before = summary(engine)
    assert load(engine, SECOND, "second.csv", dry_run=True).status == "dry_run"
    assert summary(engine) == before
    rejected = load(engine, SECOND + "不存在的指标,2024,全市,5,件\n", "bad.csv")
    assert rejected.status == "rejected"
    assert summary(engine) == before


def test_sample_data_is_summarised(engine: Engine, refresh_path: str) -> None:
    with write_session(engine) as session:
        load_sample(session)
        session.commit()
    cells = summary(engine)
    assert cells[(APPROVALS, 2016)] == (4, 1)  # 全市 and three districts
    assert (VEHICLES, 2019) not in cells  # epidemic work only 2020–2022
    assert_summary_exact(engine)


def test_region_filter_still_counts_the_chosen_regions(engine: Engine) -> None:
    load(engine, FIRST, "first.csv")
    load(engine, SECOND, "second.csv")
    with read_session(engine) as s:
        east = coverage(s, filters=Filters(regions=("城东区",)))
        west_city = coverage(s, filters=Filters(regions=("城西区", CITY_WIDE)))
    got = {(r.code, r.year): (r.regions, r.city) for r in east.itertuples(index=False)}
    assert got == {(APPROVALS, 2023): (1, 1), (APPROVALS, 2024): (1, 1)}
    got = {(r.code, r.year): (r.regions, r.city) for r in west_city.itertuples(index=False)}
    assert got[(APPROVALS, 2023)] == (2, 1)
    assert got[(RATE, 2024)] == (2, 1)
    assert (RATE, 2025) not in got


def test_refresh_repairs_a_store_written_around_the_loader(engine: Engine) -> None:
    """A full refresh is what direct writers (the page benchmark's store) call."""
    load(engine, FIRST, "first.csv")
    with write_session(engine) as session:
        session.execute(text("DELETE FROM observation_coverage"))
        session.commit()
    assert summary(engine) == {}
    with write_session(engine) as session:
        refresh_coverage(session)
        session.commit()
    assert_summary_exact(engine)


def test_a_database_at_0003_with_figures_upgrades_with_its_summary(db_url: str) -> None:
    old = create_engine_for(db_url)
    upgrade_database(old, "0003")
    # The catalog rows as 0003 knew them, in plain SQL: the ORM model has grown since
    # (migration 0005's applicable years) and cannot write a table of that age.
    with old.begin() as conn:
        conn.execute(
            text("INSERT INTO category (code, name_zh, name_en, display_order) "
                 "VALUES ('old', '旧', 'old', 1)")
        )  # fmt: skip
        category = conn.execute(text("SELECT id FROM category WHERE code = 'old'")).scalar_one()
        for code in (APPROVALS, RATE):
            conn.execute(
                text(
                    "INSERT INTO indicator (code, category_id, name_zh, name_en, aliases, "
                    "phrasings, unit, aggregation, direction, description, active, "
                    "display_order) VALUES (:code, :category, :code, :code, '[]', '[]', "
                    "'件', 'sum', 'up', '', :active, 0)"
                ),
                {"code": code, "category": category, "active": True},
            )
        ids = dict(conn.execute(text("SELECT code, id FROM indicator")).all())
    figures = [
        (APPROVALS, 2023, CITY_WIDE),
        (APPROVALS, 2023, "城东区"),
        (APPROVALS, 2024, "城东区"),
        (RATE, 2024, "城西区"),
    ]
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO observation (indicator_id, year, region, value) "
                "VALUES (:indicator_id, :year, :region, 1.0)"
            ),
            [{"indicator_id": ids[c], "year": y, "region": r} for c, y, r in figures],
        )
    old.dispose()

    upgraded = get_engine(db_url)  # what the app and the CLI do on start-up
    assert summary(upgraded) == {
        (APPROVALS, 2023): (2, 1),
        (APPROVALS, 2024): (1, 0),
        (RATE, 2024): (1, 0),
    }
    assert_summary_exact(upgraded)


def test_not_applicable_years_are_not_gaps_and_regions_are_districts(engine: Engine) -> None:
    """数据质量 on the sample: 疫情防控 applies 2020–2022 (catalog, migration 0005), so its
    empty 2016–2019 and 2023–2025 are not missing; the sample has every other figure.
    Regions are the three districts — 全市 is the city total, as on every other page."""
    from db.dashboard import coverage_view

    with write_session(engine) as session:
        load_sample(session)
        session.commit()
    with read_session(engine) as session:
        view = coverage_view(session, filters=Filters())
    assert view.missing == 0
    assert view.gaps.empty
    assert view.filled == pytest.approx(100.0)
    assert view.region_count == 3
    assert view.matrix.loc[APPROVALS, 2016] == 3  # three districts (the 全市 row not counted)
    assert bool(view.not_applicable.loc[VEHICLES, 2019])
    assert not bool(view.not_applicable.loc[VEHICLES, 2021])
    assert not view.not_applicable.loc[APPROVALS].any()
