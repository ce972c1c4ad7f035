"""The command line (`xieshang ...`) and the running bot's one-active-instance notes."""

ZH_CN: dict[str, str] = {
    # Command line
    "cli.no_token": (
        "缺少 TELEGRAM_BOT_TOKEN。在 Telegram 中找 @BotFather，发送 /newbot 创建机器人，"
        "把得到的令牌写入 .env（TELEGRAM_BOT_TOKEN=...）或环境变量后重试。"
        "想先不用 Telegram 试一试：运行 xieshang sandbox（或不带令牌的 make run）。"
    ),
    "cli.no_webhook": "webhook 模式需要设置 WEBHOOK_URL 和 WEBHOOK_SECRET。",
    "cli.bad_settings": "配置有误：{error}",
    "cli.no_file": "找不到文件：{path}",
    "cli.invites_written": "已写出 {count} 份邀请到 {path}",
    "cli.no_username": "需要机器人的用户名来生成链接：请设置 TELEGRAM_BOT_TOKEN 或 BOT_USERNAME。",
    "cli.db_current": "数据库版本：{revision}",
    "cli.db_empty": "数据库尚未初始化",
    "cli.db_done": "数据库已迁移到 {revision}",
    "cli.sandbox_ready": "协商通沙盒已启动：请用浏览器打开 {url}（按 Ctrl-C 停止）",
    "cli.sandbox_port": "沙盒无法在 {address} 上监听（端口已被占用？可能沙盒已在运行）。换一个端口试试：xieshang sandbox --port 8081",
    "cli.sandbox_exposed": "注意：沙盒在 {host} 上监听，同一网络中的其他人也能打开它并以任何身份发言。",
    # One active instance
    "instance.waiting": "另一个协商通实例正在使用同一个数据库（{where}），本实例不轮询也不发送，待命中；那个实例停止后将自动接管。",
    "instance.took_over": "另一个实例已停止，本实例接管运行。",
}

EN: dict[str, str] = {
    # Command line
    "cli.no_token": (
        "TELEGRAM_BOT_TOKEN is missing. In Telegram, talk to @BotFather, send /newbot, and put "
        "the token it gives you into .env (TELEGRAM_BOT_TOKEN=...) or the environment. "
        "To try it without Telegram first: xieshang sandbox (or make run without a token)."
    ),
    "cli.no_webhook": "Webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET.",
    "cli.bad_settings": "Bad configuration: {error}",
    "cli.no_file": "No such file: {path}",
    "cli.invites_written": "Wrote {count} invite(s) to {path}",
    "cli.no_username": (
        "The bot's username is needed for the links: set TELEGRAM_BOT_TOKEN or BOT_USERNAME."
    ),
    "cli.db_current": "Database revision: {revision}",
    "cli.db_empty": "The database is not initialised",
    "cli.db_done": "Database migrated to {revision}",
    "cli.sandbox_ready": "The xieshang sandbox is running: open {url} in a browser (Ctrl-C stops it)",
    "cli.sandbox_port": "The sandbox cannot listen on {address} (port taken? it may be running already). Try another port: xieshang sandbox --port 8081",
    "cli.sandbox_exposed": "Note: the sandbox listens on {host}; others on the network can open it and speak as anyone.",
    # One active instance
    "instance.waiting": "Another xieshang instance is using the same database ({where}); this one neither polls nor sends and stands by. It takes over when the other one stops.",
    "instance.took_over": "The other instance stopped; this one takes over.",
}
