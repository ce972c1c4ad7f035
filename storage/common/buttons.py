"""Button data: one codec for every inline button, in handlers and in what the outbox sends.

Each kind of button is a frozen dataclass with a prefix naming its feature and typed fields
(aiogram's CallbackData is the model):

    NoticeButton(12, "confirm").pack()           -> "notice:12:confirm"
    NoticeButton.unpack("notice:12:confirm")     -> NoticeButton(notice_id=12, action="confirm")
    NoticeButton.pattern(action="confirm")       -> the regex its CallbackQueryHandler routes on

Fields are `int`, `bool`, a `Literal` of words, or `str` (a short word of [a-z0-9_]); a field
that may be `None` has the default None and comes last (left out of the data when None). Data
points at database rows, so a button keeps working after a restart; it never holds more than
Telegram's 64 bytes, which is checked for the longest value each kind can have.

Buttons of messages sent before the prefixes were renamed still work where they are kept as
`Legacy` forms: a regex with named groups for fields, the other fields as constants.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

LIMIT = 64  # bytes of callback_data Telegram accepts
SEPARATOR = ":"
INT_DIGITS = 19  # a BigInteger id at most
WORD = r"[a-z0-9_]{1,24}"
WORD_LIMIT = 24

_PREFIX = re.compile(r"[a-z][a-z_]*")
_GROUP_NAME = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class Legacy:
    """An older form of the data: `regex` names fields in groups; `constants` gives the rest."""

    regex: str
    constants: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class _Field:
    name: str
    regex: str
    longest: str
    parse: Callable[[str], Any]
    optional: bool


def _field(name: str, hint: Any, optional: bool) -> _Field:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        [inner] = [arg for arg in args if arg is not type(None)]
        return _field(name, inner, True)
    if hint is bool:
        return _Field(name, "[01]", "1", lambda text: text == "1", optional)
    if hint is int:
        return _Field(name, rf"\d{{1,{INT_DIGITS}}}", "9" * INT_DIGITS, int, optional)
    if hint is str:
        return _Field(name, WORD, "z" * WORD_LIMIT, str, optional)
    if typing.get_origin(hint) is Literal and all(isinstance(arg, str) for arg in args):
        words = list(args)
        longest = max(words, key=lambda word: len(word.encode()))
        return _Field(name, "|".join(map(re.escape, words)), longest, str, optional)
    raise TypeError(f"button field {name}: {hint!r} is not int, bool, str or a Literal of words")


class ButtonData:
    """The base of every kind of button data; subclasses are frozen dataclasses."""

    prefix: ClassVar[str]
    legacy: ClassVar[tuple[Legacy, ...]]
    _spec: ClassVar[list[_Field]]  # the fields, read once from the dataclass

    def __init_subclass__(cls, *, prefix: str, legacy: tuple[Legacy, ...] = (), **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"button prefix {prefix!r}: lower-case letters and _ only")
        cls.prefix = prefix
        cls.legacy = legacy

    @classmethod
    def _fields(cls) -> list[_Field]:
        if "_spec" in cls.__dict__:
            return cls._spec
        hints = typing.get_type_hints(cls)
        dataclass_fields = dataclasses.fields(typing.cast(Any, cls))
        fields = [_field(field.name, hints[field.name], False) for field in dataclass_fields]
        seen_optional = False
        for field in fields:
            if seen_optional and not field.optional:
                raise TypeError(f"{cls.__name__}.{field.name}: optional fields come last")
            seen_optional = seen_optional or field.optional
        cls._spec = fields
        return fields

    @classmethod
    def _regex(cls, fixed: dict[str, Any], named: bool) -> str:
        regex = re.escape(cls.prefix)
        for field in cls._fields():
            value = fixed.get(field.name)
            body = re.escape(_text(value)) if field.name in fixed else field.regex
            group = f"(?P<{field.name}>{body})" if named else f"(?:{body})"
            regex += f"(?:{SEPARATOR}{group})?" if field.optional else f"{SEPARATOR}{group}"
        return regex

    @classmethod
    def pattern(cls, **fixed: Any) -> str:
        """The regex a CallbackQueryHandler routes this kind on, some fields fixed if given."""
        unknown = set(fixed) - {field.name for field in cls._fields()}
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        forms = [cls._regex(fixed, named=False)]
        for old in cls.legacy:
            if all(name in old.constants and old.constants[name] == fixed[name] for name in fixed):
                forms.append(_GROUP_NAME.sub("(?:", old.regex))
        return "^(?:" + "|".join(forms) + ")$"

    def pack(self) -> str:
        """The callback_data of this button; refuses what Telegram would refuse."""
        parts = [self.prefix]
        left_out = False  # an optional field left out: the ones after it must be left out too
        for field in self._fields():
            value = getattr(self, field.name)
            if value is None:
                if not field.optional:
                    raise ValueError(f"{type(self).__name__}.{field.name} is required")
                left_out = True
                continue
            if left_out:
                raise ValueError(f"{type(self).__name__}.{field.name}: set after a left-out field")
            text = _text(value)
            if not re.fullmatch(field.regex, text):
                raise ValueError(f"{type(self).__name__}.{field.name}: {value!r} does not fit")
            parts.append(text)
        data = SEPARATOR.join(parts)
        if len(data.encode()) > LIMIT:
            raise ValueError(f"button data over {LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self:
        """The button behind `data`, in its current or a legacy form; ValueError otherwise."""
        match = re.fullmatch(cls._regex({}, named=True), data)
        constants: dict[str, Any] = {}
        if match is None:
            for old in cls.legacy:
                match = re.fullmatch(old.regex, data)
                if match is not None:
                    constants = old.constants
                    break
        if match is None:
            raise ValueError(f"not {cls.__name__} data: {data!r}")
        groups = match.groupdict()
        values: dict[str, Any] = {}
        for field in cls._fields():
            text = groups.get(field.name)
            if text is not None:
                values[field.name] = field.parse(text)
            elif field.name in constants:
                values[field.name] = constants[field.name]
        return cls(**values)

    @classmethod
    def longest(cls) -> Self:
        """The instance with the longest data this kind can have (for the 64-byte check)."""
        return cls(**{field.name: field.parse(field.longest) for field in cls._fields()})


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


# --- the buttons of every feature -------------------------------------------------------------


@dataclass(frozen=True)
class LanguageButton(ButtonData, prefix="language", legacy=(Legacy(r"lang:(?P<code>zh|en)"),)):
    """/lang alone: 中文 or English."""

    code: Literal["zh", "en"]


@dataclass(frozen=True)
class PeoplePageButton(ButtonData, prefix="people"):
    """◀ ▶ of /people; district 0 is the whole city."""

    district_id: int
    page: int


@dataclass(frozen=True)
class InviteButton(ButtonData, prefix="invite", legacy=(Legacy(r"inv:(?P<instructor_id>\d+)"),)):
    """/invite with a name several instructors share: which one."""

    instructor_id: int


@dataclass(frozen=True)
class BindButton(
    ButtonData,
    prefix="bind",
    legacy=(Legacy(r"bind:d:(?P<district_id>\d+)", {"scope": "district"}),),
):
    """/bindgroup alone: the city, or one district."""

    scope: Literal["city", "district"]
    district_id: int | None = None


ReportStepName = Literal["type", "pick", "count", "day", "skip", "ok", "cancel"]


@dataclass(frozen=True)
class ReportStepButton(ButtonData, prefix="report"):
    """The guided /report: a type, an enterprise (0 keeps the text), a count, days ago, …"""

    step: ReportStepName
    value: str | None = None


@dataclass(frozen=True)
class ReportLinkButton(
    ButtonData,
    prefix="report_link",
    legacy=(Legacy(r"rl:(?P<report_id>\d+):(?P<enterprise_id>\d+)"),),
):
    """A suggested enterprise for a report whose target matched none."""

    report_id: int
    enterprise_id: int


@dataclass(frozen=True)
class MyReportButton(
    ButtonData,
    prefix="myreports",
    legacy=(
        Legacy(r"re:(?P<report_id>\d+)", {"action": "edit"}),
        Legacy(r"rd:(?P<report_id>\d+)", {"action": "delete"}),
        Legacy(r"rx:(?P<report_id>\d+)", {"action": "erase"}),
    ),
):
    """/myreports: edit, delete (asks), erase (the confirmed delete)."""

    report_id: int
    action: Literal["edit", "delete", "erase"]


@dataclass(frozen=True)
class NoticeButton(
    ButtonData,
    prefix="notice",
    legacy=(
        Legacy(r"nc:(?P<notice_id>\d+)", {"action": "confirm"}),
        Legacy(r"nd:(?P<notice_id>\d+)", {"action": "status"}),
        Legacy(r"nr:(?P<notice_id>\d+)", {"action": "remind"}),
    ),
):
    """收到 under a notice (sent through the outbox), and a notice's status and reminder."""

    notice_id: int
    action: Literal["confirm", "status", "remind"]


