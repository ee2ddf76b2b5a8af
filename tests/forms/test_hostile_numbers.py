"""A number too long for a form names its field in one line, in every kind of form."""

from __future__ import annotations

import pytest
import yaml
from testdata import write_yaml

from workflow.cli import cli

HUGE = 10**400 + 7  # 401 digits: too large for a float, so "%g" cannot show it


@pytest.mark.parametrize(
    ("field_path", "value", "shown"),
    [
        (("child", "local_id"), HUGE, "a 401-digit number"),
        (("history",), -HUGE, "a 401-digit number"),
        (("child", "local_id"), 10**16, "10000000000000000"),
        (("history",), 1e300, "1e+300"),
    ],
    ids=["401 digits", "negative 401 digits", "17 digits", "huge float"],
)
def test_a_too_large_number_in_a_referral_is_one_line_naming_the_field(
    runner, referral_data, tmp_path, field_path, value, shown
):
    target = referral_data
    for key in field_path[:-1]:
        target = target[key]
    target[field_path[-1]] = value
    path = write_yaml(tmp_path / "huge.yaml", referral_data)

    result = runner.invoke(cli, ["referral", "check", str(path)])

    assert result.exit_code == 1
    where = ".".join(field_path)
    assert f"huge.yaml: {where}: {shown} is too large (at most 1,000,000,000,000,000)" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_a_number_of_thousands_of_digits_is_refused_without_a_traceback(runner, tmp_path):
    # More digits than Python will turn into text (4,300 by default).
    path = tmp_path / "huge.yaml"
    path.write_text("meeting: 2027-03-11\nhistory: " + "9" * 5000 + "\n", encoding="utf-8")

    result = runner.invoke(cli, ["referral", "check", str(path)])

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: huge.yaml:")
    assert "Traceback" not in result.output


def test_a_401_digit_amount_in_the_minutes_is_one_line(runner, workspace, tmp_path):
    record = {
        "meeting": "2027-03-11",
        "chair": "Alex Sample",
        "present": [{"name": "Alex Sample", "role": "Chair", "agency": "Children's social care"}],
        "cases": [],
        "strategic_items": [],
        "amount": HUGE,
    }
    path = tmp_path / "minutes.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")

    result = runner.invoke(cli, ["-w", str(workspace.root), "minutes", "record", str(path)])

    assert result.exit_code == 1
    assert "amount: a 401-digit number is too large" in result.stderr
    assert "Traceback" not in result.output
