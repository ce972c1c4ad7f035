"""/quotas and /rewards: per district and region, with their .xlsx; the command line's
`xieshang rewards` words its figures with rewards_text too."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.context import Context
from bot.guards import command_text, guard
from bot.handlers.honours.common import place, read_scope
from bot.texts import t
from storage.honours import figures
from storage.honours.amounts import yuan
from storage.honours.figures import RegionLine, Rewards
from storage.people.access import Identity


def quotas_text(lang: str, year: int, scope: str, lines: list[RegionLine]) -> str:
    if not lines:
        return t(lang, "honours.quotas.none", year=year, scope=scope)
    said = [t(lang, "honours.quotas.header", year=year, scope=scope)]
    for line in lines:
        quota = line.quota if line.quota is not None else t(lang, "honours.quotas.unset")
        said.append(
            t(
                lang,
                "honours.quotas.line",
                place=place(line.district, line.region),
                quota=quota,
                nominated=line.nominated,
                passed=line.passed,
                failed=line.failed,
            )
        )
    return "\n".join(said)


def rewards_text(lang: str, rewards: Rewards, scope: str) -> str:
    """The /rewards answer: a line per district, then the total."""
    if not rewards.districts:
        return t(lang, "honours.rewards.none", year=rewards.year, scope=scope)
    said = [t(lang, "honours.rewards.header", year=rewards.year, scope=scope)]
    for one in rewards.districts:
        said.append(
            t(
                lang,
                "honours.rewards.line",
                district=one.district,
                model_count=one.model_count,
                model_yuan=yuan(one.model_yuan),
                featured_count=one.featured_count,
                featured_yuan=yuan(one.featured_yuan),
                total=yuan(one.total),
            )
        )
    total = rewards.all
    said.append(
        t(
            lang,
            "honours.rewards.all",
            total=yuan(total.total),
            model_yuan=yuan(total.model_yuan),
            featured_yuan=yuan(total.featured_yuan),
        )
    )
    return "\n".join(said)


@guard(role="admin", chat="private")
async def show_quotas(update: Update, context: Context, who: Identity) -> None:
    """`/quotas [year] [区名]`: quota, nominated and accepted per region, with an .xlsx."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        scope = await read_scope(session, context, who, command_text(message), "quotas")
        if scope.refusal is None:
            lines = await figures.quota_lines(session, scope.year, scope.district_id)
            sheet = await figures.quotas_sheet(session, scope.year, scope.district_id, lines)
    if scope.refusal is not None:
        await message.reply_text(scope.refusal)
        return
    await message.reply_text(quotas_text(lang, scope.year, scope.label, lines))
    if lines:
        name = t(lang, "honours.quotas.file", year=scope.year)
        await message.reply_document(InputFile(sheet, filename=name))


@guard(role="admin", chat="private")
async def show_rewards(update: Update, context: Context, who: Identity) -> None:
    """`/rewards [year] [区名]`: model-enterprise and featured-contract rewards summed, with an
    .xlsx of one row per reward, then the totals."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        scope = await read_scope(session, context, who, command_text(message), "rewards")
        if scope.refusal is None:
            rewards = await figures.reward_totals(session, scope.year, scope.district_id)
            sheet = await figures.rewards_sheet(session, rewards, scope.district_id)
    if scope.refusal is not None:
        await message.reply_text(scope.refusal)
        return
    await message.reply_text(rewards_text(lang, rewards, scope.label))
    if rewards.districts:
        name = t(lang, "honours.rewards.file", year=scope.year)
        await message.reply_document(InputFile(sheet, filename=name))
