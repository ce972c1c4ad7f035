"""Reports benchmark: one-line /report throughput, /stats on a million reports, /export of 100k.

Run with `python -m bench.reports [--part 1|2|3] [--postgres]` (or `make bench-reports`). Every
update goes through the real `Application.process_update` (bot.app.build_application), and
every reply goes over HTTP to the Bot API stand-in (bot/sandbox/botapi.py), which runs in a process
of its own on 127.0.0.1 (bench/reports/standin.py).

1. Submission (submission.py): 5,000 `/report 走访 <enterprise> <n>人次 <note>` from 1,050
   bound instructors, one update after another (PTB's default), against a bare echo
   Application on the same stand-in with the same number of updates, the two alternating in
   blocks of 500 so that both meet the same machine. Goal: bot/echo ≥ 0.15.
2. Stats (stats.py): 1,000,000 generated reports (1,050 instructors, 16 districts, 2024-01-01
   to today); `/stats <last year>` for the city and for one district through the handler, as
   HQ, beside each SQL statement it ran, replayed alone, and the sum of its aggregates; medians
   of several runs, then the aggregates' query plans. Goals: handler ≤ 1.5 × the sum of its
   aggregates, and < 150 ms on SQLite.
3. Export (export.py): `/export <year>` of 100,000 reports through the handler, in a fresh
   process: time, the bot process's RSS growth (VmHWM − VmRSS before) plus the peak RSS of the
   worker process the export runs in; then the latency of 200 `/me` sent while it runs, both
   as separate tasks (each process_update timed) and through PTB's own update fetcher. Goals:
   < 250 MB, /me p99 < 100 ms.

`--postgres` runs the same parts on a throw-away PostgreSQL database too (created and dropped;
server from BENCH_DATABASE_URL, TEST_DATABASE_URL, else postgres@127.0.0.1:5432/test). Nothing
is asserted; every figure is printed next to its goal. SQLite alone takes about 7 minutes on
2 CPUs (part 1 is 5,000 updates of ~25 ms each), with --postgres about 13. BENCH_QUICK=1 runs
every part on small data, to check the bench itself.
"""
