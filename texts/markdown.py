"""Text that is not ours to format (file names, cell values, user and catalog names) made
inert for Streamlit's Markdown: no links, emphasis, HTML or ``:colour[]``."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """``text`` with every Markdown-special character backslash-escaped.

    Every Streamlit element that takes a label (``st.subheader``, ``st.error``,
    ``st.caption``…) reads Markdown, so data shown there goes through this first.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
