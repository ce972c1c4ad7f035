"""Database models, queries and Telegram-free rules of xieshang."""
