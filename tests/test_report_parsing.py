"""One-line reports and #走访 group messages: what is understood, and every refusal's reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage.common.text import TYPE_LABELS, TYPE_WORDS
from storage.models import ReportType
from storage.reports.records import (
    HASHTAGS,
    NOTE_LIMIT,
    ParsedReport,
    ReportProblem,
    check_day,
    parse_day,
    parse_group_message,
    parse_line,
)

TODAY = date(2026, 11, 25)


def fields(parsed: ParsedReport) -> tuple[object, ...]:
    return (parsed.type, parsed.target, parsed.person_times, parsed.day, parsed.note)


def test_product_example() -> None:
    """The PRODUCT.md one-liner gives type, target, count, today and the note."""
    parsed = parse_line("走访 维达纸业 5人次 讲解工资协商流程", today=TODAY)
    assert parsed.ok and parsed.problems == [] and parsed.missing == []
    assert fields(parsed) == (ReportType.VISIT, "维达纸业", 5, TODAY, "讲解工资协商流程")


def test_count_in_persons_and_as_two_words() -> None:
    """`5人`, `5 人次`, full-width digits and Chinese numerals are counts too."""
    assert parse_line("指导 维达纸业 5人", today=TODAY).person_times == 5
    assert parse_line("指导 维达纸业 12 人次 备注", today=TODAY).person_times == 12
    assert parse_line("指导 维达纸业 ３０人次", today=TODAY).person_times == 30
    assert parse_line("培训 维达纸业 十五人次", today=TODAY).person_times == 15
    assert parse_line("培训 维达纸业 两人", today=TODAY).person_times == 2


def test_count_omitted_is_zero() -> None:
    """Without a count the report has 0 person-times and the rest is the note."""
    parsed = parse_line("协商 维达纸业 第二轮 工资协商", today=TODAY)
    assert parsed.ok
    assert fields(parsed) == (ReportType.NEGOTIATION, "维达纸业", 0, TODAY, "第二轮 工资协商")


def test_type_and_target_only() -> None:
    """Type and target alone make a complete report without a note."""
    parsed = parse_line("签约 维达纸业", today=TODAY)
    assert parsed.ok
    assert fields(parsed) == (ReportType.CONTRACT, "维达纸业", 0, TODAY, None)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026/11/20", date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("11月20日", date(2026, 11, 20)),
        ("11月20号", date(2026, 11, 20)),
        ("今天", TODAY),
        ("昨天", date(2026, 11, 24)),
        ("前天", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 24)),
    ],
)
def test_dates(word: str, expected: date) -> None:
    """Each documented date form names its day relative to today, in the count's place or after."""
    assert parse_day(word, TODAY) == expected
    parsed = parse_line(f"走访 维达纸业 {word} 3人次 回访", today=TODAY)
    assert parsed.ok and (parsed.day, parsed.person_times, parsed.note) == (expected, 3, "回访")


def test_month_day_in_january_means_last_december() -> None:
    """Early in January, `12月30日` is the December just past, not the coming one."""
    assert parse_day("12月30日", date(2027, 1, 5)) == date(2026, 12, 30)


def test_words_that_are_not_dates() -> None:
    """Words that do not look like a date are no date."""
    assert parse_day("讲解", TODAY) is None
    assert parse_day("5人次", TODAY) is None


def test_future_date_refused() -> None:
    """A date after today is refused with the date, the rest still understood."""
    parsed = parse_line("走访 维达纸业 11月26日 3人次", today=TODAY)
    assert not parsed.ok
    assert parsed.problems == [ReportProblem("future_date", "2026-11-26")]
    assert (parsed.type, parsed.target, parsed.person_times) == (ReportType.VISIT, "维达纸业", 3)


def test_sixty_days_back_accepted_sixty_one_refused() -> None:
    """A date 60 days back is accepted; 61 days back is too old."""
    check_day(TODAY - timedelta(days=60), TODAY)
    with pytest.raises(ReportProblem) as raised:
        check_day(TODAY - timedelta(days=61), TODAY)
    assert (raised.value.code, raised.value.value) == ("too_old", "2026-09-25")
    assert parse_line("走访 维达纸业 2026-09-26", today=TODAY).ok
    old = parse_line("走访 维达纸业 2026-09-25", today=TODAY)
    assert old.codes == ["too_old"]


@pytest.mark.parametrize("word", ["2月30日", "2026-13-01", "2026-02-29"])
def test_impossible_date(word: str) -> None:
    """A date-shaped word that names no day is a bad date, not a note."""
    with pytest.raises(ReportProblem) as raised:
        parse_day(word, TODAY)
    assert raised.value == ReportProblem("bad_date", word)
    parsed = parse_line(f"走访 维达纸业 {word} 讲解", today=TODAY)
    assert parsed.problems == [ReportProblem("bad_date", word)]
    assert (parsed.day, parsed.note) == (None, "讲解")


def test_no_type() -> None:
    """A target and count without a type lacks the type and keeps the rest."""
    parsed = parse_line("维达纸业 5人次 讲解", today=TODAY)
    assert parsed.codes == ["missing_type"] and parsed.missing == ["type"]
    assert fields(parsed) == (None, "维达纸业", 5, TODAY, "讲解")


