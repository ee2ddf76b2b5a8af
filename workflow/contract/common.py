"""The shared vocabulary of the forms: enumerations, the words shown for them (LABELS),
field types with their checks, and the ``Form`` base every model extends."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

# --- enumerations: codes in files, words in documents (LABELS) -------------------------


class LivingSituation(StrEnum):
    WITH_PARENTS = "with_parents"
    WITH_RELATIVES = "with_relatives"
    FOSTER_CARE = "foster_care"
    RESIDENTIAL = "residential"
    SECURE = "secure"
    SUPPORTED_ACCOMMODATION = "supported_accommodation"
    OTHER = "other"


class LegalStatus(StrEnum):
    NONE = "none"
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION_PLAN = "child_protection_plan"
    SECTION_20 = "section_20"
    INTERIM_CARE_ORDER = "interim_care_order"
    CARE_ORDER = "care_order"
    PLACEMENT_ORDER = "placement_order"
    OTHER = "other"


class RiskCategory(StrEnum):
    EXPLOITATION = "exploitation"
    SELF_HARM = "self_harm"
    MENTAL_HEALTH = "mental_health"
    MISSING = "missing"
    OFFENDING = "offending"
    SUBSTANCE_MISUSE = "substance_misuse"
    NEGLECT = "neglect"
    ABUSE = "abuse"
    PLACEMENT_BREAKDOWN = "placement_breakdown"
    EDUCATION = "education"
    HEALTH = "health"
    OTHER = "other"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class ObstacleType(StrEnum):
    RESOURCES = "resources"
    CROSS_AGENCY = "cross_agency"
    LEGAL = "legal"
    PLACEMENT = "placement"
    ENGAGEMENT = "engagement"
    OTHER = "other"


class Criterion(StrEnum):
    NEGLECT_LONG_TERM = "neglect_long_term"
    CARE_ORDER_REFUSED = "care_order_refused"
    HIGH_RISK = "high_risk"
    OUT_OF_COUNTY = "out_of_county"
    MULTIPLE_NEEDS = "multiple_needs"
    OTHER = "other"


class ProcessKind(StrEnum):
    STRATEGY_MEETING = "strategy_meeting"
    CHILD_PROTECTION_CONFERENCE = "child_protection_conference"
    CIN_REVIEW = "cin_review"
    LAC_REVIEW = "lac_review"
    ESCALATION = "escalation"
    COMPLEX_CASE_MEETING = "complex_case_meeting"
    LEGAL_PLANNING_MEETING = "legal_planning_meeting"
    OTHER = "other"


# Words shown in documents for each code. A code shared by several enumerations
# ("other", "none") reads the same in all of them.
LABELS: dict[str, str] = {
    "with_parents": "With parents",
    "with_relatives": "With relatives or friends",
    "foster_care": "Foster care",
    "residential": "Residential children's home",
    "secure": "Secure accommodation",
    "supported_accommodation": "Supported accommodation",
    "other": "Other",
    "none": "No legal order",
    "child_in_need": "Child in need",
    "child_protection_plan": "Child protection plan",
    "section_20": "Section 20 (accommodated by agreement)",
    "interim_care_order": "Interim care order",
    "care_order": "Care order",
    "placement_order": "Placement order",
    "exploitation": "Exploitation",
    "self_harm": "Self-harm",
    "mental_health": "Mental health",
    "missing": "Missing episodes",
    "offending": "Offending",
    "substance_misuse": "Substance misuse",
    "neglect": "Neglect",
    "abuse": "Abuse",
    "placement_breakdown": "Placement breakdown",
    "education": "Education",
    "health": "Health",
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "very_high": "Very high",
    "resources": "Resources",
    "cross_agency": "Cross-agency working",
    "legal": "Legal",
    "placement": "Placement",
    "engagement": "Engagement",
    "neglect_long_term": "Long-term neglect under a child protection plan",
    "care_order_refused": "Care order not made against local authority advice",
    "high_risk": "High-risk young person",
    "out_of_county": "Out-of-county placement lacking co-ordinated services",
    "multiple_needs": "Multiple complex needs at risk of poor outcomes",
    "strategy_meeting": "Strategy meeting",
    "child_protection_conference": "Child protection conference",
    "cin_review": "Child in need review",
    "lac_review": "Looked-after child review",
    "escalation": "Escalation",
    "complex_case_meeting": "Complex case meeting",
    "legal_planning_meeting": "Legal planning meeting",
}

RISK_ORDER = [level.value for level in RiskLevel]

# Legal statuses under which the child's plan is overseen by an IRO or independent chair
# (ToR 13.i): a protection plan, or looked after.
IRO_STATUSES = frozenset(
    {
        LegalStatus.CHILD_PROTECTION_PLAN,
        LegalStatus.SECTION_20,
        LegalStatus.INTERIM_CARE_ORDER,
        LegalStatus.CARE_ORDER,
        LegalStatus.PLACEMENT_ORDER,
    }
)


# --- field types -------------------------------------------------------------------------

# XML 1.0 cannot hold these, so Word and Excel could not store them: refuse them at the door.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Windows line endings would render as doubled breaks in Word; a break is a break.
    # A YAML block (|) ends with a line break nobody typed as part of the answer.
    value = value.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    bad = _XML_ILLEGAL.search(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X}, "
            "which Word and Excel cannot store; delete it"
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _iso_date(value: Any) -> Any:
    if value is None:
        return value  # reported as "is required" where the date is required
    if isinstance(value, datetime):
        raise ValueError("must be a date without a time, like 2027-01-14")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    raise ValueError("must be an ISO date like 2027-01-14")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


ShortText = Annotated[
    str, BeforeValidator(_text), StringConstraints(max_length=300), AfterValidator(_not_blank)
]
LongText = Annotated[
    str, BeforeValidator(_text), StringConstraints(max_length=20_000), AfterValidator(_not_blank)
]
Email = Annotated[ShortText, AfterValidator(_email)]


def _one_line(value: str) -> str:
    # Names go into e-mail headers and file listings: a line break there is a header
    # injection or a broken draft, so it is refused where it is typed (issue 10).
    if "\n" in value or "\t" in value:
        raise ValueError("must be on one line (no line breaks or tabs in a name)")
    return value


Name = Annotated[ShortText, AfterValidator(_one_line)]
IsoDate = Annotated[date, BeforeValidator(_iso_date), Field(json_schema_extra={"format": "date"})]


def field(title: str, description: str, **kwargs: Any) -> Any:
    """A model field with the label a person sees (title) and what to write (description)."""
    return Field(title=title, description=description, **kwargs)


def optional(title: str, description: str, **kwargs: Any) -> Any:
    return Field(default=None, title=title, description=description, **kwargs)


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(item) for item in value.values())
    if isinstance(value, list):
        return all(_blank(item) for item in value)
    return value is None or (isinstance(value, str) and not value.strip())


class Form(BaseModel):
    """Base of every form: unknown keys are errors, so a typo never drops what was typed."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _drop_blank_entries(cls, data: Any) -> Any:
        """A list entry or optional section left wholly blank (as in the template) is absent.

        Only entries with nothing typed in them go; a required list left with none is then
        reported as needing an entry.
        """
        if not isinstance(data, dict):
            return data
        cleaned = dict(data)
        for key, value in data.items():
            info = cls.model_fields.get(key)
            if info is None:
                continue
            if isinstance(value, list) and any(_blank(item) for item in value):
                cleaned[key] = [item for item in value if not _blank(item)]
            elif isinstance(value, dict) and value and _blank(value) and not info.is_required():
                del cleaned[key]  # the field's default (None, or an empty section) applies
        return cleaned
