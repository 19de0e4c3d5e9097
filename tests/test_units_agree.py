"""Units agree everywhere: every chart the pages and the briefing build from the sample data
names the same unit in its title (or panel title), on its value axis and in its hover and
data labels — a leader must never read 平方米 over an axis in 万平方米 (issue 11).

The charts are the ones the app really draws (parsed from the AppTest page's plotly
elements) and the ones the briefing really exports (``briefing.charts``), not rebuilt here.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from briefing.charts import build_chart, chart_catalogue, titled
from briefing.data import read_briefing_data
from db.catalog import read_catalog_file
from db.session import get_engine, read_session
from tests.apptest import open_page
from texts import unit_label

PAREN = re.compile(r"[（(]([^（）()]+)[）)]")


def unit_words() -> set[str]:
    """Every way a catalog unit can be written on a chart, scaled or not, in both languages."""
    words = set()
    for spec in read_catalog_file()["indicators"]:
        zh = unit_label(spec["unit"], "zh", code=spec["code"])
        en = unit_label(spec["unit"], "en", code=spec["code"])
        words |= {zh, f"万{zh}", f"亿{zh}", en, f"million {en}", f"billion {en}"}
    return words - {"", "%"}


UNITS = unit_words()


def claimed_units(text: str) -> list[str]:
    """The units a title states in brackets: ``整修路肩边坡（万平方米）`` → ``万平方米``."""
    plain = re.sub(r"<br>", " ", text or "")
    return [m.strip() for m in PAREN.findall(plain) if m.strip() in UNITS]


def unit_of(label: str) -> str:
    """The unit a value label states: ``≥15.00万平方米`` → ``万平方米``."""
    return re.sub(r"^[≥≈]?[-+\d,.]+\s?", "", label)


def value_axis(figure: dict, trace: dict) -> dict:
    """The layout axis a trace's values are drawn on (x for horizontal bars)."""
    layout = figure["layout"]
    if trace.get("orientation") == "h":
        return layout.get("xaxis" + trace.get("xaxis", "x")[1:], {})
    return layout.get("yaxis" + trace.get("yaxis", "y")[1:], {})


def axis_label(axis: dict) -> str:
    title = axis.get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title)


def panel_axis(figure: dict, note: dict) -> str | None:
    """The y axis (``yaxis3``) whose panel a subplot title sits on (top centre of its domain)."""
    layout = figure["layout"]
    for key, axis in layout.items():
        if not key.startswith("yaxis") or "domain" not in axis:
            continue
        x_axis = layout.get("xaxis" + key[5:], {})
        x0, x1 = x_axis.get("domain", [0, 1])
        if abs((x0 + x1) / 2 - note["x"]) < 1e-6 and abs(axis["domain"][1] - note["y"]) < 1e-6:
            return key
    return None


def check(figure: dict, where: str) -> int:
    """Assert every unit claim of ``figure`` matches its axis; return how many were checked."""
    checked = 0
    layout = figure["layout"]
    traces = [t for t in figure.get("data", []) if t.get("type") in ("scatter", "bar")]
    if not traces:
        return 0
    main = axis_label(value_axis(figure, traces[0]))
    title = layout.get("title", {})
    for unit in claimed_units(title.get("text", "") if isinstance(title, dict) else title):
        if main:
            assert unit == main, f"{where}: title says {unit}, axis says {main}"
        else:  # the unit only in the title (a phone panel): its labels must agree
            for text in [c for t in traces for c in t.get("customdata") or [] if c != "—"]:
                assert unit_of(text) == unit, f"{where}: title says {unit}, a label {text}"
        checked += 1
    for note in layout.get("annotations", []):
        key = panel_axis(figure, note) if note.get("xref") == "paper" else None
        for unit in claimed_units(note.get("text", "")) if key is not None else []:
            label = axis_label(layout[key])  # type: ignore[index]
            assert label in ("", unit), f"{where}: panel {note['text']} has its axis in {label}"
            on_panel = [t for t in traces if "y" + key[5:] == t.get("yaxis", "y")]  # type: ignore[index]
            texts = [c for t in on_panel for c in t.get("customdata") or [] if c != "—"]
            assert texts, f"{where}: panel {note['text']} has no labelled figures"
            for text in texts:
                assert unit_of(text) == unit, f"{where}: {note['text']} but a label reads {text}"
            checked += 1 + len(texts)
    for trace in traces:
        label = axis_label(value_axis(figure, trace))
        for text in [*(trace.get("customdata") or []), *(trace.get("text") or [])]:
            if not isinstance(text, str) or text == "—" or label in ("", "%"):
                continue
            if label in UNITS:
                assert unit_of(text) == label, f"{where}: label {text!r} on an axis in {label}"
                checked += 1
    return checked


def page_figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_category_page_units_agree(sampled_app: str, lang: str) -> None:
    at = open_page("pages/category.py", lang=lang)
    checked = 0
    codes = [c["code"] for c in read_catalog_file()["categories"]]
    for code in codes:
        for view in ("city", "regions"):
            at.session_state["category"] = code
            at.session_state["view"] = view
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            for figure in page_figures(at):
                checked += check(figure, f"分类趋势 {code}/{view}/{lang}")
    assert checked > 100  # every panel title and hover label of six categories


def test_indicator_and_overview_pages_units_agree(sampled_app: str) -> None:
    at = open_page("pages/overview.py")
    checked = sum(check(f, "总览") for f in page_figures(at))
    at = open_page("pages/indicator.py")
    for spec in read_catalog_file()["indicators"]:
        at.session_state["indicator"] = spec["code"]
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        for figure in page_figures(at):
            checked += check(figure, f"指标详情 {spec['code']}")
    assert checked > 100


def test_briefing_charts_units_agree(sampled_app: str) -> None:
    with read_session(get_engine(sampled_app)) as session:
        data = read_briefing_data(session, (2016, 2025))
    checked = 0
    for chart in chart_catalogue(data):
        figure = titled(build_chart(data, chart)).to_plotly_json()
        checked += check(figure, f"简报 {chart.chart_id}")
    assert checked > 200


def test_the_check_notices_a_panel_disagreement() -> None:
    """A panel titled in 平方米 whose labels read 万平方米 is caught too."""
    figure = {
        "data": [{"type": "scatter", "y": [15.0], "customdata": ["15.00万平方米"], "yaxis": "y"}],
        "layout": {
            "annotations": [
                {"text": "整修路肩边坡（平方米）", "x": 0.5, "y": 1.0, "xref": "paper"}
            ],
            "xaxis": {"domain": [0, 1]},
            "yaxis": {"domain": [0, 1], "title": {"text": ""}},
        },
    }
    with pytest.raises(AssertionError, match="but a label reads"):
        check(figure, "hand-made")


def test_the_check_notices_a_disagreement() -> None:
    """The checker itself: a title in 平方米 over an axis in 万平方米 is caught."""
    figure = {
        "data": [{"type": "scatter", "y": [15.0], "customdata": ["15.00万平方米"]}],
        "layout": {
            "title": {"text": "整修路肩边坡（平方米）"},
            "yaxis": {"title": {"text": "万平方米"}},
        },
    }
    with pytest.raises(AssertionError, match="title says 平方米"):
        check(figure, "hand-made")
