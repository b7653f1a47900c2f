"""Turn an export's (or a user-edited file's) bytes into text, or say clearly why they are not a text export.

Exports arrive in every encoding a tool can write. A BOM is decisive; UTF-8 is tried next; NUL
patterns reveal BOM-less UTF-16/32; ``charset-normalizer`` recognises multi-byte code pages
(Shift-JIS, GB18030, Big5, EUC-KR ...) so they are never read as Latin-1 mojibake. Only then do we
fall back to a single-byte code page, and that fallback is reported with the share of characters
that look like mojibake, so a consultant can judge whether to ask for a UTF-8 export.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.common.errors import AuditInputError

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_BOM_CODECS = {"utf-32-le": "utf-32", "utf-32-be": "utf-32", "utf-8-sig": "utf-8-sig",
               "utf-16-le": "utf-16", "utf-16-be": "utf-16"}
#: Magic numbers of files people mistake for exports, with what to do about each.
_MAGIC = (
    (b"\x1f\x8b", "a gzip archive", "decompress it first (gunzip / 7-Zip)"),
    (b"PK\x03\x04", "a zip archive", "extract the export from it first"),
    (b"PK\x05\x06", "an empty zip archive", "extract the export from it first"),
    (b"BZh", "a bzip2 archive", "decompress it first"),
    (b"\xfd7zXZ\x00", "an xz archive", "decompress it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract the export from it first"),
    (b"Rar!", "a RAR archive", "extract the export from it first"),
    (b"%PDF", "a PDF document", "export the data itself as CSV, JSON, Parquet or Excel"),
    (b"PAR1", "a Parquet file", "name it .parquet"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office file (.xls/.doc)", "save it as .xlsx or CSV"),
    (b"SQLite format 3\x00", "an SQLite database", "export a table as CSV"),
    (b"\x89PNG", "a PNG image", "export the data itself"),
    (b"\xff\xd8\xff", "a JPEG image", "export the data itself"),
    (b"\x7fELF", "a program", "export the data itself"),
)
#: Multi-byte code pages charset-normalizer may name; a single-byte guess is not trusted.
_MULTIBYTE = ("shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb2312", "gbk", "gb18030", "big5",
              "big5hkscs", "cp949", "euc_kr", "johab", "utf_7")
_SINGLE_BYTE = ("cp1252", "latin-1")
_TYPOGRAPHIC = set("“”‘’„‚–—…«»¡¿•€£¥©®°·×÷§¶")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    #: Set when a single-byte fallback was used: what happened and how much looks wrong.
    note: str | None = None
    mojibake_share: float | None = None


def binary_kind(head: bytes) -> tuple[str, str] | None:
    """(what the bytes are, what to do) for a known non-text file; None otherwise."""
    for magic, what, fix in _MAGIC:
        if head.startswith(magic):
            return what, fix
    return None


def refuse_binary(name: str, head: bytes) -> None:
    """Raise a clear error when ``head`` is a known binary (non-text) format."""
    kind = binary_kind(head)
    if kind:
        what, fix = kind
        raise AuditInputError(f"{name} is not a text export: it is {what}; {fix}.")


def decode(name: str, data: bytes) -> Decoded:
    """Decode an export's bytes (see the module docstring for the order of evidence)."""
    refuse_binary(name, data[:16])
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(name, data, encoding, _BOM_CODECS[encoding])
    wide = _bomless_wide(data[:4096])  # before UTF-8: NUL bytes are valid UTF-8
    if wide:
        return _strict(name, data, wide, wide)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        mostly = _mostly_utf8(name, data)
        if mostly:
            return mostly
    else:
        return _checked_text(name, Decoded(text, "utf-8"))
    guess = _multibyte_guess(data)
    if guess:
        return _checked_text(name, Decoded(data.decode(guess), guess))
    for encoding in _SINGLE_BYTE:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = mojibake_share(text)
        note = (f"decoded with the single-byte code page {encoding} (not UTF-8); "
                f"{share:.1%} of non-ASCII characters look like mojibake")
        return _checked_text(name, Decoded(text, encoding, note, round(share, 4)))
    raise AssertionError("latin-1 decodes any bytes")


def read_user_file(path: str | Path) -> str:
    """A file a person edits (batch file, mapping, rubric, questionnaire, owners): decoded like
    an export, so one saved as Windows-1252 reads instead of raising UnicodeDecodeError. The one
    reader of such files' bytes."""
    path = Path(path)
    return decode(path.name, path.read_bytes()).text


