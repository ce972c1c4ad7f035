"""The democratic rating (民主测评) and the district's rating.

- `/evaluation raters <区名|全市> <n>` (admins; the city for HQ only): n one-time rater links as
  an .xlsx and a printable PDF of QR codes.
- `/start rate_<token>` (anyone, registered or not, in a private chat): the rating sheet of the
  link's scope, paged, four grade buttons per instructor, 提交 (confirmed when some are left
  ungraded). The answers are replies and edits sent straight back, never through the outbox,
  and the dispatcher keeps these updates out of the inbox and the logs (bot/app.py).
- `/evaluation rate [区名]` (a district admin: their district; HQ names one): the same sheet,
  each press stored at once as the district's grade.
- `/evaluation votes [区名]` (admins): the distribution per instructor where ≥ 3 raters voted.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import charts, keyboards
from bot.context import Context, Handlers
from bot.guards import guard, named_district
from bot.handlers.evaluation.words import Subcommand
from bot.texts import t
from storage.common.buttons import ButtonData, DistrictRateButton, RaterButton
from storage.common.text import narrow
from storage.common.times import aware
from storage.evaluation import ballots, district, qrsheet, raters
from storage.evaluation.raters import Ratee
from storage.evaluation.rounds import latest_round, participants
from storage.models import EvaluationRound, RatingSession
from storage.people import districts
from storage.people.access import Identity

PER_PAGE = 5  # instructors on one page of a rating sheet
CITY_WORDS = frozenset({"全市", "city", "全部"})
MESSAGE_LIMIT = 3800  # characters of one message of /evaluation votes

# What a button of a rating sheet carries: (action, value, grade) → its data.
MakeButton = Callable[[str, int, str | None], ButtonData]


def _now() -> datetime:
    return datetime.now(UTC)


def _deadline(context: Context, evaluation: EvaluationRound) -> str:
    return f"{aware(evaluation.deadline).astimezone(context.settings.tz):%Y-%m-%d %H:%M}"


def _pages(count: int) -> int:
    return max(1, math.ceil(count / PER_PAGE))


def _clamp(page: int, count: int) -> int:
    return min(max(0, page), _pages(count) - 1)


def grade_keyboard(
    lang: str,
    people: Sequence[Ratee],
    grades: dict[int, str],
    page: int,
    make: MakeButton,
    extra: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> InlineKeyboardMarkup:
    """A page of a rating sheet (the rater's and the district's): each instructor's name, then
    the four grades with the chosen one marked; ◀ ▶ when there are more pages; `extra` rows."""
    page = _clamp(page, len(people))
    rows: list[list[InlineKeyboardButton]] = []
    first = page * PER_PAGE
    for number, person in enumerate(people[first : first + PER_PAGE], start=first + 1):
        label = t(lang, "rating.person", number=number, name=person.name, district=person.district)
        rows.append([keyboards.button(label, make("name", person.id, None))])
        row = []
        for grade in ballots.GRADES:
            word = t(lang, f"rating.grade.{grade}")
            shown = t(lang, "rating.chosen", grade=word) if grades.get(person.id) == grade else word
            row.append(keyboards.button(shown, make("grade", person.id, grade)))
        rows.append(row)
    turn = []
    if page > 0:
        turn.append(keyboards.button(t(lang, "button.prev"), make("page", page - 1, None)))
    if page < _pages(len(people)) - 1:
        turn.append(keyboards.button(t(lang, "button.next"), make("page", page + 1, None)))
    if turn:
        rows.append(turn)
    rows.extend(list(row) for row in extra)
    return InlineKeyboardMarkup(rows)


def _page_label(lang: str, page: int, count: int) -> str:
    return t(lang, "rating.page", page=_clamp(page, count) + 1, pages=_pages(count))


def _done(people: Sequence[Ratee], grades: dict[int, str]) -> int:
    return sum(1 for person in people if person.id in grades)


# --- the rater's sheet ------------------------------------------------------------------------


def _rater_sheet(
    lang: str,
    evaluation: EvaluationRound,
    scope: str,
    people: Sequence[Ratee],
    rating: RatingSession,
) -> tuple[str, InlineKeyboardMarkup]:
    grades = {int(key): value for key, value in rating.grades.items()}

    def make(action: str, value: int, grade: str | None) -> ButtonData:
        return RaterButton(rating.id, action, value, grade)  # type: ignore[arg-type]

    text = t(
        lang,
        "rating.header",
        year=evaluation.year,
        scope=scope,
        done=_done(people, grades),
        total=len(people),
        page=_page_label(lang, rating.page, len(people)),
    )
    submit = [
        keyboards.button(t(lang, "rating.button.submit"), RaterButton(rating.id, "submit", 0))
    ]
    return text, grade_keyboard(lang, people, grades, rating.page, make, [submit])


@guard(chat="private")
async def open_rating(update: Update, context: Context, who: Identity) -> None:
    """A rater link, /start rate_<token>: the rating sheet of its scope, or why not."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    lang = context.lang(who)
    token = (context.args or [""])[0].removeprefix(raters.TOKEN_PREFIX)
    now = _now()
    async with context.sessions.begin() as session:
        await raters.forget_unsubmitted(session, now=now)
        opened = await raters.open_link(session, token, chat.id, now=now)
        if opened.outcome == "ok":
            assert opened.link is not None and opened.evaluation is not None
            assert opened.rating is not None
            scope = await raters.district_name(session, opened.link.district_id) or t(lang, "city")
            people = await raters.ratees(session, opened.evaluation.id, opened.link.district_id)
    if opened.outcome == "unknown":
        await message.reply_text(t(lang, "rating.open.unknown"))
        return
    if opened.outcome == "used":
        await message.reply_text(t(lang, "rating.open.used"))
        return
    if opened.outcome == "closed":
        assert opened.evaluation is not None
        await message.reply_text(
            t(
                lang,
                "rating.open.closed",
                year=opened.evaluation.year,
                deadline=_deadline(context, opened.evaluation),
            )
        )
        return
    if not people:
        await message.reply_text(t(lang, "rating.open.empty", scope=scope))
        return
    assert opened.evaluation is not None and opened.rating is not None
    text, markup = _rater_sheet(lang, opened.evaluation, scope, people, opened.rating)
    await message.reply_text(text, reply_markup=markup)


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:  # the same grade pressed again: nothing to change
        if "not modified" not in str(error).lower():
            raise


