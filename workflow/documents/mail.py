"""Email drafts (.eml) the administrator opens, checks and sends from their own mail."""

from __future__ import annotations

import email.policy
import re
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from workflow.contract import Person
from workflow.core.files import write_bytes

# Long subjects (marking + panel name + date) are kept on one line rather than folded
# before their first word, which some readers show as a leading space. SMTP's policy ends
# every line with CRLF, as RFC 5322 (and Outlook, opening a draft) expect.
_POLICY = email.policy.SMTP.clone(max_line_length=250)
# The right-hand side of a Message-ID: not the machine's name, which would say whose PC
# wrote the draft to everyone who receives it.
_ID_DOMAIN = "ccp.invalid"
_SUBTYPES = {
    ".pdf": "pdf",
    ".docx": "vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "recipient"


def write_draft(
    target: Path,
    *,
    sender: Person,
    to: tuple[str, str] | list[tuple[str, str]],
    subject: str,
    body: str,
    attachment: Path | None = None,
    cc: list[tuple[str, str]] | None = None,
) -> Path:
    """An unsent message: Outlook opens it as a draft (X-Unsent), others as a message."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = formataddr((sender.name, sender.email or ""))
    recipients = [to] if isinstance(to, tuple) else list(to)
    message["To"] = ", ".join(formataddr(person) for person in recipients)
    if cc:
        message["Cc"] = ", ".join(formataddr(person) for person in cc)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_ID_DOMAIN)
    message["X-Unsent"] = "1"
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(
            attachment.read_bytes(),
            maintype="application",
            subtype=_SUBTYPES.get(attachment.suffix.lower(), "octet-stream"),
            filename=attachment.name,
        )
    return write_bytes(target, bytes(message))
