"""How call-ups read in the chat: the draft with its ranking, the list, one call-up's status."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot import keyboards
from bot.texts import t
from storage.callups.ranking import Candidate
from storage.callups.records import Detail, Preview, state
from storage.common.buttons import CallUpButton
from storage.common.times import aware
from storage.models import CallUp, InvitationStatus

SHOWN_RESERVES = 5  # candidates shown after the first round


def window(lang: str, minutes: int) -> str:
    if minutes % 60 == 0:
        return t(lang, "callup.hours", hours=minutes // 60)
    return t(lang, "callup.minutes", minutes=minutes)


def why(lang: str, candidate: Candidate) -> str:
    """One candidate's line: district and level, then what their place rests on."""
    parts = [
        t(
            lang,
            "callup.why.who",
            name=candidate.name,
            district=candidate.district,
            level=t(lang, f"level.{candidate.level}"),
            employment=t(lang, f"employment.{candidate.employment}"),
        )
    ]
    if candidate.skills:
        parts.append(t(lang, "callup.why.skills", skills="、".join(candidate.skills)))
    if candidate.dispatched:
        parts.append(t(lang, "callup.why.dispatched"))
    parts.append(t(lang, "callup.why.recent", count=candidate.recent))
    return "｜".join(parts)


def headline(lang: str, call_up: CallUp, tz: ZoneInfo, *, now: datetime, today: date) -> str:
    current = state(call_up, now=now, today=today)
    return t(
        lang,
        "callups.headline",
        id=call_up.id,
        title=call_up.title,
        state=t(lang, f"callups.state.{current}", members=call_up.members, size=call_up.size),
        starts=call_up.starts.strftime("%m-%d"),
        ends=call_up.ends.strftime("%m-%d"),
    )


def facts(lang: str, call_up: CallUp, tz: ZoneInfo, district_names: dict[int, str]) -> str:
    none = t(lang, "none")
    where = [district_names.get(call_up.target_district_id or 0, ""), call_up.target_industry or ""]
    return t(
        lang,
        "callup.facts",
        target=call_up.target,
        where="·".join(w for w in where if w) or none,
        size=call_up.size,
        cap=call_up.per_district,
        skills="、".join(call_up.skills) or t(lang, "callup.any_skill"),
        districts="、".join(district_names.get(d, "?") for d in call_up.districts)
        or t(lang, "callup.all_districts"),
        starts=call_up.starts.isoformat(),
        ends=call_up.ends.isoformat(),
        deadline=aware(call_up.deadline).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        window=window(lang, call_up.answer_minutes),
    )


def draft_text(
    lang: str, found: Preview, tz: ZoneInfo, district_names: dict[int, str], hint: str = ""
) -> str:
    call_up = found.call_up
    lines = [
        t(lang, "callup.draft", id=call_up.id, title=call_up.title),
        facts(lang, call_up, tz, district_names),
        t(
            lang,
            "callup.eligible",
            eligible=len(found.candidates),
            reachable=found.reachable,
        ),
    ]
    if hint:
        lines.append(hint)
    if not found.enough:
        lines.append(t(lang, "callup.not_enough", reachable=found.reachable, size=call_up.size))
    lines.append("")
    lines.append(t(lang, "callup.first_round"))
    chosen = {c.instructor_id for c in found.chosen}
    lines += [f"{i}. {why(lang, c)}" for i, c in enumerate(found.chosen, 1)]
    rest = [c for c in found.candidates if c.instructor_id not in chosen][:SHOWN_RESERVES]
    if rest:
        lines.append(t(lang, "callup.next_in_line"))
        lines += [f"· {why(lang, c)}" for c in rest]
    return "\n".join(lines)


def draft_buttons(lang: str, call_up: CallUp) -> InlineKeyboardMarkup:
    button, cid = keyboards.button, call_up.id
    return InlineKeyboardMarkup(
        [
            [
                button(t(lang, "callup.button.less"), CallUpButton(cid, "less")),
                button(t(lang, "callup.button.more"), CallUpButton(cid, "more")),
                button(t(lang, "callup.button.cap_less"), CallUpButton(cid, "cap_less")),
                button(t(lang, "callup.button.cap_more"), CallUpButton(cid, "cap_more")),
            ],
            [
                button(t(lang, "callup.button.send", size=call_up.size), CallUpButton(cid, "send")),
                button(t(lang, "button.cancel"), CallUpButton(cid, "drop")),
            ],
        ]
    )


def _at(moment: datetime, tz: ZoneInfo) -> str:
    return aware(moment).astimezone(tz).strftime("%m-%d %H:%M")


def _people(lang: str, key: str, people: list[str]) -> str:
    return t(lang, key, count=len(people), names="、".join(people) or t(lang, "none"))


def detail_text(
    lang: str,
    found: Detail,
    tz: ZoneInfo,
    district_names: dict[int, str],
    *,
    now: datetime,
    today: date,
) -> str:
    call_up = found.call_up
    lines = [
        headline(lang, call_up, tz, now=now, today=today),
        facts(lang, call_up, tz, district_names),
        "",
    ]
    members = [
        f"{p.name}（{p.district}）" + (f" ★{p.rating}" if p.rating else "")
        for p in found.of(InvitationStatus.ACCEPTED)
    ]
    lines.append(_people(lang, "callup.status.members", members))
    invited = [
        f"{p.name}（{t(lang, 'callup.until', at=_at(p.expires_at, tz))}）"
        for p in found.of(InvitationStatus.INVITED)
        if p.expires_at is not None
    ]
    lines.append(_people(lang, "callup.status.invited", invited))
    declined = [
        p.name + (f"（{p.reason}）" if p.reason else "")
        for p in found.of(InvitationStatus.DECLINED)
    ]
    lines.append(_people(lang, "callup.status.declined", declined))
    for status in (
        InvitationStatus.EXPIRED,
        InvitationStatus.UNREACHABLE,
        InvitationStatus.RESERVE,
        InvitationStatus.WITHDRAWN,
        InvitationStatus.CLOSED,
    ):
        names = [p.name for p in found.of(status)]
        if names:
            lines.append(_people(lang, f"callup.status.{status.value}", names))
    return "\n".join(lines)
