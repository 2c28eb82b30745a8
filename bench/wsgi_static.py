"""config.wsgi with the static files served too (as `runserver` does), for benchmarks that
drive real pages in a browser against gunicorn (bench_gates' chaos run)."""

from django.contrib.staticfiles.handlers import StaticFilesHandler

from config.wsgi import application as site

application = StaticFilesHandler(site)
