"""Call-ups (抽调 / 集中攻关): parsing, ranking, recruiting with backfill, ratings."""
