"""/assign <name> 区:… 行业:… (HQ) records whom a city-level instructor covers; /dispatch shows
the board: who covers which district and industry, and what nobody covers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.chunks import split_messages
from bot.context import Context, Handlers
from bot.guards import answer, command_text, guard
from bot.texts import t
from storage.messaging import conversations
from storage.models import Instructor, Level, Status
from storage.people import dispatch, districts, roster
from storage.people.access import Identity
from storage.people.dispatch import AssignButton, AssignProblem, AssignRequest, Covering

# Namesakes wait for a button in the sender's conversation; the button names one of them.
FLOW = "assign"


# --- /assign -------------------------------------------------------------------------------


def _problem(lang: str, problem: AssignProblem, names: Sequence[str]) -> str:
    if problem.code == "usage":
        return t(lang, "assign.usage")
    if problem.code == "unknown_district":
        return t(lang, "assign.unknown_district", value=problem.value, names="、".join(names))
    if problem.code == "too_long":
        return t(lang, "assign.too_long", value=problem.value, limit=dispatch.INDUSTRY_LIMIT)
    return t(lang, "assign.stray", value=problem.value) + "\n\n" + t(lang, "assign.usage")


def _describe(lang: str, instructor: Instructor, district_names: dict[int, str]) -> str:
    """区：东城、西城 / 产业：制造业, one line each."""
    separator = t(lang, "dispatch.separator")
    nothing = t(lang, "assign.nothing")
    assigned = [district_names.get(i, "?") for i in instructor.assigned_districts or []]
    industries = list(instructor.assigned_industries or [])
    return "\n".join(
        [
            t(lang, "assign.districts", districts=separator.join(assigned) or nothing),
            t(lang, "assign.industries", industries=separator.join(industries) or nothing),
        ]
    )


async def _record(
    session: AsyncSession, lang: str, instructor: Instructor, request: AssignRequest
) -> str:
    """Records the request for `instructor` (or only shows them) and words the answer."""
    changed = await dispatch.assign(session, instructor, request.districts, request.industries)
    names = {i: n for n, i in (await districts.district_ids(session)).items()}
    who = t(
        lang,
        "assign.who",
        name=instructor.name,
        district=names.get(instructor.district_id, "?"),
        level=t(lang, f"level.{instructor.level}"),
        employment=t(lang, f"employment.{instructor.employment}"),
    )
    if not request.changes:
        heading = "assign.current"
    else:
        heading = "assign.recorded" if changed else "assign.unchanged"
    lines = [t(lang, heading, who=who), _describe(lang, instructor, names)]
    if instructor.level != Level.CITY.value:
        level = t(lang, f"level.{instructor.level}")
        lines.append(t(lang, "assign.not_city", name=instructor.name, level=level))
    if instructor.status != Status.ACTIVE.value:
        status = t(lang, f"status.{instructor.status}")
        lines.append(t(lang, "assign.not_active", name=instructor.name, status=status))
    if not request.changes:
        lines.extend(["", t(lang, "assign.usage")])
    return "\n".join(lines)


def _choices(matches: Sequence[Instructor]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[keyboards.button(f"{m.name}（{m.district.name}）", AssignButton(m.id))] for m in matches]
    )


@guard(role="hq", chat="private")
async def assign(update: Update, context: Context, who: Identity) -> None:
    """`/assign 张三 区:西城,东城 行业:制造业` records at once for one instructor of that name;
    namesakes (or a name only partly matched) are offered as buttons."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    text = command_text(message)
    async with context.sessions() as session:
        names = await districts.district_ids(session)
        try:
            request = dispatch.parse_assignment(text, names)
        except AssignProblem as problem:
            await message.reply_text(_problem(lang, problem, list(names)))
            return
        matches = await roster.find_instructors(session, request.name, request.home_district_id)
    if not matches:
        await message.reply_text(t(lang, "assign.not_found", name=request.name))
        return
    exact = len(matches) == 1 and matches[0].name == roster.normalize_name(request.name)
    async with context.sessions.begin() as session:
        if exact:
            instructor = await session.get_one(Instructor, matches[0].id)
            reply = await _record(session, lang, instructor, request)
            markup = None
        else:
            data = {
                "candidates": [m.id for m in matches],
                "districts": request.districts,
                "industries": request.industries,
            }
            await conversations.save(session, who.telegram_id, flow=FLOW, step="choose", data=data)
            reply = t(lang, "assign.choose", name=request.name)
            markup = _choices(matches)
    await message.reply_text(reply, reply_markup=markup)


