"""The demo's fictional people, referrals, strategic items and completed minutes.

Every name, date and event here is synthetic. The demo's first meetings (`build`) and the
year of history before them (`history`) both draw on these.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from workflow.forms.loading import dump_yaml


def demo_panel_yaml(meetings: list[date], report_month: int = 1) -> str:
    panel = {
        "name": "Northshire Complex Child Panel (DEMO)",
        "authority": "Northshire County Council (fictional)",
        "chair": _person("Alex Sample", "Deputy Director, Social Care", "Children's social care"),
        "deputy": _person("Bailey Specimen", "Director of Children's Services", "Health"),
        "administrator": _person("Casey Mockup", "Panel administrator", "Children's social care"),
        "members": [
            _person("Dr Devi Imaginary", "Designated Doctor for Safeguarding", "Health"),
            _person("Ellis Pretendy", "Clinical Lead", "CAMHS"),
            _person("DI Frankie Fiction", "Detective Inspector", "Police"),
            _person("Gale Invent", "Head of Youth Justice and Exploitation", "Youth justice"),
            _person("Harper Notional", "Head of Special Educational Needs", "Education"),
            _person("Indy Madeup", "Legal Adviser", "Legal services"),
            _person("Jules Placeholder", "Service Manager", "Adult social care"),
        ],
        "meetings": [
            {"date": day, "time": "10:00-13:00", "venue": "Room 2, County Hall (fictional)"}
            for day in meetings
        ],
        "protective_marking": "OFFICIAL-SENSITIVE",
        # Where members open the papers: the circulation e-mails say so.
        "papers_location": "\\\\northshire.example\\Panels\\Complex Child Panel\\Papers",
        "referral_deadline_days": 14,
        "backups_kept": 20,
        # The demo's report year starts the month the demo does, so it holds every meeting.
        "report_year_starts": f"{report_month:02d}-01",
    }
    header = "# A fictional panel for the ccp demo. Every name here is invented.\n"
    return header + dump_yaml(panel)


def _person(name: str, role: str, agency: str) -> dict[str, str]:
    slug = name.lower().replace("dr ", "").replace("di ", "").replace(" ", ".")
    return {"name": name, "role": role, "agency": agency, "email": f"{slug}@example.org"}


def demo_referrals(meeting: date, now: date) -> list[dict[str, Any]]:
    """Three referrals in the data contract's shape, authorised in time for `meeting`."""
    authorised = min(now, meeting - timedelta(days=15))

    def years_ago(years: int, days: int = 0) -> date:
        return date(now.year - years, now.month, min(now.day, 28)) - timedelta(days=days)

    common_csc = "Children's social care"
    return [
        {
            "meeting": meeting,
            "child": {
                "name": "Kai Example-Rivers",
                "preferred_name": "Kai",
                "date_of_birth": years_ago(15, 40),
                "gender": "Male",
                "ethnicity": "White British",
                "local_id": "DEMO-000731",
                "living_situation": "supported_accommodation",
                "placement_location": "Supported flat, Northtown",
                "out_of_area": False,
                "legal_status": "section_20",
                "legal_status_since": years_ago(1, 20),
            },
            "family": (
                "Mother (parental responsibility) lives locally; father's whereabouts unknown.\n"
                "Two younger half-siblings live with mother. Maternal aunt is a protective adult."
            ),
            "history": (
                "Known to children's services since age 5 (neglect). Accommodated under "
                "section 20 after a placement with his aunt broke down.\n"
                "Missing episodes since last summer; found out of county twice."
            ),
            "assessments": [
                {
                    "title": "CAMHS assessment",
                    "date": authorised - timedelta(days=70),
                    "author": "Dr P. Invented, CAMHS",
                    "summary": "Low mood, sleep disturbance; below threshold for specialist input.",
                }
            ],
            "professionals": [
                {
                    "name": "Dana Fictional",
                    "role": "Social worker",
                    "agency": common_csc,
                    "email": "dana.fictional@example.org",
                    "phone": "01632 960001",
                    "key_worker": True,
                },
                {
                    "name": "PC Sam Madeup",
                    "role": "Missing persons officer",
                    "agency": "Police",
                    "key_worker": False,
                },
                {
                    "name": "Lee Notreal",
                    "role": "Youth justice worker",
                    "agency": "Youth justice",
                    "key_worker": False,
                },
            ],
            "risks": [
                {
                    "category": "missing",
                    "description": "Eleven missing episodes in four months, found out of "
                    "county twice.",
                    "level": "high",
                    "known": True,
                },
                {
                    "category": "exploitation",
                    "description": "Suspected involvement in drug supply by older peers "
                    '("county lines" & cash found).',
                    "level": "very_high",
                    "known": False,
                },
            ],
            "obstacles": [
                {"type": "resources", "detail": "No specialist exploitation worker until June."},
                {
                    "type": "cross_agency",
                    "detail": "Education and youth justice plans set different priorities.",
                },
            ],
            "criteria": ["high_risk", "multiple_needs"],
            "criteria_detail": "Risk of significant harm through exploitation; escalating "
            "missing episodes.",
            "processes_tried": [
                {
                    "process": "strategy_meeting",
                    "date": authorised - timedelta(days=37),
                    "outcome": "Safety plan agreed; missing episodes continued.",
                },
                {
                    "process": "lac_review",
                    "date": authorised - timedelta(days=14),
                    "outcome": "Review recommended referral to this panel.",
                },
            ],
            "benefits": "A single plan across police, youth justice and education, and a "
            "specialist worker sooner.",
            "outcomes_sought": [
                "No missing episodes for eight weeks",
                "A named exploitation worker in place",
            ],
            "child_views": "I want to stay in Northtown near my little brothers. "
            "I don't want to move again.",
            "family_aware": True,
            "referrer": {
                "name": "Dana Fictional",
                "role": "Social worker",
                "agency": common_csc,
                "email": "dana.fictional@example.org",
            },
            "key_social_worker": {
                "name": "Dana Fictional",
                "team": "Adolescent team 1",
                "email": "dana.fictional@example.org",
                "consulted_on": authorised - timedelta(days=5),
            },
            "authorised_by": {
                "name": "Morgan Pretend",
                "role": "Service manager",
                "agency": common_csc,
                "date": authorised,
            },
            "iro": {"name": "Robin Imaginary", "consulted_on": authorised - timedelta(days=3)},
            "special_invitations": [
                {
                    "name": "Jo Placeholder",
                    "role": "Head of year",
                    "agency": "Northtown Academy (fictional)",
                    "reason": "Education plan and attendance.",
                }
            ],
            "attachments": {
                "chronology": "papers/case-1-chronology.docx",
                "risk_assessment": "papers/case-1-risk-assessment.docx",
                "last_review_report": "papers/case-1-review.docx",
            },
        },
        {
            "meeting": meeting,
            "child": {
                "name": "Riley Samplewood",
                "date_of_birth": years_ago(14, 200),
                "gender": "Female",
                "ethnicity": "Mixed White and Black Caribbean",
                "local_id": "DEMO-004512",
                "living_situation": "residential",
                "placement_location": "Children's home, 140 miles away",
                "out_of_area": True,
                "legal_status": "care_order",
                "legal_status_since": years_ago(3),
            },
            "family": "Care order; mother and stepfather share parental responsibility with "
            "the local authority. Grandmother visits monthly.",
            "history": "Three placement moves in twelve months. Self-harm escalating since "
            "the move out of county; two hospital admissions.",
            "assessments": [],
            "professionals": [
                {
                    "name": "Noor Testcase",
                    "role": "Social worker",
                    "agency": common_csc,
                    "email": "noor.testcase@example.org",
                    "key_worker": True,
                },
                {
                    "name": "Dr Quinn Sketch",
                    "role": "Consultant psychiatrist",
                    "agency": "CAMHS (host area)",
                    "key_worker": False,
                },
            ],
            "risks": [
                {
                    "category": "self_harm",
                    "description": "Ligature incidents twice this month; cutting weekly.",
                    "level": "very_high",
                    "known": True,
                },
                {
                    "category": "placement_breakdown",
                    "description": "Provider has given 28 days' notice.",
                    "level": "high",
                    "known": True,
                },
            ],
            "obstacles": [
                {"type": "placement", "detail": "No in-county placement with therapeutic input."}
            ],
            "criteria": ["out_of_county", "high_risk"],
            "criteria_detail": "Placed at long distance without co-ordinated health services.",
            "processes_tried": [
                {
                    "process": "complex_case_meeting",
                    "date": authorised - timedelta(days=21),
                    "outcome": "Health and social care could not agree who funds therapy.",
                }
            ],
            "benefits": "Agreement on joint funding and a plan to return in county.",
            "outcomes_sought": ["A therapeutic placement in county within six months"],
            "child_views": 'Riley says: "Nobody here knows me. I want to be nearer Nan."',
            "family_aware": True,
            "referrer": {
                "name": "Noor Testcase",
                "role": "Social worker",
                "agency": common_csc,
                "email": "noor.testcase@example.org",
            },
            "key_social_worker": {
                "name": "Noor Testcase",
                "team": "Children in care team 2",
                "consulted_on": authorised - timedelta(days=2),
            },
            "authorised_by": {
                "name": "Sasha Fakename",
                "role": "Head of Service",
                "agency": common_csc,
                "date": authorised,
            },
            "iro": {"name": "Toni Unreal", "consulted_on": authorised - timedelta(days=1)},
            "attachments": {
                "chronology": "papers/case-2-chronology.docx",
                "risk_assessment": "papers/case-2-risk-assessment.docx",
            },
        },
        {
            "meeting": meeting,
            "child": {
                "name": "Jordan Placeholder-Ng",
                "preferred_name": "Jojo",
                "date_of_birth": years_ago(11, 90),
                "gender": "Non-binary",
                "local_id": "DEMO-009920",
                "living_situation": "with_parents",
                "out_of_area": False,
                "legal_status": "child_protection_plan",
                "legal_status_since": years_ago(2, 30),
            },
            "family": "Lives with mother and her partner; two older siblings have left home.",
            "history": "On a child protection plan for neglect for over two years; school "
            "attendance 61%.",
            "assessments": [
                {
                    "title": "Graded Care Profile 2",
                    "date": authorised - timedelta(days=120),
                    "author": "Uma Nonesuch, Children's social care",
                    "summary": "Physical care and safety below acceptable levels.",
                }
            ],
            "professionals": [
                {
                    "name": "Vic Dummy",
                    "role": "Social worker",
                    "agency": common_csc,
                    "key_worker": True,
                },
                {
                    "name": "Wren Example",
                    "role": "School nurse",
                    "agency": "Health",
                    "key_worker": False,
                },
            ],
            "risks": [
                {
                    "category": "neglect",
                    "description": "Persistent neglect of health and hygiene.",
                    "level": "high",
                    "known": True,
                },
                {
                    "category": "education",
                    "description": "Attendance falling; possible young carer role.",
                    "level": "medium",
                    "known": False,
                },
            ],
            "obstacles": [
                {"type": "engagement", "detail": "Parents decline the parenting programme."}
            ],
            "criteria": ["neglect_long_term"],
            "criteria_detail": "Plan for more than 18 months; the CP conference remains "
            "concerned at the lack of progress.",
            "processes_tried": [
                {
                    "process": "child_protection_conference",
                    "date": authorised - timedelta(days=30),
                    "outcome": "Plan continued; no specialist parenting assessment available.",
                }
            ],
            "benefits": "A specialist parenting assessment and an education plan.",
            "outcomes_sought": ["Attendance above 90%", "Plan ends within a year"],
            "child_views": "Jojo would like help with homework and to keep their dog.",
            "family_aware": False,
            "referrer": {
                "name": "Wren Example",
                "role": "School nurse",
                "agency": "Health",
                "email": "wren.example@example.org",
            },
            "key_social_worker": {
                "name": "Vic Dummy",
                "team": "Safeguarding team 3",
                "consulted_on": authorised - timedelta(days=6),
            },
            "authorised_by": {
                "name": "Yan Fabricated",
                "role": "Named Nurse for Safeguarding",
                "agency": "Health",
                "date": authorised,
            },
            "iro": {"name": "Zed Nominal", "consulted_on": authorised - timedelta(days=4)},
        },
    ]


