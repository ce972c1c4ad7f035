"""Roster import benchmark: a realistic 1,050-instructor roster, imported as HQ would import it.

Run with `python -m bench.roster` (or `make bench-roster`). It builds the .xlsx, imports it into
a fresh migrated SQLite database in a temporary directory, imports it again (nothing changes),
writes the invite sheet, and prints the times and peak memory. With BENCH_DATABASE_URL or
TEST_DATABASE_URL set it does the same on PostgreSQL, in a throwaway database it creates and
drops. Times are measured with tracemalloc off; the memory peaks come from a second, traced
pass on another fresh database. Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import random
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook
from sqlalchemy import text

from bench.common import (
    column_rows,
    max_rss_mib,
    postgres_databases,
    postgres_server_url,
    postgres_version,
    print_header,
    sqlite_databases,
    table,
)
from storage import db
from storage.common.spreadsheets import ImportResult
from storage.people import invites, roster

T = TypeVar("T")

SEED = 20261125
TTL = timedelta(days=30)
BOT_USERNAME = "xieshang_bot"

# The 16 districts of Beijing and some of each one's streets and towns (街道、乡镇).
STREETS: dict[str, tuple[str, ...]] = {
    "东城": ("东华门街道", "景山街道", "交道口街道", "安定门街道", "北新桥街道", "东四街道"),
    "西城": ("西长安街街道", "新街口街道", "月坛街道", "展览路街道", "德胜街道", "金融街街道"),
    "朝阳": ("建外街道", "朝外街道", "呼家楼街道", "三里屯街道", "望京街道", "酒仙桥街道"),
    "海淀": ("中关村街道", "海淀街道", "学院路街道", "万寿路街道", "上地街道", "清河街道"),
    "丰台": ("右安门街道", "丰台街道", "卢沟桥街道", "方庄街道", "宛平街道", "花乡"),
    "石景山": ("八宝山街道", "老山街道", "八角街道", "古城街道", "鲁谷街道", "五里坨街道"),
    "门头沟": ("大峪街道", "城子街道", "东辛房街道", "永定镇", "潭柘寺镇", "龙泉镇"),
    "房山": ("城关街道", "良乡镇", "长阳镇", "窦店镇", "琉璃河镇", "阎村镇"),
    "通州": ("北苑街道", "中仓街道", "新华街道", "永顺镇", "梨园镇", "宋庄镇"),
    "顺义": ("胜利街道", "光明街道", "仁和镇", "后沙峪镇", "牛栏山镇", "李桥镇"),
    "昌平": ("城北街道", "城南街道", "回龙观街道", "天通苑北街道", "沙河镇", "南口镇"),
    "大兴": ("兴丰街道", "林校路街道", "清源街道", "亦庄镇", "黄村镇", "西红门镇"),
    "怀柔": ("泉河街道", "龙山街道", "怀柔镇", "雁栖镇", "杨宋镇", "庙城镇"),
    "平谷": ("滨河街道", "兴谷街道", "平谷镇", "马坊镇", "金海湖镇", "峪口镇"),
    "密云": ("鼓楼街道", "果园街道", "檀营地区", "溪翁庄镇", "十里堡镇", "河南寨镇"),
    "延庆": ("儒林街道", "百泉街道", "香水园街道", "延庆镇", "康庄镇", "八达岭镇"),
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国文辉力鹏宇婷雪琳"
    "晨欣浩凯鑫慧颖佳俊帅丹阳斌波宁亮峰云飞海燕梅兰"
)
INDUSTRIES = (
    "制造业", "建筑业", "批发和零售业", "交通运输业", "住宿和餐饮业", "信息技术", "金融业",
    "房地产业", "商务服务业", "教育", "卫生", "文化体育", "快递物流", "平台经济",
)  # fmt: skip
SKILLS = (
    "劳资人事", "法律", "财务", "工会工作", "集体协商", "工资集体协商", "劳动争议调解",
    "安全生产", "社会保险", "职业培训", "女职工权益", "新就业形态",
)  # fmt: skip
HEADERS = (
    "姓名", "层级", "类别", "所属区", "街道乡镇", "产业", "专长", "入职日期", "带教导师", "手机",
    "telegram_id", "备注", "状态",
)  # fmt: skip
# (level, employment, how many): 100 city-level and 50 district-level full-timers, 900 part-timers.
MIX = (
    ("市级", "专职", 100),
    ("区级", "专职", 50),
    ("街乡级", "兼职", 700),
    ("企业级", "兼职", 200),
)
BOUND = 100  # instructors who already have a Telegram id in the file (no invite for them)


@dataclass
class Person:
    name: str
    level: str
    employment: str
    district: str
    mentor: str | None = None


def build_roster(today: date) -> tuple[bytes, int]:
    """The roster as an admin would keep it in Excel; returns the .xlsx and its number of rows."""
    rng = random.Random(SEED)
    districts = list(STREETS)
    used: dict[str, set[str]] = {district: set() for district in districts}

    def unique_name(district: str) -> str:
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
            if name not in used[district]:
                used[district].add(name)
                return name

    people: list[Person] = []
    for level, employment, count in MIX:
        for index in range(count):
            district = (
                districts[index % len(districts)] if level != "街乡级" else rng.choice(districts)
            )
            people.append(Person(unique_name(district), level, employment, district))
    # Mentors are full-timers of the same district, named as the file names them.
    full_time: dict[str, list[Person]] = {}
    for person in people:
        if person.employment == "专职":
            full_time.setdefault(person.district, []).append(person)
    for person in people:
        candidates = [p for p in full_time.get(person.district, []) if p is not person]
        wants_mentor = 0.6 if person.employment == "兼职" else 0.3 if person.level == "区级" else 0
        if candidates and rng.random() < wants_mentor:
            person.mentor = rng.choice(candidates).name
    rng.shuffle(people)

    bound = set(rng.sample(range(len(people)), BOUND))
    phones = rng.sample(range(10**8), len(people))
    earliest = date(2012, 1, 1).toordinal()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "指导员花名册"
    sheet.append(list(HEADERS))
    for index, person in enumerate(people):
        started = date.fromordinal(rng.randint(earliest, today.toordinal() - 30))
        status = rng.choices(("在职", "请假", "离任"), weights=(96, 3, 1))[0]
        sheet.append(
            [
                person.name,
                person.level,
                person.employment,
                rng.choice((person.district, f"{person.district}区")),
                rng.choice(STREETS[person.district]),
                "、".join(rng.sample(INDUSTRIES, rng.randint(1, 3))),
                "、".join(rng.sample(SKILLS, rng.randint(1, 4))),
                started,
                person.mentor,
                f"1{rng.choice('3589')}{rng.randint(0, 9)}{phones[index]:08d}",
                7_000_000_000 + index if index in bound else None,
                "带教组长" if person.level == "市级" and rng.random() < 0.2 else None,
                status,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(people)


# --- measuring -----------------------------------------------------------------------------


async def timed(work: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    gc.collect()
    start = time.perf_counter()
    result = await work()
    return result, time.perf_counter() - start


async def traced(work: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    """The result of `work` and the peak of Python allocations while it ran (bytes)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = await work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


