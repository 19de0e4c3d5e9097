"""The ETL's one encoding policy for text files: UTF-8 (with or without BOM), UTF-16 with a
BOM, or GB18030/GBK when the bytes plausibly are Chinese — anything else is refused with a
message telling the user how to re-save the file, never decoded into mojibake.
"""

from __future__ import annotations

import codecs
import re

from etl.input_formats import suffix_choices
from etl.issues import UnreadableFileError

SNIFF_BYTES = 1 << 16
_GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936"}


def _refuse_encoding(guess: str | None) -> UnreadableFileError:
    """The one message for "not text we can trust", naming the likely encoding if known."""
    zh = f"（看起来像 {guess} 编码）" if guess else ""
    en = f" (it looks like {guess})" if guess else ""
    return UnreadableFileError(
        f"文件不是 UTF-8、GB18030/GBK 或 UTF-16 编码的文本{zh}，无法可靠读取："
        "请在 Excel 中另存为「CSV UTF-8」或 .xlsx 后重新上传。"
        f" (The file is not text in UTF-8, GB18030/GBK or UTF-16{en};"
        " save it as CSV UTF-8 or .xlsx and upload again.)"
    )


def _refuse_binary() -> UnreadableFileError:
    return UnreadableFileError(
        f"文件内容是二进制数据，不是文本表格或 Excel 工作簿；请上传 {suffix_choices()}。"
        " (The file holds binary data, not a text table or a workbook.)"
    )


def _transcode(data: bytes, encoding: str) -> bytes:
    """Strictly decode in chunks and return UTF-8; a bad byte anywhere refuses the file."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    view = memoryview(data)
    step = 1 << 23
    out: list[bytes] = []
    try:
        for start in range(0, len(data), step):
            chunk = decoder.decode(view[start : start + step])
            if encoding != "utf-8":
                out.append(chunk.encode("utf-8"))
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _refuse_encoding(None) from exc
    if encoding == "utf-8":
        return data
    out.append(tail.encode("utf-8"))
    return b"".join(out).removeprefix("\ufeff".encode())


def _plausible_chinese(text: str) -> bool:
    """Whether GB18030-decoded text reads as Chinese rather than Big5/Shift-JIS bytes.

    Big5 or Shift-JIS bytes decode as GBK without error but land on private-use or rare
    characters; real office files (even with some traditional characters) do not.
    """
    if re.search(r"[\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f]", text):
        return False
    hanzi = re.findall(r"[\u3400-\u9fff\U00020000-\U0003ffff]", text)
    if not hanzi:
        return True
    common = sum(1 for ch in hanzi if _in_gb2312(ch))
    return common / len(hanzi) >= 0.5


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def decode_text(data: bytes) -> tuple[bytes, str]:
    """``(utf8_bytes, encoding)`` of a text file, or :class:`UnreadableFileError`.

    Refuses anything unsure rather than guess: mojibake loaded into the store would be a
    figure lost without anyone noticing. The report reader uses the same policy.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _transcode(data[3:], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(data, "utf-16"), "utf-16"
    if b"\x00" in data[:SNIFF_BYTES]:
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > len(head) // 6 and min(even, odd) < max(even, odd) // 8:
            raise _refuse_encoding("UTF-16 without BOM / 无 BOM 的 UTF-16")
        raise _refuse_binary()
    try:
        return _transcode(data, "utf-8"), "utf-8"
    except UnreadableFileError:
        pass
    from charset_normalizer import from_bytes

    cut = data.rfind(b"\n", 0, SNIFF_BYTES)
    sample = data[: cut + 1] if cut > 0 else data[:SNIFF_BYTES]
    results = list(from_bytes(sample))
    if not results:
        raise _refuse_encoding(None)
    best = results[0]
    gb = next((m for m in results if m.encoding in _GB_FAMILY), None)
    if gb is None:
        raise _refuse_encoding(best.encoding)
    if best is not gb and (
        gb.chaos > best.chaos + 0.1 or not _plausible_chinese(sample.decode("gb18030", "replace"))
    ):
        raise _refuse_encoding(best.encoding)
    return _transcode(data, "gb18030"), "gb18030"
