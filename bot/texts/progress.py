"""Broadcast progress: the line under an admin's confirmation while a broadcast goes out."""

ZH_CN: dict[str, str] = {
    "progress.sending": "⏳ 发送中 {done}/{total}",
    "progress.done": "✅ 发送完毕：送达 {sent} · 无法送达 {unreachable}（已屏蔽或未启动机器人） · 失败 {failed}",
    "progress.unknown": " · 情况不明 {unknown}（未收到 Telegram 答复，可能已送达）",
}

EN: dict[str, str] = {
    "progress.sending": "⏳ Sending {done}/{total}",
    "progress.done": "✅ Sent: delivered {sent} · unreachable {unreachable} (blocked the bot or never started it) · failed {failed}",
    "progress.unknown": " · unknown {unknown} (no answer from Telegram; may have arrived)",
}