async def import_once(sessions: db.Sessions, data: bytes) -> ImportResult:
    """One import as `xieshang roster import` does it: one transaction, HQ's rights."""
    async with sessions.begin() as session:
        result = await roster.import_roster(
            session,
            data,
            "roster.xlsx",
            only_district_id=None,
            ttl=TTL,
            now=datetime.now(UTC),
        )
        if not result.ok:
            raise SystemExit(f"the generated roster was refused: {result.errors[:5]}")
    return result


async def invite_sheet(sessions: db.Sessions) -> tuple[int, int]:
    """The invite sheet as `xieshang roster invites` writes it; returns (rows, bytes)."""
    async with sessions.begin() as session:
        rows = await invites.pending_invites(
            session, district_id=None, ttl=TTL, now=datetime.now(UTC)
        )
    sheet = invites.invite_sheet(rows, BOT_USERNAME, UTC)
    return len(rows), len(sheet)


def counts(result: ImportResult) -> str:
    return f"{result.created}/{result.updated}/{result.unchanged}"


def migrate(url: str) -> float:
    start = time.perf_counter()
    db.upgrade(url)
    return time.perf_counter() - start


async def warm(sessions: db.Sessions) -> None:
    """Opens the pool's first connection, so that connecting is not timed as importing."""
    async with sessions() as session:
        await session.execute(text("SELECT 1"))


async def measure(fresh: Callable[[], Any], data: bytes) -> list[tuple[str, str]]:
    """Times on one fresh database, then memory peaks on another; (label, figure) in order."""
    figures: list[tuple[str, str]] = []
    async with fresh() as url:
        figures.append(("migrate (s)", f"{await asyncio.to_thread(migrate, url):.2f}"))
        engine = db.create_engine(url)
        try:
            sessions = db.create_sessions(engine)
            await warm(sessions)
            first, seconds = await timed(lambda: import_once(sessions, data))
            figures.append(("first import (s)", f"{seconds:.2f}"))
            figures.append(("  created/updated/unchanged", counts(first)))
            figures.append(("  invites issued", str(len(first.invites))))
            again, seconds = await timed(lambda: import_once(sessions, data))
            figures.append(("re-import (s)", f"{seconds:.2f}"))
            figures.append(("  created/updated/unchanged", counts(again)))
            (rows, size), seconds = await timed(lambda: invite_sheet(sessions))
            figures.append(("invite sheet (s)", f"{seconds:.2f}"))
            figures.append(("  rows / size", f"{rows} / {size / 1024:.0f} KiB"))
        finally:
            await engine.dispose()
    async with fresh() as url:
        await asyncio.to_thread(migrate, url)
        engine = db.create_engine(url)
        try:
            sessions = db.create_sessions(engine)
            await warm(sessions)
            _, peak = await traced(lambda: import_once(sessions, data))
            figures.append(("tracemalloc peak, first import", f"{peak / 2**20:.1f} MiB"))
            _, peak = await traced(lambda: import_once(sessions, data))
            figures.append(("tracemalloc peak, re-import", f"{peak / 2**20:.1f} MiB"))
        finally:
            await engine.dispose()
    return figures


async def main() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server_url = postgres_server_url()
    print_header("roster import benchmark")
    if server_url:
        print(f"  postgres: {await postgres_version(server_url)}")

    today = datetime.now(UTC).date()
    start = time.perf_counter()
    data, rows = build_roster(today)
    built = time.perf_counter() - start
    print(f"  roster  : {rows} rows, {len(data) / 1024:.0f} KiB .xlsx, built in {built:.2f} s")
    print()

    results: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        results["SQLite"] = await measure(sqlite_databases(Path(folder)), data)
    if server_url:
        results["PostgreSQL"] = await measure(postgres_databases(server_url), data)

    lines = column_rows(results)
    lines[1:1] = [
        ("rows", *(str(rows) for _ in results)),
        ("build .xlsx (s)", *(f"{built:.2f}" for _ in results)),
    ]
    print(table(lines))
    print()
    print(f"process max RSS (whole run): {max_rss_mib():.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
