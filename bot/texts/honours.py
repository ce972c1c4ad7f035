"""Texts of model enterprises, quotas, acceptance, rewards and featured contract texts."""

ZH_CN: dict[str, str] = {
    "cmd.quota": "设示范企业名额：/quota 平谷 东部 5",
    "cmd.model": "推荐示范企业：/model 企业名称",
    "cmd.quotas": "示范企业名额与推荐、验收情况",
    "cmd.rewards": "奖励合计（示范企业、特色合同文本）",
    "cmd.contract": "上传集体合同文本：/contract 企业名称",
    "cmd.accept": "记录验收与奖励：/accept 企业名称 达标 奖励:10000",
    # Usage
    "honours.usage.quota": (
        "设示范企业名额：/quota 区 区域 名额，例如 /quota 平谷 东部 5\n"
        "不分区域的区：/quota 密云 68；设明年的：/quota 平谷 东部 5 2027"
    ),
    "honours.usage.model": "推荐示范企业：/model 企业名称（今年的名额内，企业须有集体合同）",
    "honours.usage.accept": (
        "记录验收：/accept 企业名称 达标 奖励:10000\n"
        "未达标：/accept 企业名称 未达标\n已达标后补记奖励：/accept 企业名称 奖励:10000"
    ),
    "honours.usage.contract": (
        "上传合同文本：发送文件，并在文件说明里写 /contract 企业名称\n"
        "查看、取回：/contract 企业名称\n"
        "设为特色合同文本：/contract 企业名称 特色 奖励:5000"
    ),
    "honours.usage.figures": "用法：/{command} [年份] [区名]，例如 /{command} 2026 密云",
    "honours.bad_words": "看不懂“{value}”。",
    "honours.bad_year": "年份“{value}”不对，请写四位年份，例如 2026。",
    # Enterprises
    "honours.not_found": "企业名录里没有“{name}”。",
    "honours.suggest": "您是不是要找：{names}",
    "honours.search_hint": "可以用 /enterprises 查找企业的准确名称。",
    "honours.other_district": "“{name}”属于{district}区，你只能管理{own}区的企业。",
    # Quotas
    "honours.quota.bad_number": "名额要写一个不小于 0 的整数（“{value}”不行），例如 /quota 平谷 东部 5",
    "honours.quota.unknown_region": "{district}区的企业名录里没有“{region}”这个区域。已知区域：{regions}",
    "honours.quota.no_regions": "{district}区的企业名录里没有区域，请不写区域：/quota {district} {quota}",
    "honours.quota.needs_region": "{district}区按区域设名额，请写出区域（{regions}），例如 /quota {district} {first} {quota}",
    "honours.quota.done": "已设定：{year} 年{place}示范企业名额 {quota} 家（已推荐 {nominated} 家）。",
    # Nominations
    "honours.model.ok": (
        "已推荐“{name}”为 {year} 年示范企业（{place}，名额已用 {used}/{quota}）。\n"
        "验收后记录：/accept {name} 达标 奖励:10000"
    ),
    "honours.model.already": "“{name}”已经是 {year} 年的示范企业推荐对象，不必重复推荐。",
    "honours.model.veto": (
        "“{name}”没有集体合同记录，不能推荐为示范企业。\n"
        "一票否决：没有签订集体合同的企业，不得参评劳动关系方面的荣誉。\n"
        "签了合同的，请先报一条“签约”工作动态，或在企业名录的“集体合同”列填“是”或签订日期。"
    ),
    "honours.model.no_quota": (
        "{place} {year} 年还没有设示范企业名额，不能推荐。请先设名额，例如：/quota {example}"
    ),
    "honours.model.full": "{place} {year} 年的示范企业名额（{quota} 家）已满，已推荐：{holders}。",
    # Acceptance and reward
    "honours.accept.passed": "已记录：“{name}”{year} 年示范企业验收达标{reward}。",
    "honours.accept.reward_part": "，奖励 {amount} 元",
    "honours.accept.failed": "已记录：“{name}”{year} 年示范企业验收未达标。",
    "honours.accept.rewarded": "已记录：“{name}”{year} 年示范企业奖励 {amount} 元。",
    "honours.accept.not_nominated": "“{name}”不是 {year} 年的示范企业推荐对象。先推荐：/model {name}",
    "honours.accept.no_acceptance": "“{name}”还没有验收达标，不能记录奖励。请写：/accept {name} 达标 奖励:金额",
    "honours.accept.reward_failed": "验收未达标的企业不能记录奖励，请去掉“奖励”。",
    "honours.amount.empty": "奖励金额没有写，例如 奖励:10000",
    "honours.amount.negative": "奖励金额不能是负数（“{value}”）。",
    "honours.amount.fraction": "奖励金额以元为单位，只能是整数（“{value}”不行），例如 10000 或 1万。",
    "honours.amount.too_large": "奖励金额“{value}”太大了（最多 1 亿元），请检查。",
    "honours.amount.not_number": "看不懂奖励金额“{value}”。请写数字，例如 10000、10,000 或 1万。",
    # Contract texts
    "honours.contract.saved": (
        "已保存“{name}”的合同文本《{file}》。\n设为特色合同文本：/contract {name} 特色 奖励:5000"
    ),
    "honours.contract.header": "“{name}”的合同文本（按下按钮取回文件）：",
    "honours.contract.line": "{i}. 《{file}》 {year} 年上传{featured}",
    "honours.contract.featured_mark": " ⭐特色",
    "honours.contract.featured_reward": " ⭐特色，奖励 {amount} 元",
    "honours.contract.none": "“{name}”还没有合同文本。上传：发送文件，文件说明写 /contract {name}",
    "honours.contract.featured": "已将“{name}”的合同文本《{file}》设为特色合同文本{reward}。",
    "honours.contract.get": "📄 取回 {i}",
    "honours.contract.gone": "这份合同文本已不存在。",
    "honours.contract.caption": "“{name}”的合同文本",
    "honours.contract.unnamed": "合同文本",
    # Figures
    "honours.quotas.header": "{year} 年示范企业名额（{scope}）：",
    "honours.quotas.line": "{place}：名额 {quota}，已推荐 {nominated}，达标 {passed}，未达标 {failed}",
    "honours.quotas.unset": "未设",
    "honours.quotas.none": "{year} 年{scope}还没有设名额，也没有推荐。设名额：/quota 平谷 东部 5",
    "honours.quotas.file": "示范企业名额-{year}.xlsx",
    "honours.rewards.header": "{year} 年奖励合计（{scope}）：",
    "honours.rewards.line": (
        "{district}：示范企业 {model_count} 家 {model_yuan} 元，"
        "特色合同文本 {featured_count} 份 {featured_yuan} 元，合计 {total} 元"
    ),
    "honours.rewards.all": "总计：{total} 元（示范企业 {model_yuan} 元，特色合同文本 {featured_yuan} 元）",
    "honours.rewards.none": "{year} 年{scope}还没有记录奖励。",
    "honours.rewards.file": "奖励-{year}.xlsx",
}