@guard(role="hq", chat="private")
async def press_assign(update: Update, context: Context, who: Identity) -> None:
    """Choosing one of several instructors records the /assign that offered them."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    instructor_id = AssignButton.unpack(query.data).instructor_id
    reply = None
    async with context.sessions.begin() as session:
        conversation = await conversations.load(session, who.telegram_id)
        data = conversation.data if conversation is not None else {}
        instructor = await session.get(Instructor, instructor_id)
        if (
            conversation is not None
            and conversation.flow == FLOW
            and instructor_id in data.get("candidates", [])
            and instructor is not None
        ):
            request = AssignRequest(instructor.name, None, data["districts"], data["industries"])
            reply = await _record(session, lang, instructor, request)
            await conversations.clear(session, who.telegram_id)
    if reply is None:
        await answer(update, t(lang, "assign.expired"))
        return
    await query.answer()
    await query.edit_message_text(reply)


# --- /dispatch -----------------------------------------------------------------------------


def _people(lang: str, coverings: Sequence[Covering]) -> str:
    """张三（西城）、李红（西城·区级）: the level is named only where it is not 市级."""
    words = []
    for covering in coverings:
        if covering.level == Level.CITY.value:
            words.append(t(lang, "dispatch.person", name=covering.name, district=covering.district))
        else:
            level = t(lang, f"level.{covering.level}")
            words.append(
                t(
                    lang,
                    "dispatch.person_level",
                    name=covering.name,
                    district=covering.district,
                    level=level,
                )
            )
    return t(lang, "dispatch.separator").join(words)


def board_lines(lang: str, board: dispatch.Board) -> list[str]:
    """The board as lines: per district, per industry, then what nobody covers."""
    separator = t(lang, "dispatch.separator")
    lines = [t(lang, "dispatch.title")]
    if not board.districts and not board.industries:
        lines.append(t(lang, "dispatch.empty"))
    if board.districts:
        lines.extend(["", t(lang, "dispatch.by_district")])
        for name, coverings in board.districts:
            lines.append(t(lang, "dispatch.line", what=name, who=_people(lang, coverings)))
    if board.industries:
        lines.extend(["", t(lang, "dispatch.by_industry")])
        for name, coverings in board.industries:
            lines.append(t(lang, "dispatch.line", what=name, who=_people(lang, coverings)))
    nothing = t(lang, "assign.nothing")
    lines.append("")
    lines.append(
        t(lang, "dispatch.open_districts", names=separator.join(board.open_districts) or nothing)
    )
    lines.append(
        t(lang, "dispatch.open_industries", names=separator.join(board.open_industries) or nothing)
    )
    return lines


@guard(role="admin", chat="private")
async def show_dispatch(update: Update, context: Context, who: Identity) -> None:
    """/dispatch: per district and per industry who covers it, then what nobody covers."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    async with context.sessions() as session:
        board = await dispatch.board(session)
    for text in split_messages(board_lines(lang, board), t(lang, "dispatch.separator")):
        await message.reply_text(text)


HANDLERS: Handlers = [
    CommandHandler("assign", assign),
    CommandHandler("dispatch", show_dispatch),
    CallbackQueryHandler(press_assign, pattern=AssignButton.pattern()),
]