@guard(chat="private")
async def press_rater(update: Update, context: Context, who: Identity) -> None:
    """A press on a rater's sheet: a grade, a name, a page, 提交 and its confirmation."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and query.data is not None and chat is not None
    lang = context.lang(who)
    pressed = RaterButton.unpack(query.data)
    now = _now()
    count = 0
    async with context.sessions.begin() as session:
        if pressed.action == "grade" and pressed.grade is not None:
            found = await ballots.set_grade(
                session, pressed.session_id, chat.id, pressed.value, pressed.grade, now=now
            )
        elif pressed.action == "page":
            found = await ballots.set_page(
                session, pressed.session_id, chat.id, pressed.value, now=now
            )
        elif pressed.action == "sure":
            found, count = await ballots.submit(session, pressed.session_id, chat.id, now=now)
        else:
            found = await ballots.find(session, pressed.session_id, chat.id, now=now)
        people: list[Ratee] = []
        scope = ""
        if found.link is not None and found.evaluation is not None:
            scope = await raters.district_name(session, found.link.district_id) or t(lang, "city")
            people = await raters.ratees(session, found.evaluation.id, found.link.district_id)
        if (
            pressed.action == "submit"
            and found.outcome == "ok"
            and found.rating is not None
            and ballots.ungraded(found.rating.grades, [p.id for p in people]) == 0
        ):
            # Everyone graded: cast at once, no question asked.
            found, count = await ballots.submit(session, pressed.session_id, chat.id, now=now)
            pressed = RaterButton(pressed.session_id, "sure", 0)
    if found.outcome != "ok":
        await query.answer(t(lang, f"rating.answer.{found.outcome}"), show_alert=True)
        if found.outcome in ("used", "closed"):  # the sheet is over: its buttons go
            await _edit(update, t(lang, f"rating.answer.{found.outcome}"), None)
        return
    assert found.rating is not None and found.evaluation is not None
    if pressed.action == "sure":
        await query.answer()
        await _edit(update, t(lang, "rating.submitted", count=count), None)
        return
    if pressed.action == "name":
        name = next((p.name for p in people if p.id == pressed.value), "")
        await query.answer(t(lang, "rating.answer.name", name=name))
        return
    if pressed.action == "submit":
        missing = ballots.ungraded(found.rating.grades, [p.id for p in people])
        buttons = [
            keyboards.button(
                t(lang, "rating.button.sure"), RaterButton(found.rating.id, "sure", 0)
            ),
            keyboards.button(
                t(lang, "rating.button.back"), RaterButton(found.rating.id, "back", 0)
            ),
        ]
        await query.answer()
        text = t(lang, "rating.confirm", missing=missing, total=len(people))
        await _edit(update, text, InlineKeyboardMarkup([buttons]))
        return
    if pressed.action == "grade" and pressed.grade is not None:
        name = next((p.name for p in people if p.id == pressed.value), "")
        grade = t(lang, f"rating.grade.{pressed.grade}")
        await query.answer(t(lang, "rating.answer.saved", name=name, grade=grade))
    else:
        await query.answer()
    text, markup = _rater_sheet(lang, found.evaluation, scope, people, found.rating)
    await _edit(update, text, markup)


# --- /evaluation raters -----------------------------------------------------------------------


async def _district_of(context: Context, who: Identity, word: str) -> tuple[int | None, str] | str:
    """The district (id, name) an admin named, None for 全市; or the refusal."""
    lang = context.lang(who)
    if word.lower() in CITY_WORDS or word == t(lang, "city"):
        if not who.is_hq:
            return t(lang, "rating.links.city_hq_only", district=who.district_name or "")
        return None, t(lang, "city")
    return await named_district(context, who, word)


def _count(word: str) -> int | None:
    text = narrow(word).strip()
    return int(text) if text.isdigit() and text.isascii() else None


async def make_links(update: Update, context: Context, who: Identity, rest: str) -> None:
    """/evaluation raters <区名|全市> <n>: n one-time links as .xlsx and a PDF of QR codes."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if not who.is_admin:
        await message.reply_text(t(lang, "rating.not_admin"))
        return
    words = rest.split()
    if len(words) != 2:
        await message.reply_text(t(lang, "rating.links.usage", most=raters.MAX_LINKS))
        return
    scope_word, count_word = words
    if _count(scope_word) is not None and _count(count_word) is None:
        scope_word, count_word = count_word, scope_word  # 30 西城 means 西城 30
    count = _count(count_word)
    if count is None or not 1 <= count <= raters.MAX_LINKS:
        await message.reply_text(
            t(lang, "rating.links.bad_count", value=count_word, most=raters.MAX_LINKS)
        )
        return
    scope = await _district_of(context, who, scope_word)
    if isinstance(scope, str):
        await message.reply_text(scope)
        return
    district_id, label = scope
    now = _now()
    async with context.sessions.begin() as session:
        evaluation = await raters.open_round(session, now=now)
        if isinstance(evaluation, raters.LinksRefusal):
            refusal: str | None = _refusal(context, lang, evaluation)
        elif not await participants(session, evaluation.id, district_id):
            refusal = t(lang, "rating.links.no_participants", scope=label)
        else:
            made = await raters.make_links(
                session, district_id, count, created_by=who.telegram_id, now=now
            )
            refusal = (
                _refusal(context, lang, made) if isinstance(made, raters.LinksRefusal) else None
            )
    if refusal is not None:
        await message.reply_text(refusal)
        return
    assert not isinstance(evaluation, raters.LinksRefusal)
    assert not isinstance(made, raters.LinksRefusal)
    username = context.bot.username
    sheet = raters.links_sheet(made, label, username)
    entries = [
        qrsheet.SheetEntry(link.number, label, raters.rater_link(username, link.token))
        for link in made
    ]
    font = charts.chinese_font()
    pdf = await asyncio.to_thread(
        qrsheet.qr_sheet_pdf,
        entries,
        title=t(lang, "rating.sheet.title", year=evaluation.year, scope=label),
        caption=t(lang, "rating.sheet.caption"),
        font_path=str(font.path),
        font_index=font.face_index,
    )
    await message.reply_text(
        t(
            lang,
            "rating.links.done",
            count=len(made),
            scope=label,
            year=evaluation.year,
            deadline=_deadline(context, evaluation),
            per_page=qrsheet.PER_PAGE,
        )
    )
    await message.reply_document(
        InputFile(sheet, filename=t(lang, "rating.links.file", scope=label))
    )
    await message.reply_document(InputFile(pdf, filename=t(lang, "rating.links.pdf", scope=label)))


