"""The chair's commentary for the annual report: what the figures cannot say on their own."""

from __future__ import annotations

from pydantic import Field

from workflow.contract.common import Form, IsoDate, LongText, ShortText, field, optional


class ThemeComment(Form):
    theme: ShortText = field(
        "Theme", "A service gap or theme of the year, e.g. CAMHS waiting times."
    )
    comment: LongText | None = optional(
        "Comment",
        "What the panel saw, what it did about it, and what is still needed (left blank, "
        "the theme is not commented on).",
    )


class Recommendation(Form):
    recommendation: LongText = field(
        "Recommendation", "What the panel asks the Board to do or to ask of an agency."
    )
    owner: ShortText | None = optional(
        "For", "Who should act on it, e.g. the Safeguarding Partnership, the ICB."
    )
    by: IsoDate | None = optional("By", "ISO date it should be done by, e.g. 2028-03-31.")


class Commentary(Form):
    """The chair's words for the annual report: written by the chair, printed as written."""

    commentary: LongText = field(
        "The chair's commentary",
        "The year in the chair's words: what went well, what did not, and why. "
        "A blank line starts a new paragraph.",
    )
    impact: LongText = field(
        "Impact for children",
        "The difference the panel made for the children referred, without naming or "
        "describing any child so they could be recognised. A blank line starts a new paragraph.",
    )
    themes: list[ThemeComment] = Field(
        default_factory=list,
        title="Themes",
        description="The chair's comment on each theme the panel saw (the year's themes are "
        "listed ready).",
    )
    recommendations: list[Recommendation] = field(
        "Recommendations",
        "What the panel recommends to the Board, in order of priority: at least one.",
        min_length=1,
    )
