"""gunicorn settings for docker-compose.yml (`gunicorn -c config/gunicorn.py config.wsgi`)."""

import os

bind = "0.0.0.0:8000"
# 3 sync workers on a 2-core server: the sizing of bench/RESULTS.md (issue 17). More cores: 2 × cores + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = 2000  # recycle a worker now and then; jitter so they do not all restart at once
max_requests_jitter = 200
# X-Forwarded-Proto/-For are believed from the proxy only (its fixed address on the internal
# network, docker-compose.yml); from anyone else the request is plain http and is redirected.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The proxy logs the requests (without personal data); the app logs JSON to stdout.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