def _refusal(context: Context, lang: str, refusal: raters.LinksRefusal) -> str:
    values = dict(refusal.values)
    if refusal.code == "closed":
        deadline = values["deadline"]
        assert isinstance(deadline, datetime)
        values["deadline"] = f"{aware(deadline).astimezone(context.settings.tz):%Y-%m-%d %H:%M}"
    if refusal.code == "bad_count":
        values = {"value": values["count"], "most": values["most"]}
    return t(lang, f"rating.links.{refusal.code}", **values)


# --- the district's rating --------------------------------------------------------------------


async def _rating_district(context: Context, who: Identity, rest: str) -> tuple[int, str] | str:
    """The district an admin rates: a district admin's own, a district HQ names."""
    lang = context.lang(who)
    word = rest.strip()
    if not word:
        if who.is_hq or who.district_id is None:
            return t(lang, "rating.district.name_one")
        return who.district_id, who.district_name or ""
    async with context.sessions() as session:
        names = await districts.district_ids(session)
    found = districts.find_district(names, word)
    if found is None:
        return t(lang, "district.unknown", name=word, names="、".join(names))
    if not who.may_manage(names[found]):
        return t(lang, "rating.district.not_yours", district=who.district_name or "")
    return names[found], found


def _district_sheet(
    context: Context,
    lang: str,
    evaluation: EvaluationRound,
    district_id: int,
    name: str,
    people: Sequence[Ratee],
    grades: dict[int, str],
    page: int,
) -> tuple[str, InlineKeyboardMarkup]:
    def make(action: str, value: int, grade: str | None) -> ButtonData:
        return DistrictRateButton(district_id, action, value, grade)  # type: ignore[arg-type]

    text = t(
        lang,
        "rating.district.header",
        year=evaluation.year,
        district=name,
        deadline=_deadline(context, evaluation),
        done=_done(people, grades),
        total=len(people),
        page=_page_label(lang, page, len(people)),
    )
    return text, grade_keyboard(lang, people, grades, page, make)


