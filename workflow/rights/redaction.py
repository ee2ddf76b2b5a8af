"""The redaction log of a subject access bundle: third parties' data flagged for review.

The child is entitled to their own data, not other people's (DPA 2018 Schedule 2, Part 3,
paragraph 16). Family members and other people named in free text are flagged with a
suggested ground; a person decides (the log's "Decided by" is left blank). Professionals'
names are kept: the ICO's guidance is that staff acting in their job are usually disclosed
(paragraph 17's reasonableness test for health, social and education workers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

THIRD_PARTY = (
    "DPA 2018 Sch. 2 Pt 3 para 16: another individual's personal data; disclose only with "
    "their consent or where reasonable without it (para 16(3))"
)
HEALTH = (
    "DPA 2018 Sch. 3 Pt 2 para 5: health data; withhold only where disclosure would be "
    "likely to cause serious harm, on the opinion of the health professional (para 6)"
)
SOCIAL_WORK = (
    "DPA 2018 Sch. 3 Pt 3 para 10: social work data; withhold only where disclosure would "
    "be likely to prejudice social work by causing serious harm to the child or another"
)
HEADER = ("Item", "Where", "Suggested ground", "Decided by", "Decision")

# Words that make a sentence about someone in the child's family or circle.
_RELATIONS = re.compile(
    r"\b(mother|mum|father|dad|parents?|step-?(?:father|mother|parent|dad|mum)|"
    r"brothers?|sisters?|bro|sis|siblings?|half-siblings?|half-(?:brother|sister)s?|"
    r"aunts?|uncles?|grand(?:mother|father|parent)s?|nan|cousins?|partners?|boyfriend|"
    r"girlfriend|friends?|peers?|neighbours?|carers?|foster carers?)\b",
    re.IGNORECASE,
)
# Two capitalised words in a row: a name, unless either is a word of an organisation.
_NAME = re.compile(r"\b([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?) ([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\b")
_NOT_NAMES = {
    word.casefold()
    for word in [
        "Social",
        "Care",
        "Services",
        "Service",
        "Panel",
        "Police",
        "Council",
        "Court",
        "School",
        "College",
        "Team",
        "Justice",
        "Health",
        "Order",
        "Plan",
        "Review",
        "Youth",
        "Children",
        "Child",
        "Family",
        "Mental",
        "Protection",
        "Conference",
        "Local",
        "Authority",
        "County",
        "City",
        "Borough",
        "Trust",
        "Hospital",
        "Unit",
        "Safeguarding",
        "Partnership",
        "Board",
        "Officer",
        "Worker",
        "Manager",
        "Director",
        "Head",
        "Deputy",
        "Chair",
        "Independent",
        "Reviewing",
        "National",
        "Crime",
        "Agency",
        "Missing",
        "Persons",
        "Education",
        "Special",
        "Needs",
        "Sexual",
        "Exploitation",
        "Criminal",
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Dr",
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "For",
        "Of",
        "And",
        "To",
        "By",
        "With",
        "From",
        "Easttown",
        "Westtown",
        "Northtown",
        "Southtown",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "White",
        "Black",
        "British",
        "Irish",
        "Asian",
        "Mixed",
        "Other",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "CAMHS",
        "NHS",
        "IRO",
        "SEND",
        "EHCP",
    ]
}
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class RedactionItem:
    item: str
    where: str
    ground: str

    def row(self) -> dict[str, str]:
        return {
            "Item": self.item,
            "Where": self.where,
            "Suggested ground": self.ground,
            "Decided by": "",
            "Decision": "",
        }


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text) if part and part.strip()]


def _known(name: str, people: Iterable[str]) -> bool:
    folded = name.casefold()
    return any(folded in person.casefold() for person in people)


def redaction_items(
    texts: Iterable[tuple[str, str]],
    *,
    family: str | None,
    professionals: Iterable[str],
    child_names: Iterable[str],
    health: Iterable[tuple[str, str]] = (),
) -> list[RedactionItem]:
    """Flag family members, other people named in free text, and health opinions.

    ``texts``: (where, free text) the bundle holds; ``family``: the referral's family text;
    ``professionals`` and ``child_names`` are never flagged as third parties.
    """
    professionals = [name for name in professionals if name]
    child = [name for name in child_names if name]
    items: list[RedactionItem] = []
    seen: set[tuple[str, str]] = set()

    def add(item: str, where: str, ground: str) -> None:
        if (item, where) not in seen:
            seen.add((item, where))
            items.append(RedactionItem(item, where, ground))

    for sentence in _sentences(family or ""):
        add(sentence, "referral: family", THIRD_PARTY)
    for where, text in texts:
        for sentence in _sentences(text or ""):
            relation = _RELATIONS.search(sentence)
            if relation:
                add(sentence, where, THIRD_PARTY)
                continue
            for match in _NAME.finditer(sentence):
                words = match.group(1), match.group(2)
                name = " ".join(words)
                if any(word.casefold() in _NOT_NAMES for word in words):
                    continue
                if _known(name, professionals) or _known(name, child):
                    continue
                add(sentence, where, THIRD_PARTY)
                break
    for where, text in health:
        add(text, where, HEALTH)
    return items


def log_csv(items: list[RedactionItem]) -> str:
    from workflow.core.csv_text import csv_rows

    return csv_rows(HEADER, (item.row() for item in items))