EN: dict[str, str] = {
    "cmd.quota": "Set a region's model-enterprise quota: /quota 平谷 东部 5",
    "cmd.model": "Nominate a model enterprise: /model <enterprise>",
    "cmd.quotas": "Quotas, nominations and acceptance per region",
    "cmd.rewards": "Rewards summed (model enterprises, featured contracts)",
    "cmd.contract": "Upload a collective contract text: /contract <enterprise>",
    "cmd.accept": "Record acceptance and reward: /accept <enterprise> 达标 奖励:10000",
    # Usage
    "honours.usage.quota": (
        "Set a quota: /quota <district> <region> <quota>, e.g. /quota 平谷 东部 5\n"
        "A district without regions: /quota 密云 68; next year's: /quota 平谷 东部 5 2027"
    ),
    "honours.usage.model": (
        "Nominate a model enterprise: /model <enterprise> (within this year's quota; the "
        "enterprise needs a collective contract)"
    ),
    "honours.usage.accept": (
        "Record the acceptance: /accept <enterprise> 达标 奖励:10000\n"
        "Not met: /accept <enterprise> 未达标\nA reward after 达标: /accept <enterprise> 奖励:10000"
    ),
    "honours.usage.contract": (
        "Upload a contract text: send the file with the caption /contract <enterprise>\n"
        "See and fetch them: /contract <enterprise>\n"
        "Mark it featured: /contract <enterprise> 特色 奖励:5000"
    ),
    "honours.usage.figures": "Usage: /{command} [year] [district], e.g. /{command} 2026 密云",
    "honours.bad_words": "I do not understand “{value}”.",
    "honours.bad_year": "“{value}” is no year: write four digits, e.g. 2026.",
    # Enterprises
    "honours.not_found": "The registry has no enterprise “{name}”.",
    "honours.suggest": "Did you mean: {names}",
    "honours.search_hint": "/enterprises finds an enterprise's exact name.",
    "honours.other_district": "“{name}” belongs to {district}; you manage {own}'s enterprises only.",
    # Quotas
    "honours.quota.bad_number": "A quota is a whole number of 0 or more (not “{value}”), e.g. /quota 平谷 东部 5",
    "honours.quota.unknown_region": "{district}'s registry has no region “{region}”. Known regions: {regions}",
    "honours.quota.no_regions": "{district}'s registry has no regions; leave the region out: /quota {district} {quota}",
    "honours.quota.needs_region": "{district} sets quotas per region; name one ({regions}), e.g. /quota {district} {first} {quota}",
    "honours.quota.done": "Set: {place}'s model-enterprise quota for {year} is {quota} ({nominated} nominated).",
    # Nominations
    "honours.model.ok": (
        "“{name}” is nominated as a model enterprise of {year} ({place}, {used}/{quota} places "
        "used).\nAfter the acceptance: /accept {name} 达标 奖励:10000"
    ),
    "honours.model.already": "“{name}” is already nominated for {year}.",
    "honours.model.veto": (
        "“{name}” has no collective contract on record and cannot be nominated.\n"
        "The honours veto (一票否决): an enterprise without a collective contract takes no "
        "labour-relations honour.\nIf it has signed one, report a 签约 first, or write 是 or the "
        "signing date in the registry's 集体合同 column."
    ),
    "honours.model.no_quota": (
        "{place} has no model-enterprise quota for {year} yet, so nothing can be nominated. Set "
        "one first, e.g. /quota {example}"
    ),
    "honours.model.full": "{place}'s model-enterprise quota for {year} ({quota}) is full: {holders}.",
    # Acceptance and reward
    "honours.accept.passed": "Recorded: “{name}” met the standard in {year}{reward}.",
    "honours.accept.reward_part": ", reward {amount} yuan",
    "honours.accept.failed": "Recorded: “{name}” did not meet the standard in {year}.",
    "honours.accept.rewarded": "Recorded: “{name}”'s reward for {year} is {amount} yuan.",
    "honours.accept.not_nominated": "“{name}” is not nominated for {year}. Nominate it first: /model {name}",
    "honours.accept.no_acceptance": "“{name}” has not met the standard yet, so no reward can be recorded. Write: /accept {name} 达标 奖励:<amount>",
    "honours.accept.reward_failed": "An enterprise that did not meet the standard gets no reward; leave 奖励 out.",
    "honours.amount.empty": "The reward has no amount, e.g. 奖励:10000",
    "honours.amount.negative": "A reward cannot be negative (“{value}”).",
    "honours.amount.fraction": "Rewards are whole yuan (not “{value}”), e.g. 10000 or 1万.",
    "honours.amount.too_large": "The reward “{value}” is too large (at most 100,000,000 yuan); please check it.",
    "honours.amount.not_number": "“{value}” is no amount. Write digits, e.g. 10000, 10,000 or 1万.",
    # Contract texts
    "honours.contract.saved": (
        "Saved “{name}”'s contract text “{file}”.\nMark it featured: /contract {name} 特色 奖励:5000"
    ),
    "honours.contract.header": "“{name}”'s contract texts (press a button to fetch the file):",
    "honours.contract.line": "{i}. “{file}”, uploaded in {year}{featured}",
    "honours.contract.featured_mark": " ⭐ featured",
    "honours.contract.featured_reward": " ⭐ featured, reward {amount} yuan",
    "honours.contract.none": "“{name}” has no contract text yet. Upload one: send the file with the caption /contract {name}",
    "honours.contract.featured": "“{name}”'s contract text “{file}” is now featured{reward}.",
    "honours.contract.get": "📄 Fetch {i}",
    "honours.contract.gone": "This contract text no longer exists.",
    "honours.contract.caption": "“{name}”'s contract text",
    "honours.contract.unnamed": "contract text",
    # Figures
    "honours.quotas.header": "Model-enterprise quotas of {year} ({scope}):",
    "honours.quotas.line": "{place}: quota {quota}, nominated {nominated}, met {passed}, not met {failed}",
    "honours.quotas.unset": "not set",
    "honours.quotas.none": "{scope} has no quota and no nomination for {year}. Set one: /quota 平谷 东部 5",
    "honours.quotas.file": "quotas-{year}.xlsx",
    "honours.rewards.header": "Rewards of {year} ({scope}):",
    "honours.rewards.line": (
        "{district}: model enterprises {model_count}, {model_yuan} yuan; featured contracts "
        "{featured_count}, {featured_yuan} yuan; total {total} yuan"
    ),
    "honours.rewards.all": "In all: {total} yuan (model enterprises {model_yuan}, featured contracts {featured_yuan})",
    "honours.rewards.none": "{scope} has no reward recorded for {year}.",
    "honours.rewards.file": "rewards-{year}.xlsx",
}
