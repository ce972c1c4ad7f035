"""Texts of model enterprises, quotas, acceptance, rewards and featured contract texts."""

ZH_CN: dict[str, str] = {
    "cmd.quota": "设示范企业名额：/quota 平谷 东部 5",
    "cmd.model": "推荐示范企业：/model 企业名称",
    "cmd.quotas": "示范企业名额与推荐、验收情况",
    "cmd.rewards": "奖励合计（示范企业、特色合同文本）",
    "cmd.contract": "上传集体合同文本：/contract 企业名称",
}

EN: dict[str, str] = {
    "cmd.quota": "Set a region's model-enterprise quota: /quota 平谷 东部 5",
    "cmd.model": "Nominate a model enterprise: /model <enterprise>",
    "cmd.quotas": "Quotas, nominations and acceptance per region",
    "cmd.rewards": "Rewards summed (model enterprises, featured contracts)",
    "cmd.contract": "Upload a collective contract text: /contract <enterprise>",
}
