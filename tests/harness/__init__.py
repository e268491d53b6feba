"""Real processes on 127.0.0.1 for the failure drills (tests/drills/), the production-shape test
(tests/production/) and bench/bench_production.py: a PostgreSQL cluster of their own, redis-server, gunicorn,
Celery workers, Caddy, an S3 server (moto) — `processes`; the rows they start from — `rows`; the session's
cluster and the fixtures — `fixtures` (registered for the whole suite by tests/conftest.py)."""
