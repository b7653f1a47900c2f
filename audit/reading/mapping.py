"""Column mappings: how one client's export maps onto the normalised message columns.

Every export names things differently; a small YAML file per export layout (validated strictly, so
a typo fails loudly instead of silently dropping a column) keeps ingest itself layout-agnostic.
Two presets are built in: ``twcs`` (the public "Customer Support on Twitter" data set) and
``normalised`` (a file already using our column names).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from audit.common.decoding import read_user_file
from audit.common.errors import AuditInputError
from audit.common.handles import handle_key

#: Folder of the example mappings shipped with the package (usable by bare name).
MAPPINGS_DIR = Path(__file__).parent / "mappings"

#: strftime layout of TWCS ``created_at`` (``Tue Oct 31 22:10:47 +0000 2017``); ingest has a fast
#: path for it.
TWCS_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"


class Mapping(BaseModel):
    """Where each normalised field comes from. Values are source column names unless noted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "custom"
    message_id: str
    author: str
    created_at: str
    text: str
    reply_to_id: str | None = None
    #: Column listing ids of the replies to this post (TWCS ``response_tweet_id``: ``"9,6,10"``);
    #: used to recover a parent link the child row lacks.
    responses: str | None = None
    #: Column with a thread/ticket id; messages lacking a reply link then answer the previous
    #: message of the same conversation.
    conversation_id: str | None = None
    #: Column saying whether the author is a customer; matched case-insensitively against the
    #: true/false values. Alternative: ``brand_handles``.
    customer_flag: str | None = None
    customer_true_values: tuple[str, ...] = ("true", "1", "yes", "y", "t", "customer", "inbound")
    customer_false_values: tuple[str, ...] = ("false", "0", "no", "n", "f", "brand", "outbound")
    #: Authors that are the brand (``@`` and case ignored); everyone else is a customer.
    brand_handles: tuple[str, ...] | None = None
    #: Constant channel name, used where ``channel_column`` is absent or empty.
    channel: str = "twitter"
    channel_column: str | None = None
    #: strftime format of the timestamps; ``None`` = ISO 8601, TWCS layout, epoch seconds/ms or a
    #: best-effort guess.
    timestamp_format: str | None = None
    #: IANA zone for timestamps written without an offset.
    timezone: str = "UTC"
    #: CSV/TSV only: field delimiter (default from the extension).
    delimiter: str | None = None
    #: Excel only: sheet name or 0-based index.
    sheet: str | int = 0
    #: JSON only: dotted key of the list of records inside the document (e.g. ``data.tickets``).
    records_path: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'Europe/Paris')") from exc
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_char(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError("delimiter must be a single character")
        return value

    @field_validator("customer_true_values", "customer_false_values", "brand_handles")
    @classmethod
    def _normalise_values(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(handle_key(v) for v in value)

    @model_validator(mode="after")
    def _one_customer_rule(self) -> Mapping:
        if self.customer_flag is not None and self.brand_handles is not None:
            raise ValueError("give either customer_flag or brand_handles, not both")
        return self

    def source_columns(self) -> list[str]:
        """Every input column this mapping reads (all must exist in the file)."""
        names = [
            self.message_id, self.author, self.created_at, self.text, self.reply_to_id,
            self.responses, self.conversation_id, self.customer_flag, self.channel_column,
        ]
        return list(dict.fromkeys(n for n in names if n is not None))


PRESETS: dict[str, Mapping] = {
    "twcs": Mapping(
        name="twcs",
        message_id="tweet_id",
        author="author_id",
        created_at="created_at",
        text="text",
        reply_to_id="in_response_to_tweet_id",
        responses="response_tweet_id",
        customer_flag="inbound",
        channel="twitter",
        timestamp_format=TWCS_TIME_FORMAT,
    ),
    "normalised": Mapping(
        name="normalised",
        message_id="message_id",
        author="author",
        created_at="created_at",
        text="text",
        reply_to_id="reply_to_id",
        customer_flag="is_customer",
    ),
}

VALID_KEYS: tuple[str, ...] = ("preset", *Mapping.model_fields)


def parse_mapping(data: Any, source: str = "mapping") -> Mapping:
    """Validate a mapping dict (``preset: twcs`` plus overrides allowed) into a :class:`Mapping`."""
    if not isinstance(data, dict):
        raise AuditInputError(
            f"{source}: a mapping must be a YAML dictionary of key: value lines; "
            f"valid keys: {', '.join(VALID_KEYS)}"
        )
    data = dict(data)
    preset = data.pop("preset", None)
    if preset is not None:
        if preset not in PRESETS:
            raise AuditInputError(f"{source}: unknown preset {preset!r}; presets: {', '.join(PRESETS)}")
        base = PRESETS[preset].model_dump(exclude_unset=True)
        if "brand_handles" in data:  # switching the customer rule drops the preset's flag column
            base.pop("customer_flag", None)
        data = {**base, **data}
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        raise AuditInputError(_describe(exc, source)) from None


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "mapping"
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown key {where!r}")
        elif err["type"] == "missing":
            lines.append(f"missing required key {where!r}")
        else:
            lines.append(f"{where}: {err['msg']}")
    return (
        f"{source} is not a valid column mapping: " + "; ".join(lines)
        + f". Valid keys: {', '.join(VALID_KEYS)}."
    )


def load_mapping(spec: Mapping | str | Path) -> Mapping:
    """Resolve a mapping given as an object, a preset name, a bundled name or a YAML path."""
    if isinstance(spec, Mapping):
        return spec
    text = str(spec)
    if text in PRESETS:
        return PRESETS[text]
    path = Path(spec)
    if not path.exists() and (MAPPINGS_DIR / f"{text}.yaml").exists():
        path = MAPPINGS_DIR / f"{text}.yaml"
    if not path.is_file():
        bundled = sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))
        raise AuditInputError(
            f"mapping {text!r} not found: give a YAML file path, a preset "
            f"({', '.join(PRESETS)}) or a bundled mapping ({', '.join(bundled)})"
        )
    try:
        data = yaml.safe_load(read_user_file(path))
    except yaml.YAMLError as exc:
        raise AuditInputError(f"mapping {path} is not valid YAML: {exc}") from None
    return parse_mapping(data, source=f"mapping {path}")


def detect_mapping(columns: Iterable[str]) -> Mapping | None:
    """The preset whose columns are all present, or ``None`` (then ``--mapping`` is needed)."""
    found = set(columns)
    for preset in PRESETS.values():
        if set(preset.source_columns()) <= found:
            return preset
    return None


def closest_preset(columns: Iterable[str]) -> Mapping:
    """The preset sharing most columns with the file, used to word the missing-columns error."""
    found = set(columns)
    return max(PRESETS.values(), key=lambda m: len(set(m.source_columns()) & found))
