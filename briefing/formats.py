"""Every file the briefing export writes, in one table: adding a format is one entry here.

The CLI (``--out`` suffixes, its help and error text), the page (one download button per
pack format, file names, MIME types) and :func:`briefing.pack.build_pack` all read these
tables, so a format cannot be offered in one place and missing in another, and a name that
is not here is refused (:class:`UnknownFormatError`) instead of quietly becoming a PPTX.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from etl.issues import UnknownFormatError, or_list

if TYPE_CHECKING:
    from briefing.charts import BuiltChart
    from briefing.content import PackContent

Source = TypeVar("Source")
__all__ = ["CHART_FORMATS", "PACK_FORMATS", "OutputFormat", "UnknownFormatError", "pack_format"]


@dataclass(frozen=True)
class OutputFormat(Generic[Source]):
    """One kind of file: ``name`` is its suffix without the dot and the key of its button
    label in the text catalogue (``texts/catalog.py``, ``briefing.<name>``); ``write`` turns the built content
    into the file's bytes (writers import their libraries only when called)."""

    name: str
    media_type: str
    icon: str  # the page button's Material icon
    write: Callable[[Source], bytes]

    @property
    def suffix(self) -> str:
        return f".{self.name}"


def _pptx(content: PackContent) -> bytes:
    from briefing.pptx_pack import build_pptx

    return build_pptx(content)


def _pdf(content: PackContent) -> bytes:
    from briefing.pdf_pack import build_pdf

    return build_pdf(content)


def _png(built: BuiltChart) -> bytes:
    from briefing.pack import chart_png

    return chart_png(built)


PPTX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

PACK_FORMATS: dict[str, OutputFormat[PackContent]] = {
    f.name: f
    for f in (
        OutputFormat("pptx", PPTX_MEDIA_TYPE, ":material/slideshow:", _pptx),
        OutputFormat("pdf", "application/pdf", ":material/picture_as_pdf:", _pdf),
    )
}
"""The whole pack (title, one page per chart, summary); the first is the default."""
DEFAULT_PACK_FORMAT = next(iter(PACK_FORMATS))

CHART_FORMATS: dict[str, OutputFormat[BuiltChart]] = {
    f.name: f for f in (OutputFormat("png", "image/png", ":material/image:", _png),)
}
"""One chart on its own, as the page's per-chart download."""


def suffix_list(formats: dict[str, OutputFormat]) -> str:
    """``.pptx 或 .pdf`` — the suffixes as the CLI's help and errors name them."""
    return or_list([f.suffix for f in formats.values()])


def pack_format(name: str) -> OutputFormat[PackContent]:
    """The pack format called ``name``; raises UnknownFormatError for any other name."""
    if name not in PACK_FORMATS:
        raise UnknownFormatError(
            f"未知的简报格式「{name}」，可用的格式：{suffix_list(PACK_FORMATS)}"
            f" (unknown briefing format {name!r}; available: {', '.join(PACK_FORMATS)})"
        )
    return PACK_FORMATS[name]
