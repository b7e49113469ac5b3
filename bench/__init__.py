"""Benchmarks (issue 7): a synthetic corpus, real HTTP against gunicorn, a table of ratios.

Run ``.venv/bin/python -m bench --help``. Nothing here is imported by the site or the tests.
"""