async def rate_district(update: Update, context: Context, who: Identity, rest: str) -> None:
    """/evaluation rate [区名]: the district's rating sheet."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if not who.is_admin:
        await message.reply_text(t(lang, "rating.not_admin"))
        return
    chosen = await _rating_district(context, who, rest)
    if isinstance(chosen, str):
        await message.reply_text(chosen)
        return
    district_id, name = chosen
    async with context.sessions() as session:
        evaluation = await raters.open_round(session, now=_now())
        if isinstance(evaluation, raters.LinksRefusal):
            await message.reply_text(_refusal(context, lang, evaluation))
            return
        people = await raters.ratees(session, evaluation.id, district_id)
        grades = await district.district_grades(session, evaluation.id)
    if not people:
        await message.reply_text(t(lang, "rating.open.empty", scope=name))
        return
    text, markup = _district_sheet(context, lang, evaluation, district_id, name, people, grades, 0)
    await message.reply_text(text, reply_markup=markup)


@guard(role="admin", chat="private")
async def press_district(update: Update, context: Context, who: Identity) -> None:
    """A press on the district's rating sheet: a grade is stored at once."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = DistrictRateButton.unpack(query.data)
    if not who.may_manage(pressed.district_id):
        await query.answer(
            t(lang, "rating.district.not_yours", district=who.district_name or ""), show_alert=True
        )
        return
    now = _now()
    page = 0
    async with context.sessions.begin() as session:
        evaluation = await raters.open_round(session, now=now)
        if isinstance(evaluation, raters.LinksRefusal):
            refusal = _refusal(context, lang, evaluation)
        else:
            refusal = None
            people = await raters.ratees(session, evaluation.id, pressed.district_id)
            if pressed.action == "grade" and pressed.grade is not None:
                rated = await district.rate(
                    session,
                    evaluation,
                    pressed.district_id,
                    pressed.value,
                    pressed.grade,
                    by=who.telegram_id,
                    now=now,
                )
                if rated.outcome != "ok":
                    refusal = t(lang, f"rating.answer.{rated.outcome}")
                ids = [p.id for p in people]
                at = ids.index(pressed.value) if pressed.value in ids else 0
                page = at // PER_PAGE
            elif pressed.action == "page":
                page = pressed.value
            grades = await district.district_grades(session, evaluation.id)
            label = await raters.district_name(session, pressed.district_id) or ""
    if refusal is not None:
        await query.answer(refusal, show_alert=True)
        return
    assert not isinstance(evaluation, raters.LinksRefusal)
    if pressed.action == "name":
        name = next((p.name for p in people if p.id == pressed.value), "")
        await query.answer(t(lang, "rating.answer.name", name=name))
        return
    if pressed.action == "grade" and pressed.grade is not None:
        name = next((p.name for p in people if p.id == pressed.value), "")
        grade = t(lang, f"rating.grade.{pressed.grade}")
        await query.answer(t(lang, "rating.answer.saved", name=name, grade=grade))
    else:
        await query.answer()
    text, markup = _district_sheet(
        context, lang, evaluation, pressed.district_id, label, people, grades, page
    )
    await _edit(update, text, markup)


