"""The sandbox's demo data: who one can be in the web chat, and a database that shows real figures.

`seed` fills a freshly migrated sandbox database once, through the same code the chat uses (the
roster and registry imports, report records, admins, group bindings), from a fixed random seed
so the demo looks the same each time. `reset` deletes the sandbox's own SQLite file, never the
real database.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import xlsx_bytes
from storage.common.text import TYPE_LABELS
from storage.db import Sessions
from storage.imports import import_file
from storage.models import Enterprise, GroupScope, Instructor, Invite, ReportSource, ReportType
from storage.people import access, groups
from storage.people.districts import district_ids
from storage.people.roster import RosterImport
from storage.reports import records

logger = logging.getLogger(__name__)

DEFAULT_PATH = Path("data/sandbox/sandbox.db")
"""Where the sandbox keeps its database: its own folder, never DATABASE_URL's file."""

Role = Literal["hq", "district_admin", "instructor", "stranger"]

# Stable Telegram ids: the web chat, the settings (HQ_ADMIN_IDS) and the data agree on them.
HQ_ID = 880001
XICHENG_ADMIN_ID = 880002
WANG_ID = 880011  # 王建国, 西城, 市级
LI_ID = 880012  # 李红, 西城, 区级
CHEN_ID = 880013  # 陈静, 朝阳, 区级
STRANGER_ID = 880099  # not registered; joins as 刘洋 of 西城 with STRANGER_CODE
GROUP_ID = -1008800000001

# The open invite of 刘洋 (西城), shown to the stranger persona: fixed, so the web chat can
# show it before anyone asks. It uses the invite alphabet (no 0/O, 1/I).
STRANGER_CODE = "XCHENG2345"
STRANGER_BECOMES = "刘洋"
# Demo invites last a year, so a sandbox kept for weeks still lets the stranger join.
INVITE_TTL = timedelta(days=365)
RANDOM_SEED = 2026
REPORTS = 150
REPORT_DAYS = 120  # about four months back from today


@dataclass(frozen=True)
class Persona:
    """Someone one can be in the web chat; `chats` are the chat ids they talk in (their
    private chat is their own id)."""

    key: str
    telegram_id: int
    name_zh: str
    name_en: str
    role: Role
    district: str | None
    chats: tuple[int, ...]
    username: str | None = None
    invite_code: str | None = None  # the stranger's open invite: `/start <code>`
    instructor: str | None = None  # the roster name they are (or become by the invite)

    def name(self, lang: str) -> str:
        """The display name in `lang` ("zh_CN" or "en")."""
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class DemoGroup:
    """The 西城 district group, bound as `/bindgroup district 西城` would bind it."""

    chat_id: int
    type: Literal["group", "supergroup"]
    title: str
    district: str
    members: tuple[int, ...]


PERSONAS: list[Persona] = [
    Persona("hq", HQ_ID, "市总工会", "City federation (HQ)", "hq", None, (HQ_ID,), "shizong"),
    Persona(
        "xicheng_admin",
        XICHENG_ADMIN_ID,
        "西城区管理员",
        "Xicheng admin",
        "district_admin",
        "西城",
        (XICHENG_ADMIN_ID, GROUP_ID),
        "xicheng_admin",
    ),
    Persona(
        "wang", WANG_ID, "王建国", "Wang Jianguo", "instructor", "西城", (WANG_ID, GROUP_ID),
        "wangjianguo", instructor="王建国",
    ),
    Persona(
        "li", LI_ID, "李红", "Li Hong", "instructor", "西城", (LI_ID, GROUP_ID), "lihong",
        instructor="李红",
    ),
    Persona(
        "chen", CHEN_ID, "陈静", "Chen Jing", "instructor", "朝阳", (CHEN_ID,), "chenjing",
        instructor="陈静",
    ),
    Persona(
        "stranger", STRANGER_ID, "陌生人", "Stranger", "stranger", None, (STRANGER_ID,),
        invite_code=STRANGER_CODE, instructor=STRANGER_BECOMES,
    ),
]  # fmt: skip

GROUP = DemoGroup(
    chat_id=GROUP_ID,
    type="supergroup",
    title="西城区指导员群",
    district="西城",
    members=(XICHENG_ADMIN_ID, WANG_ID, LI_ID),
)


def persona(key: str) -> Persona:
    """The persona called `key` ("hq", "xicheng_admin", "wang", "li", "chen", "stranger")."""
    return next(p for p in PERSONAS if p.key == key)


