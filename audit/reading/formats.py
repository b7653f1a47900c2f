"""Which file types an export may be, and the cheap checks a run makes before reading one.

Why apart from the readers: a run checks the input file before any stage starts (a gzip named
.csv, a zip renamed .xlsx are refused at once), and that check needs no reader at all.
"""
from __future__ import annotations

from pathlib import Path

from audit.common import decoding
from audit.common.errors import AuditInputError

FORMATS: dict[str, str] = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel",
}


def check_file(path: str | Path) -> str:
    """Cheap checks a run makes before any stage: the file exists, its extension is supported
    and its first bytes fit the format (a gzip named .csv, a zip renamed .xlsx, a CSV renamed
    .parquet are refused here, not after a stage started). Returns the format."""
    path = Path(path)
    fmt = format_of(path)
    with path.open("rb") as fh:
        head = fh.read(16)
    kind = decoding.binary_kind(head)
    if fmt == "parquet" and head[:4] != b"PAR1":
        raise AuditInputError(
            f"{path.name} is not a Parquet file" + (f": it is {kind[0]}" if kind else "")
            + "; check the file or its extension"
        )
    if fmt == "excel":
        if kind is None or kind[0] != "a zip archive":
            raise AuditInputError(
                f"{path.name} is not an Excel workbook (.xlsx)"
                + (f": it is {kind[0]}" if kind else ": it looks like text, name it .csv")
            )
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                inside = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            inside = []
        if "xl/workbook.xml" not in inside:
            raise AuditInputError(
                f"{path.name} is not an Excel workbook (.xlsx): it is a zip archive holding "
                f"{', '.join(inside[:5]) or 'nothing readable'}; extract the export from it first"
            )
    if fmt not in ("parquet", "excel"):
        decoding.refuse_binary(path.name, head)
    return fmt


def format_of(path: Path) -> str:
    """The format the extension names; a missing file or an unsupported type is refused."""
    if not path.is_file():
        raise AuditInputError(f"input file {path} does not exist (check the path)")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise AuditInputError(
            f"{path.name}: unsupported file type {path.suffix!r}; "
            f"supported: {', '.join(sorted(FORMATS))}"
        )
    return fmt
