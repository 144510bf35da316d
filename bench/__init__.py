"""`make bench`: seed a throwaway database, serve it with gunicorn, load it with wrk.

Nothing here is imported by a normal deploy; the baseline view is mounted only when
``NEWSROOM_BENCH_BASELINE=1`` is set (see ``bench/baseline.py``).
"""
