"""One module per feature; each ends with HANDLERS = [...], registered in bot/app.py."""
