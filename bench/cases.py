"""Case library benchmark: 20,000 Chinese cases written and indexed, then 200 /cases searches.

Run with `python -m bench.cases` (or `make bench-cases`); add `--postgres [URL]` (or set
BENCH_DATABASE_URL / TEST_DATABASE_URL) for PostgreSQL beside SQLite. Each backend gets a fresh
migrated database (SQLite: a file in a temporary folder; PostgreSQL: a throw-away database).

1. Index build: 20,000 generated cases (seeded: a title, an industry, a summary of two to five
   sentences, up to three tags) go through storage.cases.records.add_many, which segments each
   with jieba (cut_for_search) into `terms` and inserts them in batches of 1,000 in one
   transaction; SQLite's triggers fill the FTS5 table as the rows go in, PostgreSQL's GIN index
   grows with them. Timed: the segmentation alone (the same texts through terms_of), and the
   whole write up to the commit.
2. Search: 200 queries (seeded) through storage.cases.search.search, the function /cases calls
   (the count and the first page of 10, the rows loaded), each in a session of its own as a
   handler opens it: one to three common words, rare words, words no case holds, and inputs
   full of FTS syntax. p50 / p95 / max; the goal is p95 under 50 ms on SQLite. Also the last
   page of the commonest word.

At the end, if bench/honours.py exists, its measure_rewards(url) runs on a fresh migrated
database of each backend and its lines are printed. Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import inspect
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import jieba
from sqlalchemy import func, select

from bench.common import (
    POSTGRES_DEFAULT,
    Fresh,
    max_rss_mib,
    percentile,
    postgres_databases,
    postgres_server_url,
    postgres_version,
    print_header,
    shown,
    sqlite_databases,
    table,
)
from storage import db
from storage.cases import records, search
from storage.cases.records import CaseDraft
from storage.cases.words import terms_of
from storage.models import Case, District

CASES = 20_000
BATCH = 1_000
QUERIES = 200
SEED = 14

ENTERPRISES = [
    "机械制造",
    "建筑施工",
    "连锁餐饮",
    "快递物流",
    "软件开发",
    "商业银行",
    "民营医院",
    "物业服务",
    "汽车零部件",
    "食品加工",
    "网约车平台",
    "外卖平台",
    "纺织服装",
    "电子元件",
]
TOPICS = [
    "工资集体协商",
    "劳动定额",
    "女职工权益保护",
    "安全生产",
    "职业健康",
    "带薪年休假",
    "加班调休",
    "社会保险缴纳",
    "农民工工资支付",
    "新就业形态劳动者权益",
    "工时制度",
    "技能培训",
    "困难职工帮扶",
    "劳动合同续签",
    "高温津贴",
    "夜班补贴",
    "绩效考核",
    "民主管理",
    "厂务公开",
    "集体合同续签",
]
OUTCOMES = [
    "达成一致",
    "签订专项集体合同",
    "工资增长百分之六",
    "建立长效机制",
    "化解劳动争议",
    "职工满意度提升",
    "形成书面协议",
    "纳入职代会审议",
]
SENTENCES = [
    "{e}企业工会主动与行政方沟通，就{t}问题开展多轮协商。",
    "区总工会指导员深入一线，走访职工{n}人次，收集意见建议。",
    "双方围绕{t}的具体标准反复磋商，最终{o}。",
    "协商过程中，职工代表提出了关于{t}的{n}条诉求。",
    "该案例的经验在于事前充分调研、事中依法依规、事后跟踪落实。",
    "企业负责人表示，{t}关系到职工切身利益，也关系到企业长远发展。",
    "通过这次协商，{e}行业形成了可复制的做法，{o}。",
    "指导员帮助工会梳理法律依据，准备协商要约书和测算数据。",
]
TAGS = [
    "四必谈",
    "工资",
    "女职工",
    "安全",
    "农民工",
    "新就业形态",
    "职代会",
    "要约",
    "欠薪",
    "工时",
    "培训",
    "帮扶",
]
INDUSTRIES = [
    "制造业",
    "建筑业",
    "餐饮住宿",
    "交通物流",
    "信息技术",
    "金融保险",
    "医疗卫生",
    "物业服务",
    "批发零售",
    "教育",
]
RARE = ["保证金", "哺乳期", "计件单价", "要约书", "满意度", "零部件", "网约车", "纺织"]
MISSING = ["火星移民", "量子计算", "深海捕捞", "航天发射"]
UNSAFE = ['"工资" OR NEAR(协商*)', "安全生产 AND -夜班", "^高温:津贴", "((女职工))", "' OR 1=1 --"]


def generate(rng: random.Random, count: int) -> list[CaseDraft]:
    """`count` cases as instructors might write them."""
    drafts = []
    for _ in range(count):
        enterprise, topic, outcome = (
            rng.choice(ENTERPRISES),
            rng.choice(TOPICS),
            rng.choice(OUTCOMES),
        )
        sentences = rng.sample(SENTENCES, rng.randint(2, 5))
        summary = "".join(
            s.format(e=enterprise, t=topic, o=outcome, n=rng.randint(3, 300)) for s in sentences
        )
        drafts.append(
            CaseDraft(
                title=f"{enterprise}企业{topic}{outcome}",
                industry=rng.choice(INDUSTRIES),
                summary=summary,
                tags=rng.sample(TAGS, rng.randint(0, 3)),
            )
        )
    return drafts


def queries(rng: random.Random, count: int) -> list[str]:
    """Mixed queries: common words, two or three at once, rare words, absent words, syntax."""
    kinds: list[Callable[[], str]] = [
        lambda: rng.choice(TOPICS),
        lambda: " ".join(rng.sample(TOPICS, 2)),
        lambda: f"{rng.choice(ENTERPRISES)} {rng.choice(TOPICS)} {rng.choice(OUTCOMES)}",
        lambda: rng.choice(TAGS),
        lambda: rng.choice(RARE),
        lambda: rng.choice(MISSING),
        lambda: rng.choice(UNSAFE),
    ]
    weights = [30, 20, 15, 10, 10, 10, 5]
    return [rng.choices(kinds, weights)[0]() for _ in range(count)]


async def measure(url: str) -> tuple[list[tuple[str, str]], dict[str, float]]:
    """Builds the library on `url` (migrated here) and searches it; the rows of the table."""
    db.upgrade(url)
    rng = random.Random(SEED)
    drafts = generate(rng, CASES)
    asked = queries(rng, QUERIES)
    engine = db.create_engine(url)
    sessions = db.create_sessions(engine)
    try:
        async with sessions() as session:
            districts = list(await session.scalars(select(District.id)))
        started = time.perf_counter()
        for draft in drafts:
            terms_of(draft.title, draft.summary, draft.tags)
        segmenting = time.perf_counter() - started

        now = datetime.now(UTC)
        started = time.perf_counter()
        async with sessions.begin() as session:
            for first in range(0, CASES, BATCH):
                batch = [
                    (draft, 900_000 + index, None, rng.choice(districts))
                    for index, draft in enumerate(drafts[first : first + BATCH], start=first)
                ]
                await records.add_many(session, batch, now=now)
        building = time.perf_counter() - started
        async with sessions() as session:
            stored = int(await session.scalar(select(func.count()).select_from(Case)) or 0)

        await _search_once(sessions, "热身")  # the first query pays for connections
        times, hits = [], []
        for query in asked:
            started = time.perf_counter()
            found = await _search_once(sessions, query)
            times.append(time.perf_counter() - started)
            hits.append(found)
        common = TOPICS[0]
        async with sessions() as session:
            pages = (await search.search(session, common)).pages
        started = time.perf_counter()
        await _search_once(sessions, common, pages)
        last_page = time.perf_counter() - started
    finally:
        await engine.dispose()
    found_any = sum(1 for n in hits if n)
    rows = [
        ("cases stored", f"{stored:,}"),
        ("jieba segmentation alone (s)", f"{segmenting:.2f}"),
        ("index build: segment + insert + index (s)", f"{building:.2f}"),
        ("  per 1,000 cases (s)", f"{building / CASES * 1000:.2f}"),
        (f"search p50 (ms, {QUERIES} queries)", f"{percentile(times, 50) * 1000:.1f}"),
        ("search p95 (ms)", f"{percentile(times, 95) * 1000:.1f}"),
        ("search max (ms)", f"{max(times) * 1000:.1f}"),
        ("queries with matches", f"{found_any}/{QUERIES}"),
        ("matches per query, median", f"{sorted(hits)[len(hits) // 2]:,}"),
        (f"last page ({pages}) of “{common}” (ms)", f"{last_page * 1000:.1f}"),
    ]
    return rows, {"p95": percentile(times, 95)}


async def _search_once(sessions: db.Sessions, query: str, page: int = 1) -> int:
    async with sessions.begin() as session:
        found = await search.search(session, query, page)
        return found.total


async def run(fresh: Fresh) -> tuple[str, list[tuple[str, str]]]:
    async with fresh() as url:
        rows, _ = await measure(url)
        return url, rows


def honours_lines(url: str) -> list[str]:
    """bench/honours.py's measure_rewards on `url`, if that module exists."""
    if importlib.util.find_spec("bench.honours") is None:
        return ["(bench/honours.py is not there: /rewards not measured)"]
    module = importlib.import_module("bench.honours")
    try:
        lines = module.measure_rewards(url)
        if inspect.isawaitable(lines):
            lines = asyncio.run(lines)
        return list(lines)
    except Exception as error:  # a failing part is a note; the figures above stand
        return [f"(bench.honours.measure_rewards failed: {type(error).__name__}: {error})"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help=f"also PostgreSQL (default: BENCH_/TEST_DATABASE_URL, {POSTGRES_DEFAULT})",
    )
    args = parser.parse_args()
    server = None
    if args.postgres is not None:
        server = args.postgres or postgres_server_url() or POSTGRES_DEFAULT
    versions = [f"jieba {jieba.__version__}"]
    if server:
        versions.append(f"PostgreSQL {asyncio.run(postgres_version(server))}")
    print_header("Case library benchmark (/cases over 20,000 cases)", *versions)
    jieba.initialize()  # the dictionary loads once per process, before anything is timed
    results: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        _, results["SQLite"] = asyncio.run(run(sqlite_databases(Path(folder), "cases")))
        if server:
            _, results["PostgreSQL"] = asyncio.run(run(postgres_databases(server)))
            print(f"  postgres: {shown(server)}")
        print()
        names = list(results)
        rows: list[tuple[str, ...]] = [("", *names)]
        for index, (label, _) in enumerate(results[names[0]]):
            rows.append((label, *(results[name][index][1] for name in names)))
        print(table(rows))
        print()
        print("/rewards (bench.honours), SQLite:")
        honours_url = f"sqlite+aiosqlite:///{Path(folder) / 'honours.db'}"
        db.upgrade(honours_url)
        for line in honours_lines(honours_url):
            print(f"  {line}")
        if server:
            print("/rewards (bench.honours), PostgreSQL:")
            with db.throwaway_database(server, "xs_bench") as honours_url:
                db.upgrade(honours_url)
                for line in honours_lines(honours_url):
                    print(f"  {line}")
    print()
    print(f"process max RSS (whole run): {max_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