# --- /evaluation votes ------------------------------------------------------------------------


async def show_votes(update: Update, context: Context, who: Identity, rest: str) -> None:
    """/evaluation votes [区名]: per instructor the votes per grade, where ≥ 3 raters voted."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if not who.is_admin:
        await message.reply_text(t(lang, "rating.not_admin"))
        return
    district_id: int | None = who.scope_district_id
    label = who.district_name if district_id is not None else t(lang, "city")
    if rest.strip():
        scope = await _district_of(context, who, rest.strip())
        if isinstance(scope, str):
            await message.reply_text(scope)
            return
        district_id, label = scope
    async with context.sessions() as session:
        evaluation = await latest_round(session)
        if evaluation is None:
            await message.reply_text(t(lang, "rating.links.no_round"))
            return
        people = await raters.ratees(session, evaluation.id, district_id)
        shown = await ballots.distribution(session, evaluation.id, [p.id for p in people])
        ballots_in = await ballots.ballot_count(session, evaluation.id, district_id)
    if not people:
        await message.reply_text(t(lang, "rating.votes.none", scope=label))
        return
    lines = [t(lang, "rating.votes.header", year=evaluation.year, scope=label, ballots=ballots_in)]
    for person in people:
        counter = shown.get(person.id)
        if counter is None:
            lines.append(
                t(
                    lang,
                    "rating.votes.hidden",
                    name=person.name,
                    district=person.district,
                    least=ballots.MIN_RATERS,
                )
            )
            continue
        counts = " · ".join(
            t(lang, "rating.votes.count", grade=t(lang, f"rating.grade.{g}"), count=counter[g])
            for g in ballots.GRADES
        )
        lines.append(
            t(
                lang,
                "rating.votes.line",
                name=person.name,
                district=person.district,
                counts=counts,
                raters=counter.total(),
            )
        )
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > MESSAGE_LIMIT:
            await message.reply_text("\n".join(chunk))
            chunk = []
        chunk.append(line)
    await message.reply_text("\n".join(chunk))


SUBCOMMANDS: dict[str, Subcommand] = {
    "raters": make_links,
    "rate": rate_district,
    "votes": show_votes,
}
HANDLERS: Handlers = [
    # Before welcome's /start, which would take rate_<token> for an invite code.
    CommandHandler(
        "start",
        open_rating,
        filters=filters.Regex(rf"^/start(@\w+)?\s+{raters.TOKEN_PREFIX}"),
    ),
    CallbackQueryHandler(press_rater, pattern=RaterButton.pattern()),
    CallbackQueryHandler(press_district, pattern=DistrictRateButton.pattern()),
]
FLOWS: tuple = ()
