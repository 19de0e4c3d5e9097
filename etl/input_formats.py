"""Every batch-file format we read, in one table: adding one is an entry here.

The reader (:func:`etl.read.read_table`), its "unsupported file type" message, the upload
page's file chooser and the CLI's help all take their list from :data:`INPUT_FORMATS`, so
a suffix cannot be accepted in one place and refused in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from etl.issues import or_list

Reader = Literal["text", "xlsx", "xls"]
"""Which reader opens the file: delimited text (any encoding the policy accepts), an Office
Open XML workbook (openpyxl) or a legacy Excel 97–2003 workbook (xlrd). A workbook's bytes
decide over its suffix (:func:`etl.read.workbook_kind`)."""


@dataclass(frozen=True)
class InputFormat:
    suffix: str  # lower case, with the dot
    reader: Reader
    label: str  # how a list names it for people


INPUT_FORMATS: dict[str, InputFormat] = {
    f.suffix: f
    for f in (
        InputFormat(".csv", "text", "CSV"),
        InputFormat(".txt", "text", "TXT"),
        InputFormat(".tsv", "text", "TSV"),
        InputFormat(".xlsx", "xlsx", "XLSX"),
        InputFormat(".xlsm", "xlsx", "XLSM"),
        InputFormat(".xls", "xls", "XLS"),
    )
}


def input_format(suffix: str) -> InputFormat | None:
    """The format a file name's suffix (any case) names, or None."""
    return INPUT_FORMATS.get(suffix.lower())


def upload_types() -> list[str]:
    """The suffixes without dots, as ``st.file_uploader(type=...)`` takes them."""
    return [suffix.lstrip(".") for suffix in INPUT_FORMATS]


def suffix_choices() -> str:
    """``.csv、.txt、… 或 .xls`` for messages that tell people what to upload."""
    return or_list(list(INPUT_FORMATS))