@dataclass(frozen=True)
class NoticeAudienceButton(ButtonData, prefix="notice_to"):
    """The guided /notice: who it goes to (a district id, a level, an employment, a call-up id;
    `team` without an id lists the teams)."""

    audience: Literal["all", "district", "level", "employment", "groups", "team"]
    value: str | None = None


NoticeChoice = Literal["confirm", "no_confirm", "now", "later", "send", "cancel"]


@dataclass(frozen=True)
class NoticeStepButton(ButtonData, prefix="notice_step"):
    """The guided /notice: with or without 收到, now or later, send, cancel."""

    choice: NoticeChoice


@dataclass(frozen=True)
class ReminderButton(
    ButtonData,
    prefix="reminder",
    legacy=(Legacy(r"rm:x:(?P<reminder_id>\d+)", {"action": "cancel"}),),
):
    """/reminders: cancel one."""

    reminder_id: int
    action: Literal["cancel"]


@dataclass(frozen=True)
class LeaveButton(
    ButtonData,
    prefix="leave",
    legacy=(Legacy(r"lv:x:(?P<leave_id>\d+)", {"action": "cancel"}),),
):
    """/leave alone: cancel one absence."""

    leave_id: int
    action: Literal["cancel"]


ScheduleName = Literal["nudge", "digest", "summary", "mentoring", "training", "evaluation"]


