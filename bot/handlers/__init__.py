"""One module per feature; each ends with HANDLERS: Handlers = [...], registered in bot/app.py."""
