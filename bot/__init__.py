"""The Telegram side of xieshang: command line, application wiring, handlers and texts."""
