"""The sandbox: a local Bot API server, the unchanged bot connected to it, and a web chat, so
the bot can be tried without Telegram (`xieshang sandbox`). The tests talk to the same server."""
