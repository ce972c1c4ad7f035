"""Simplified Chinese, the default language: every feature's ZH_CN texts in one catalog.

The texts themselves live in the feature modules beside this one (common.py,
reports.py, …); features.py lists them.
"""

from bot.texts.features import gather

MESSAGES: dict[str, str] = gather("ZH_CN")
