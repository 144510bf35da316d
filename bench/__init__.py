"""`make bench`: seed a throwaway database, serve it with gunicorn, load it with wrk.

Nothing here is imported by a normal deploy; the baseline view is mounted only by the
benchmark's own settings (``bench/settings.py``, ``bench/urls.py``).
"""
