"""The 简报导出 page through AppTest: widgets, defaults, and the plain "cannot export" message."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from db.session import get_engine, write_session
from etl.sample import load_sample
from tests.apptest import open_page


def briefing_page(monkeypatch: pytest.MonkeyPatch, url: str, **params: str) -> AppTest:
    monkeypatch.setenv("TQI_DATABASE_URL", url)
    return open_page("pages/briefing_export.py", **params)


@pytest.fixture
def sample_url(sqlite_url: str) -> str:
    with write_session(get_engine(sqlite_url)) as session:
        load_sample(session)
        session.commit()
    return sqlite_url


def download_labels(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


def test_page_offers_pack_and_pngs(monkeypatch: pytest.MonkeyPatch, sample_url: str) -> None:
    at = briefing_page(monkeypatch, sample_url)
    assert at.title[0].value == "简报导出"
    chosen = at.multiselect(key="briefing_charts").value
    assert len(chosen) >= 12 and chosen[0] == "targets"
    labels = download_labels(at)
    assert labels[:2] == ["生成简报 PPTX", "生成简报 PDF"]
    assert labels.count("PNG") == len(chosen)
    assert at.slider(key="briefing_years").value == (2016, 2025)
    previews = [c for c in at.get("plotly_chart") if '"staticPlot": true' in c.proto.config]
    assert len(previews) == len(chosen)  # a small preview of every chart it will export


def test_english_labels(monkeypatch: pytest.MonkeyPatch, sample_url: str) -> None:
    at = briefing_page(monkeypatch, sample_url, lang="en")
    assert at.title[0].value == "Briefing"
    assert download_labels(at)[:2] == ["Download PPTX", "Download PDF"]
    # the pack itself (and its chart titles) stay Chinese: it is made for the bureau


def test_fewer_charts_fewer_buttons(monkeypatch: pytest.MonkeyPatch, sample_url: str) -> None:
    at = briefing_page(monkeypatch, sample_url)
    at.multiselect(key="briefing_charts").set_value(["indicator:safety.drills"]).run()
    assert download_labels(at).count("PNG") == 1
    assert any("共 3 页" in c.value for c in at.caption)
    at.multiselect(key="briefing_charts").set_value([]).run()
    assert not at.exception
    assert "生成简报 PPTX" not in download_labels(at)


def test_no_chromium_is_said_plainly(
    monkeypatch: pytest.MonkeyPatch, sample_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TQI_CHROMIUM", str(tmp_path / "no-chromium"))
    at = briefing_page(monkeypatch, sample_url)
    assert "未找到 Chromium" in at.error[0].value
    assert download_labels(at) == []


def test_empty_store(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    at = briefing_page(monkeypatch, sqlite_url)
    assert "还没有指标数据" in at.info[0].value
    assert download_labels(at) == []
