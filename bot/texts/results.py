"""Texts of the evaluation's result, overrides and the renewal sheet."""

ZH_CN: dict[str, str] = {}

EN: dict[str, str] = {}
