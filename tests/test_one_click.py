"""One click to the answer (issue 11): a KPI card opens its indicator's detail with the
filters kept and shows last year's figure; the category tile's link lands on a view with
targets; 分类趋势 has the diverging "change on last year, by indicator" chart."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from charts.numbers import format_value
from etl.sample import sample_frame
from tests.apptest import open_page


def links(at) -> dict[str, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """Page links drawn, by label, page and indicator: ``{"指标详情 indicator|code": params}``."""
    found = {}
    for link in at.get("page_link"):
        params = parse_qs(link.proto.query_string)
        found[f"{link.proto.label} {link.proto.page}|{params.get('indicator', [''])[0]}"] = params
    return found


def test_kpi_card_links_to_its_indicator_with_the_filters_kept(sampled_app: str) -> None:
    at = open_page("pages/overview.py", cats=["safety", "business"], regions="全市")
    found = links(at)
    key = next(k for k in found if k.endswith("|safety.hazards_fixed"))
    assert key.startswith("指标详情")
    params = found[key]
    assert params["cats"] == ["safety", "business"]  # the filters travel with the click
    assert params["regions"] == ["全市"]

    # following it opens that indicator's detail (trend against target, regions)
    detail = open_page("pages/indicator.py", **{k: v for k, v in params.items()})
    assert not detail.exception
    assert detail.selectbox(key="indicator").value == "safety.hazards_fixed"
    trend = json.loads(detail.get("plotly_chart")[0].proto.spec)
    assert any(trace.get("name") == "目标值" for trace in trend["data"])


def test_kpi_card_shows_last_years_figure(sampled_app: str) -> None:
    frame = sample_frame()
    city = frame[(frame["indicator_code"] == "safety.hazards_fixed") & (frame["region"] == "全市")]
    value_2024 = float(city.loc[city["year"] == 2024, "value"].iloc[0])
    at = open_page("pages/overview.py")
    captions = " ".join(c.value for c in at.caption)
    assert f"2024 年 {format_value(value_2024, '处')}" in captions.replace("\\", "")


def test_category_view_shows_targets_and_the_change_chart(sampled_app: str) -> None:
    at = open_page("pages/overview.py")
    tiles = [link for link in at.get("page_link") if link.proto.page == "category"]
    params = next(
        parse_qs(tile.proto.query_string)
        for tile in tiles
        if parse_qs(tile.proto.query_string)["category"] == ["business"]  # has targets
    )
    at = open_page("pages/category.py", **params)
    assert at.session_state["category"] == "business"
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    panels = specs[0]
    assert any(trace.get("name") == "目标值" for trace in panels["data"]), "targets on the panels"
    change = next(f for f in specs if "同比变化" in f["layout"]["title"]["text"])
    names = {trace["name"] for trace in change["data"]}
    assert names <= {"向好", "变差", "持平"} and names  # colour explained by a legend
    assert change["layout"]["showlegend"] is True