# ---------------------------------------------------------------------------------------------
# The sample roster, a row a line: name, level, employment, district, street, industry, skills,
# start date, mentor, Telegram id, status ("-": blank). Personas are bound to their ids; some
# others are bound to accounts no persona plays, the rest have open invites.
_ROSTER = """
王建国 市级 专职 西城 金融街街道 金融 劳资人事、法律 2015-03-01 - 880011 在职
李红 区级 兼职 西城 德胜街道 制造业 工会工作 2021-09-01 王建国 880012 在职
刘洋 街乡级 兼职 西城 什刹海街道 商贸 社区工作 2025-06-01 王建国 - 在职
赵丽华 区级 专职 西城 月坛街道 教育 工资协商、财务 2018-04-16 - 880101 在职
孙志刚 街乡级 兼职 西城 展览路街道 建筑 安全生产 2020-11-02 赵丽华 880102 在职
周敏 企业级 兼职 西城 广安门内街道 餐饮 劳动争议调解 2023-02-20 李红 - 在职
吴海燕 街乡级 兼职 西城 新街口街道 零售 女职工权益 2022-07-01 - 880103 在职
郑凯 区级 专职 西城 椿树街道 信息技术 法律、数据分析 2019-05-06 - 880104 休假
马秀英 企业级 兼职 西城 西长安街街道 文化旅游 培训讲师 2024-03-11 赵丽华 - 在职
胡建军 街乡级 兼职 西城 陶然亭街道 物流 工会工作 2017-08-28 - 880105 在职
陈静 区级 专职 朝阳 望京街道 信息技术 工资协商、法律 2016-10-10 - 880013 在职
林涛 街乡级 兼职 朝阳 三里屯街道 餐饮 劳动争议调解 2022-01-04 陈静 880106 在职
黄丽 企业级 兼职 朝阳 建外街道 金融 财务 2023-09-01 陈静 - 在职
何伟 市级 专职 朝阳 酒仙桥街道 制造业 劳资人事、安全生产 2012-06-18 - 880107 在职
高翔 街乡级 兼职 朝阳 潘家园街道 商贸 社区工作 2024-05-06 - - 在职
杨帆 区级 专职 海淀 中关村街道 信息技术 法律、工资协商 2018-02-26 - 880108 在职
徐静怡 街乡级 兼职 海淀 学院路街道 教育 培训讲师 2021-04-12 杨帆 880109 在职
朱明 企业级 兼职 海淀 上地街道 信息技术 数据分析 2025-03-03 杨帆 - 在职
罗晓东 街乡级 兼职 海淀 万寿路街道 物流 安全生产 2019-12-02 - 880110 在职
梁晨 区级 专职 东城 东华门街道 文化旅游 工资协商 2017-03-20 - 880111 在职
宋佳 街乡级 兼职 东城 和平里街道 零售 女职工权益 2022-10-17 梁晨 - 在职
唐磊 企业级 兼职 东城 王府井 商贸 劳动争议调解 2020-06-08 梁晨 880112 在职
韩冰 区级 专职 丰台 丰台街道 建筑 安全生产、法律 2016-09-05 - 880113 在职
冯雪 街乡级 兼职 丰台 卢沟桥街道 物流 社区工作 2023-05-15 韩冰 - 在职
曹阳 区级 专职 通州 潞源街道 制造业 工资协商 2019-07-01 - 880114 在职
彭飞 街乡级 兼职 通州 永顺镇 物流 工会工作 2024-08-19 曹阳 - 在职
邓丽君 街乡级 兼职 顺义 胜利街道 制造业 财务 2021-11-08 - 880115 在职
许文 区级 专职 昌平 回龙观街道 信息技术 法律 2020-02-17 - 880116 在职
赵敏 街乡级 兼职 平谷 兴谷街道 农业 社区工作、财务 2022-03-28 - - 在职
钱程 企业级 兼职 大兴 亦庄镇 制造业 安全生产 2025-01-06 - - 在职
"""

_ROSTER_HEADERS = [
    "姓名", "层级", "类别", "所属区", "街道乡镇", "产业", "专长", "入职日期", "带教导师",
    "手机", "telegram_id", "状态",
]  # fmt: skip