@dataclass(frozen=True)
class ScheduleButton(
    ButtonData,
    prefix="schedule",
    legacy=(Legacy(r"sc:(?P<name>nudge|digest|summary|mentoring):(?P<on>[01])"),),
):
    """/schedules: switch a built-in schedule on or off."""

    name: ScheduleName
    on: bool


CallUpAction = Literal[
    "send", "drop", "more", "less", "cap_more", "cap_less",
    "status", "add", "cancel", "cancel_yes", "rate",
]  # fmt: skip


@dataclass(frozen=True)
class CallUpButton(ButtonData, prefix="callup"):
    """A call-up for HQ: the draft's 发出邀请 / 取消 / ± numbers, its status, 增加人数, 取消,
    评分."""

    call_up_id: int
    action: CallUpAction


@dataclass(frozen=True)
class InvitationButton(ButtonData, prefix="callup_inv"):
    """An invitation (sent through the outbox): 接受, 婉拒; a member's 退出 and its confirmation."""

    invitation_id: int
    action: Literal["accept", "decline", "withdraw", "withdraw_yes", "stay"]


@dataclass(frozen=True)
class DeclineReasonButton(ButtonData, prefix="callup_why"):
    """After 婉拒: a reason in one press, or none."""

    invitation_id: int
    reason: Literal["time", "health", "work", "skip"]


@dataclass(frozen=True)
class RatingButton(ButtonData, prefix="callup_rate"):
    """A member's rating 1–5 after the end; 0 goes on without a comment."""

    invitation_id: int
    score: int


TrainingAction = Literal[
    "send", "drop", "status", "sheet", "move", "cancel", "cancel_yes", "list", "remind"
]