def read_text(path: Path) -> tuple[str, dict[str, Any]]:
    """A text export read and decoded, and what the decoding learnt (for the row accounting)."""
    data = path.read_bytes()
    if not data.strip():
        raise AuditInputError(f"{path.name} is empty: no header and no rows")
    decoded = decode(path.name, data)
    source: dict[str, Any] = {"encoding": decoded.encoding}
    if decoded.note:
        source.update(encoding_note=decoded.note, mojibake_share=decoded.mojibake_share)
    return decoded.text, source


def _mostly_utf8(name: str, data: bytes) -> Decoded | None:
    """UTF-8 with a few stray bytes (a row pasted from elsewhere): keep UTF-8, replace the
    strays with U+FFFD and say how many, rather than misread every accented word."""
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for ch in text[:200_000] if ord(ch) > 127 and ch != "\ufffd")
    if stray <= 10 and multibyte >= 4 * stray:
        note = f"decoded as UTF-8 with {stray} invalid byte sequence(s) replaced by U+FFFD"
        return _checked_text(name, Decoded(text, "utf-8", note, 0.0))
    return None


def _strict(name: str, data: bytes, encoding: str, codec: str) -> Decoded:
    try:
        return _checked_text(name, Decoded(data.decode(codec), encoding))
    except UnicodeDecodeError as exc:
        raise AuditInputError(
            f"{name} looks like {encoding} but byte {exc.start} does not decode; re-export it as UTF-8"
        ) from None


def _bomless_wide(head: bytes) -> str | None:
    """UTF-32/16 without a BOM: mostly-ASCII text has NULs at fixed byte positions."""
    n = len(head) - len(head) % 4
    if n < 4:
        return None
    quads = [head[i:n:4].count(0) / (n // 4) for i in range(4)]
    if min(quads[1], quads[2], quads[3]) > 0.9 and quads[0] < 0.5:
        return "utf-32-le"
    if min(quads[0], quads[1], quads[2]) > 0.9 and quads[3] < 0.5:
        return "utf-32-be"
    odd, even = head[1:n:2].count(0) / (n // 2), head[0:n:2].count(0) / (n // 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _multibyte_guess(data: bytes) -> str | None:
    """A multi-byte code page that decodes the whole file, or None.

    charset-normalizer ranks the candidates; on short texts it cannot tell Shift-JIS from
    Korean cp949 (both decode without error), so Japanese is recognised by its kana: Japanese
    prose always has hiragana/katakana, Korean read as cp932 almost never does.
    """
    from charset_normalizer import from_bytes

    sample = data[:200_000]
    if _paired_high_bytes(sample) < 0.6:
        return None  # accented letters of a Latin text, not CJK characters
    ranked = [m.encoding for m in from_bytes(sample) if m.encoding in _MULTIBYTE]
    if not ranked:
        return None
    if _kana_share(sample) > 0.1:
        ranked.insert(0, "cp932")
    for encoding in ranked:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _paired_high_bytes(sample: bytes) -> float:
    """Share of bytes >= 0x80 next to another one: CJK characters come as runs of high bytes,
    the accented letters of a single-byte Latin text mostly stand alone (``tr\xe8s``)."""
    high = [b >= 0x80 for b in sample]
    if not any(high):
        return 0.0
    paired = sum(1 for i, h in enumerate(high)
                 if h and ((i > 0 and high[i - 1]) or (i + 1 < len(high) and high[i + 1])))
    return paired / sum(high)


def _kana_share(sample: bytes) -> float:
    text = sample.decode("cp932", errors="ignore")
    wide = [ch for ch in text if ord(ch) > 127]
    return sum(1 for ch in wide if "\u3040" <= ch <= "\u30ff") / len(wide) if wide else 0.0


def mojibake_share(text: str) -> float:
    """Share of non-ASCII characters that are not letters, digits or common typography.

    Legitimate Latin-1 text (``très déçu``) is letters; UTF-8 or Shift-JIS read as a single-byte
    code page yields C1 controls, symbols and stray punctuation (``Ã©``, ``‚±‚ñ``).
    """
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 0.0
    odd = 0
    for i, ch in enumerate(wide):
        cat = unicodedata.category(ch)
        if cat[0] in "LNM" and ch not in "ÃÂ" or ch in _TYPOGRAPHIC:
            continue
        odd += 1
    return odd / len(wide)


def _checked_text(name: str, decoded: Decoded) -> Decoded:
    """Refuse decoded text that is mostly control characters: a binary file, not an export."""
    sample = decoded.text[:20_000]
    if sample:
        control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\x0c")
        if control / len(sample) > 0.05:
            raise AuditInputError(
                f"{name} is not a text export ({control} control bytes in its first "
                f"{len(sample)} characters); export the data as CSV, JSON, Parquet or Excel."
            )
    return decoded