# (name, district, street, industry, employees, unionized)
_ENTERPRISES: list[tuple[str, str, str, str, int, bool]] = [
    ("金融街控股", "西城", "金融街街道", "金融", 1200, True),
    ("西单商场", "西城", "西长安街街道", "零售", 860, True),
    ("德胜科技园物业", "西城", "德胜街道", "物业", 230, True),
    ("月坛餐饮集团", "西城", "月坛街道", "餐饮", 540, False),
    ("展览路建筑公司", "西城", "展览路街道", "建筑", 410, True),
    ("什刹海文旅", "西城", "什刹海街道", "文化旅游", 180, False),
    ("新街口百货", "西城", "新街口街道", "零售", 320, True),
    ("陶然物流", "西城", "陶然亭街道", "物流", 650, False),
    ("广内印刷厂", "西城", "广安门内街道", "制造业", 140, True),
    ("椿树软件", "西城", "椿树街道", "信息技术", 290, False),
    ("西城第一幼儿园", "西城", "月坛街道", "教育", 90, True),
    ("长安快递西城站", "西城", "西长安街街道", "物流", 75, False),
    ("望京互联网科技", "朝阳", "望京街道", "信息技术", 2100, True),
    ("三里屯餐饮管理", "朝阳", "三里屯街道", "餐饮", 380, False),
    ("建外国际金融", "朝阳", "建外街道", "金融", 900, True),
    ("酒仙桥电子", "朝阳", "酒仙桥街道", "制造业", 1500, True),
    ("潘家园市场", "朝阳", "潘家园街道", "商贸", 260, False),
    ("朝阳外卖配送站", "朝阳", "望京街道", "物流", 120, False),
    ("中关村软件园", "海淀", "中关村街道", "信息技术", 3000, True),
    ("学院路培训学校", "海淀", "学院路街道", "教育", 210, False),
    ("上地数据公司", "海淀", "上地街道", "信息技术", 640, True),
    ("万寿路物流", "海淀", "万寿路街道", "物流", 330, False),
    ("东华门酒店", "东城", "东华门街道", "文化旅游", 450, True),
    ("和平里超市", "东城", "和平里街道", "零售", 170, False),
    ("王府井百货", "东城", "王府井", "商贸", 1100, True),
    ("丰台建工", "丰台", "丰台街道", "建筑", 780, True),
    ("卢沟桥物流园", "丰台", "卢沟桥街道", "物流", 520, False),
    ("丰台汽配", "丰台", "丰台街道", "制造业", 260, True),
    ("潞源机械", "通州", "潞源街道", "制造业", 690, True),
    ("永顺仓储", "通州", "永顺镇", "物流", 240, False),
    ("通州运河餐饮", "通州", "潞源街道", "餐饮", 150, False),
    ("顺义汽车零部件", "顺义", "胜利街道", "制造业", 1800, True),
    ("顺义食品", "顺义", "胜利街道", "制造业", 430, True),
    ("回龙观科技", "昌平", "回龙观街道", "信息技术", 370, False),
    ("昌平制药", "昌平", "回龙观街道", "制造业", 920, True),
    ("平谷大桃合作社", "平谷", "兴谷街道", "农业", 60, False),
    ("亦庄电子", "大兴", "亦庄镇", "制造业", 2500, True),
    ("亦庄生物医药", "大兴", "亦庄镇", "制造业", 880, True),
    ("大兴机场服务", "大兴", "亦庄镇", "物流", 1300, True),
    ("怀柔影视基地", "怀柔", "泉河街道", "文化旅游", 310, False),
]  # fmt: skip

_ENTERPRISE_HEADERS = ["企业名称", "所属区", "街道乡镇", "行业", "职工人数", "是否建会"]

# (type, weight, person-times range, notes)
_KINDS: list[tuple[ReportType, int, tuple[int, int], tuple[str, ...]]] = [
    (ReportType.VISIT, 40, (1, 8), ("了解工资协商意向", "宣传集体协商", "回访上次协商落实情况")),
    (ReportType.GUIDANCE, 22, (3, 25), ("指导拟定协商方案", "辅导职工方首席代表", "讲解协商流程")),
    (ReportType.TRAINING, 10, (20, 120), ("集体协商业务培训", "新任指导员培训", "职工代表培训")),
    (ReportType.NEGOTIATION, 12, (5, 30), ("年度工资专项协商", "女职工专项协商", "劳动定额协商")),
    (ReportType.CONTRACT, 6, (2, 12), ("签订工资专项集体合同", "续签集体合同")),
    (ReportType.OBSERVATION, 5, (5, 40), ("观摩协商会", "观摩示范协商")),
    (ReportType.OTHER, 5, (0, 10), ("参加区总工会例会", "整理协商档案")),
]  # fmt: skip

CAMPAIGN_TAG = "四必谈"
_SILENT = {"刘洋", "马秀英", "钱程", "宋佳", "郑凯"}  # no reports: /stats names the silent
_BUSY = {"王建国": 4, "李红": 4, "陈静": 3, "赵丽华": 2}  # personas and leads report more


def database_url(path: Path = DEFAULT_PATH) -> str:
    """The SQLAlchemy URL of the sandbox database at `path`."""
    return f"sqlite+aiosqlite:///{path}"


def reset(path: Path = DEFAULT_PATH) -> bool:
    """Deletes the sandbox's SQLite file (and its journal files); tells whether there was one.

    It takes a file path, never a URL, so the real DATABASE_URL cannot be handed to it.
    """
    found = False
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = path.with_name(path.name + suffix)
        if file.is_file():
            file.unlink()
            found = True
    return found