def demo_strategic_yaml() -> str:
    items = {
        "items": [
            {
                "title": "No specialist exploitation worker for the north of the county",
                "lead": "Gale Invent (Youth justice)",
                "notes": "Three of this year's referrals waited over eight weeks for a "
                "specialist worker. Proposal: a shared rota across youth justice and "
                "children's social care (fictional).",
            }
        ]
    }
    return "# Strategic items for the demo meeting (fictional).\n" + dump_yaml(items)


def complete_demo_minutes(draft: dict[str, Any], next_meeting: date) -> dict[str, Any]:
    """The note-taker's completed record of the demo meeting (fictional decisions)."""
    record = dict(draft)
    meeting = draft["meeting"]
    present = list(draft["present"])
    record["apologies"] = [present.pop()]  # one member sent apologies
    record["present"] = present
    in_weeks = [meeting + timedelta(weeks=weeks) for weeks in (1, 2, 3, 4, 6)]
    decisions = [
        {
            "discussion": "Missing episodes have risen since December. Police intelligence "
            "links Kai to an older peer group supplying drugs in Easttown.\n"
            "Kai's views were heard: he wants to stay near his brothers.",
            "risk_level": "very_high",
            "risk_rationale": "Exploitation suspected, frequent missing episodes, "
            "no specialist worker.",
            "risk_management_plan": "One plan led by the social worker; police flag "
            "addresses; youth justice and school share a weekly update; return-home "
            "interviews within 72 hours.",
            "contingencies": "If missing for more than 24 hours, strategy meeting the same day.",
            "actions": [
                {
                    "description": "Allocate a specialist exploitation worker",
                    "agency": "Children's social care",
                    "owner": "Morgan Pretend",
                    "due": in_weeks[1],
                },
                {
                    "description": "Share the disruption plan for Easttown addresses",
                    "agency": "Police",
                    "owner": "PC Sam Madeup",
                    "due": in_weeks[0],
                },
            ],
            "resources": [
                {
                    "agency": "Health",
                    "description": "Joint funding of a therapeutic mentor (six months)",
                    "amount": 4800.0,
                    "confirmed": False,
                }
            ],
            "themes": ["no_specialist_exploitation_worker", "cross_agency_priorities"],
        },
        {
            "discussion": "The provider has given notice. Health and social care agreed "
            "to fund therapeutic input jointly, subject to confirmation.",
            "risk_level": "very_high",
            "risk_rationale": "Repeated ligature incidents and an imminent placement end.",
            "risk_management_plan": "Therapeutic placement search in county; CAMHS crisis "
            "plan shared with the home; daily check-ins by the social worker.",
            "contingencies": "Any ligature incident: CAMHS crisis team and the on-call "
            "manager the same day.",
            "actions": [
                {
                    "description": "Present an in-county therapeutic placement option",
                    "agency": "Children's social care",
                    "owner": "Noor Testcase",
                    "due": in_weeks[3],
                },
                {
                    "description": "Confirm the health share of the joint funding",
                    "agency": "Health",
                    "owner": "Dr Devi Imaginary",
                    "due": in_weeks[2],
                },
            ],
            "resources": [
                {
                    "agency": "Health & social care",
                    "description": "Therapeutic placement, shared 50/50",
                    "amount": None,
                    "confirmed": False,
                }
            ],
            "themes": ["out_of_county_placements"],
            "escalate_to_partnership": True,
            "escalation_reason": "Two hospital admissions for self-harm while looked after "
            "out of county: meets the criteria for a rapid review.",
        },
        {
            "discussion": "Neglect persists after two years of planning; the family "
            "declines the parenting programme.",
            "risk_level": "high",
            "risk_rationale": "Chronic neglect with falling school attendance.",
            "risk_management_plan": "Specialist parenting assessment; education welfare "
            "plan; school nurse weekly contact.",
            "contingencies": "Legal planning meeting if the assessment is refused.",
            "actions": [
                {
                    "description": "Commission a specialist parenting assessment",
                    "agency": "Children's social care",
                    "owner": "Vic Dummy",
                    "due": in_weeks[4],
                }
            ],
            "resources": [],
            "themes": ["no_specialist_parenting_assessment"],
        },
    ]
    cases = []
    for case, decided in zip(draft["cases"], decisions, strict=False):
        case = {**case, **decided}
        case["communication"] = "The social worker circulates the revised plan within a week."
        case["monitoring"] = "The accountable manager reports to the chair monthly."
        case["progress_report"] = {"format": "written", "due_meeting": next_meeting}
        cases.append(case)
    record["cases"] = cases
    record["strategic_items"] = [
        {
            "title": item["title"],
            "notes": "Members agreed to scope a shared rota (fictional).",
            "actions": [
                {
                    "description": "Scope a shared exploitation worker rota",
                    "agency": "Youth justice",
                    "owner": "Gale Invent",
                    "due": in_weeks[4],
                }
            ],
        }
        for item in draft["strategic_items"]
    ]
    record["any_other_business"] = "None."
    return record
