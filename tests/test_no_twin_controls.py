"""No page shows the same control twice, and the shared filters appear only where they act.

Every page is opened through ``app.py`` (sidebar included) by an admin, who sees them all,
on the sample data in both languages. Two widgets with one label are one control shown
twice (分类趋势's category was the sidebar's 工作类别 and the page's own) — or two controls a
reader cannot tell apart. Each is told by the label a user reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node, Widget

from db.session import dispose_engines, get_engine, write_session
from tests.apptest import open_page
from tests.conftest import copy_store
from ui.auth import SessionUser
from ui.navigation import PAGES

ADMIN = SessionUser("boss", "Boss", "admin")
FILTER_KEYS = {"years", "cats", "regions", "reset_filters"}
ROW_ACTIONS = {"PNG"}  # 简报导出: one download beside each chart's title, the row says which
FILTERED = {"pages/overview.py", "pages/category.py", "pages/indicator.py", "pages/coverage.py"}


@pytest.fixture(scope="module")
def sample_url(accounts_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from etl.sample import load_sample

    url = copy_store(accounts_template, tmp_path_factory.mktemp("twins") / "tqi.sqlite3")
    with write_session(get_engine(url)) as session:
        assert load_sample(session).status == "loaded"
        session.commit()
    yield url
    dispose_engines()


def widgets(node: Node) -> Iterator[Widget]:
    if isinstance(node, Widget):
        yield node
    if isinstance(node, Block):
        for child in node.children.values():
            yield from widgets(child)


def labels(at: AppTest) -> list[str]:
    """The label a user reads on each widget (a form's submit button included)."""
    return [str(w.label) for w in widgets(at._tree) if str(getattr(w, "label", "") or "")]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_no_page_shows_one_control_twice(
    sample_url: str, monkeypatch: pytest.MonkeyPatch, page: str, lang: str
) -> None:
    monkeypatch.setenv("TQI_DATABASE_URL", sample_url)
    monkeypatch.delenv("TQI_REQUIRE_LOGIN", raising=False)
    at = open_page(page, ADMIN, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    counts = Counter(label for label in labels(at) if label not in ROW_ACTIONS)
    twins = {label: n for label, n in counts.items() if n > 1}
    assert not twins, (page, twins)
    keys = {str(w.key) for w in widgets(at._tree) if getattr(w, "key", None)}
    if page in FILTERED:
        assert {"years", "regions"} <= keys, (page, keys)
    else:  # 数据上传, 批次记录, …: the shared filters do nothing here, so they are not here
        assert not keys & FILTER_KEYS, (page, keys & FILTER_KEYS)