@dataclass(frozen=True)
class TrainingButton(ButtonData, prefix="training"):
    """A training for its organizer: the draft's 发出邀请 / 取消, its status, the attendance
    sheet, 改时间, 取消培训 and its confirmation."""

    training_id: int
    action: TrainingAction


@dataclass(frozen=True)
class SeatButton(ButtonData, prefix="training_seat"):
    """An invitation to a training (sent through the outbox): 参加, 请假."""

    seat_id: int
    action: Literal["attend", "leave"]


@dataclass(frozen=True)
class LeaveReasonButton(ButtonData, prefix="training_why"):
    """After 请假: a reason in one press, or none."""

    seat_id: int
    reason: Literal["time", "health", "work", "skip"]


@dataclass(frozen=True)
class TrainingStepButton(ButtonData, prefix="training_step"):
    """A choice in the guided /training: a format, or 跳过 for an optional step."""

    choice: Literal["lecture", "mock", "exchange", "seminar", "skip"]


# --- the democratic rating (民主测评) and the district's rating ----------------------------------

# /start rate_<token>: the payload of a rater link (the inbox keeps no trace of such updates).
RATER_START = "rate_"
GradeWord = Literal["excellent", "competent", "basic", "incompetent"]
RatingAction = Literal["grade", "name", "page", "submit", "sure", "back"]


@dataclass(frozen=True)
class RaterButton(ButtonData, prefix="rater"):
    """A rater's press on the rating sheet of a one-time link: a grade of an instructor (value
    the instructor's id), a name, a page (value the page), 提交, its confirmation (sure) and
    返回 (value 0).
    It names the rating session (the chat's, checked), never the link's token. Every update
    with this prefix is kept out of the inbox and the logs (anonymity)."""

    session_id: int
    action: RatingAction
    value: int
    grade: GradeWord | None = None


@dataclass(frozen=True)
class DistrictRateButton(ButtonData, prefix="drate"):
    """A district admin's press on the district's rating sheet of the open round: a grade of an
    instructor (value the instructor's id), a name, a page (value the page)."""

    district_id: int
    action: Literal["grade", "name", "page"]
    value: int
    grade: GradeWord | None = None


# --- mentoring (传帮带) ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignoffButton(ButtonData, prefix="mentoring"):
    """The mentor's sign-off of a step (sent through the outbox): 已达到, 尚未达到."""

    signoff_id: int
    result: Literal["reached", "not_reached"]


@dataclass(frozen=True)
class SelfAssessmentButton(ButtonData, prefix="eval_self"):
    """The annual evaluation's ✍️ 写自评 / 修改自评 (also sent through the outbox)."""

    round_id: int
    action: Literal["write"]


# --- the enterprise registry --------------------------------------------------------------------


@dataclass(frozen=True)
class EnterprisePageButton(ButtonData, prefix="enterprises"):
    """◀ ▶ of /enterprises without words; district 0 is the whole city."""

    district_id: int
    page: int


# --- the case library (经验交流) --------------------------------------------------------------


@dataclass(frozen=True)
class CaseStepButton(ButtonData, prefix="case_step"):
    """A press in the guided /case: an industry (value its number in the list), 跳过, 保存, 取消."""

    action: Literal["industry", "skip", "save", "drop"]
    value: int | None = None


@dataclass(frozen=True)
class CaseButton(ButtonData, prefix="case"):
    """A case: open it (the whole text), or send its 📎 attachment again."""

    case_id: int
    action: Literal["open", "file"]


@dataclass(frozen=True)
class CasesPageButton(ButtonData, prefix="cases_page"):
    """◀ ▶ of a /cases search kept in case_searches."""

    search_id: int
    page: int


# --- model enterprises and contract texts (示范企业, 特色合同文本) ------------------------------


@dataclass(frozen=True)
class ContractTextButton(ButtonData, prefix="contract_text"):
    """Under /contract <enterprise>: 📄 取回 sends an uploaded contract text back."""

    contract_id: int
    action: Literal["get"]