def test_empty_line() -> None:
    """An empty line lacks both type and target."""
    parsed = parse_line("  ", today=TODAY)
    assert parsed.codes == ["missing_type", "missing_target"]
    assert parsed.missing == ["type", "target"]


def test_unknown_type() -> None:
    """An unknown type word is named in the problem; the target after it is kept."""
    parsed = parse_line("拜访 维达纸业 5人次", today=TODAY)
    assert parsed.problems == [ReportProblem("unknown_type", "拜访")]
    assert (parsed.type, parsed.target, parsed.person_times) == (None, "维达纸业", 5)


def test_no_target() -> None:
    """A type followed by a count has no target; the type and count are kept."""
    parsed = parse_line("走访 5人次 昨天", today=TODAY)
    assert parsed.codes == ["missing_target"] and parsed.missing == ["target"]
    assert (parsed.type, parsed.person_times, parsed.day) == (
        ReportType.VISIT,
        5,
        date(2026, 11, 24),
    )
    assert parse_line("走访", today=TODAY).codes == ["missing_target"]


@pytest.mark.parametrize("count", ["-3人次", "abc人次", "2.5人次", "-3 人次", "9999999人次"])
def test_bad_count(count: str) -> None:
    """A negative, fractional, non-numeric or absurd count is refused as typed."""
    parsed = parse_line(f"走访 维达纸业 {count} 讲解", today=TODAY)
    assert parsed.problems == [ReportProblem("bad_count", count)]
    assert (parsed.type, parsed.target, parsed.person_times) == (ReportType.VISIT, "维达纸业", None)
    assert parsed.note == "讲解"


def test_word_ending_in_ren_starts_the_note() -> None:
    """A note starting with a word like 负责人 is a note, not a count."""
    parsed = parse_line("走访 维达纸业 负责人 不在", today=TODAY)
    assert parsed.ok and (parsed.person_times, parsed.note) == (0, "负责人 不在")


def test_note_too_long() -> None:
    """A 5,000-character note is refused with its length; the rest is understood."""
    note = "讲" * 5000
    parsed = parse_line(f"走访 维达纸业 5人次 {note}", today=TODAY)
    assert parsed.problems == [ReportProblem("note_too_long", 5000)]
    assert (parsed.type, parsed.target, parsed.person_times) == (ReportType.VISIT, "维达纸业", 5)
    assert parse_line(f"走访 维达纸业 {'讲' * NOTE_LIMIT}", today=TODAY).ok


def test_note_keeps_its_spacing_and_later_counts() -> None:
    """The note is the rest as typed: its spaces, line breaks and any count or date in it."""
    parsed = parse_line("走访　维达纸业 讲解  工资协商\n共 5人次 昨天", today=TODAY)
    assert parsed.ok and parsed.person_times == 0
    assert parsed.note == "讲解  工资协商\n共 5人次 昨天"


def test_quoted_target_with_spaces() -> None:
    """A target in 「」 or “” keeps its spaces."""
    assert parse_line("走访 「维达 纸业」 5人", today=TODAY).target == "维达 纸业"
    assert parse_line("走访 “京东 物流” 讲解", today=TODAY).target == "京东 物流"


def test_english_type_words() -> None:
    """The English type words are accepted in any case."""
    assert parse_line("Visit 维达纸业", today=TODAY).type == ReportType.VISIT
    assert all(TYPE_WORDS[TYPE_LABELS[kind]] == kind for kind in ReportType)


def test_group_hashtag() -> None:
    """`#走访 维达纸业 3人次` is a visit report."""
    parsed = parse_group_message("#走访 维达纸业 3人次", TODAY)
    assert parsed is not None and parsed.ok
    assert fields(parsed) == (ReportType.VISIT, "维达纸业", 3, TODAY, None)


def test_group_general_hashtag_takes_the_next_word_as_type() -> None:
    """`#工作动态 指导 维达纸业` is a guidance report; without a type it lacks one."""
    parsed = parse_group_message("#工作动态 指导 维达纸业", TODAY)
    assert parsed is not None and parsed.ok
    assert (parsed.type, parsed.target) == (ReportType.GUIDANCE, "维达纸业")
    lacking = parse_group_message("#工作动态 维达纸业 3人次", TODAY)
    assert lacking is not None and lacking.codes == ["missing_type"]


def test_group_problems_reported() -> None:
    """A tagged message that cannot be parsed is returned with its problems, not ignored."""
    parsed = parse_group_message("#签约", TODAY)
    assert parsed is not None and parsed.codes == ["missing_target"]


@pytest.mark.parametrize(
    "text", ["维达纸业 3人次", "今天去 #走访 维达纸业", "#走访维达纸业", "#周报 x"]
)
def test_plain_group_message_ignored(text: str) -> None:
    """A message not starting with a report hashtag as a word of its own is no report."""
    assert parse_group_message(text, TODAY) is None


def test_every_hashtag_is_recognized() -> None:
    """Each of the eight hashtags starts a report."""
    assert len(HASHTAGS) == 8
    assert all(parse_group_message(f"{tag} 其他 维达纸业", TODAY) is not None for tag in HASHTAGS)