async def seed(sessions: Sessions, *, now: datetime, tz: tzinfo) -> None:
    """Fills a freshly migrated sandbox database with the demo, once: a database that holds
    any instructor already (seeded before, or a roster of one's own) is left as it is."""
    local = now.astimezone(tz)
    async with sessions.begin() as session:
        if (await session.scalars(select(Instructor.id).limit(1))).first() is not None:
            return
        districts = await district_ids(session)
        await _import_roster(session, local)
        await _import_enterprises(session, local)
        await _write_reports(session, local.date())
        await access.add_admin(
            session, XICHENG_ADMIN_ID, access.DISTRICT_ADMIN, districts["西城"], added_by=HQ_ID
        )
        await groups.bind_group(
            session,
            GROUP.chat_id,
            title=GROUP.title,
            scope=GroupScope.DISTRICT,
            district_id=districts[GROUP.district],
            bound_by=XICHENG_ADMIN_ID,
        )
        for someone in PERSONAS:
            if someone.role != "stranger":  # the stranger has never spoken to the bot
                await access.remember_user(
                    session,
                    someone.telegram_id,
                    username=someone.username,
                    full_name=someone.name_zh,
                    now=now,
                )
    logger.info("sandbox: demo data written")


async def _import_roster(session: AsyncSession, local: datetime) -> None:
    rows: list[list[object]] = [list(_ROSTER_HEADERS)]
    for line in _ROSTER.strip().splitlines():
        cells: list[object] = [
            None if cell == "-" else int(cell) if cell.isdigit() else cell for cell in line.split()
        ]
        cells.insert(9, f"1390000{len(rows):04d}")  # 手机, before telegram_id
        rows.append(cells)
    imported = await import_file(
        session,
        xlsx_bytes({"花名册": rows}),
        "花名册.xlsx",
        kind="roster",
        only_district_id=None,
        invite_ttl=INVITE_TTL,
        now=local,
    )
    result = imported.result
    assert isinstance(result, RosterImport) and result.ok, result
    code = next(row.code for row in result.invites if row.name == STRANGER_BECOMES)
    await session.execute(update(Invite).where(Invite.code == code).values(code=STRANGER_CODE))


async def _import_enterprises(session: AsyncSession, local: datetime) -> None:
    rows: list[list[object]] = [list(_ENTERPRISE_HEADERS)]
    rows += [[n, d, s, i, e, "是" if u else "否"] for n, d, s, i, e, u in _ENTERPRISES]
    imported = await import_file(
        session,
        xlsx_bytes({"企业名录": rows}),
        "企业名录.xlsx",
        kind="enterprises",
        only_district_id=None,
        invite_ttl=INVITE_TTL,
        now=local,
    )
    assert imported.result.ok, imported.result


def _report_day(draw: random.Random, index: int, today: date) -> date:
    # Every fifth report falls in the current month, so 本月, 本季度 and 本年 always show some.
    if index % 5 == 0:
        return today - timedelta(days=draw.randint(0, today.day - 1))
    return today - timedelta(days=draw.randint(0, REPORT_DAYS))


async def _write_reports(session: AsyncSession, today: date) -> None:
    """REPORTS reports over the last four months, through the records the chat writes."""
    draw = random.Random(RANDOM_SEED)
    instructors = [
        i
        for i in (await session.scalars(select(Instructor).order_by(Instructor.id))).all()
        if i.name not in _SILENT
    ]
    weights = [_BUSY.get(i.name, 1) for i in instructors]
    enterprises = list((await session.scalars(select(Enterprise).order_by(Enterprise.id))).all())
    kinds = [kind for kind, *_ in _KINDS]
    kind_weights = [weight for _, weight, *_ in _KINDS]
    details = {kind: (counts, notes) for kind, _, counts, notes in _KINDS}
    for index in range(REPORTS):
        instructor = draw.choices(instructors, weights)[0]
        kind = draw.choices(kinds, kind_weights)[0]
        (low, high), notes = details[kind]
        nearby = [e for e in enterprises if e.district_id == instructor.district_id]
        enterprise = draw.choice(nearby) if nearby and draw.random() < 0.85 else None
        target = enterprise.name if enterprise else instructor.street or TYPE_LABELS[kind.value]
        tags = [CAMPAIGN_TAG] if kind != ReportType.OTHER and draw.random() < 0.25 else []
        await records.create_report(
            session,
            instructor=instructor,
            type=kind,
            target=target,
            enterprise=enterprise,
            person_times=draw.randint(low, high),
            day=_report_day(draw, index, today),
            note=draw.choice(notes),
            source=draw.choice((ReportSource.LINE, ReportSource.GUIDED)),
            tags=tags,
        )
