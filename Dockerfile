# coach: the weekly sales-coaching Slack bot. Migrates, then serves HTTP on $PORT.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000

RUN useradd --create-home --uid 10001 coach
WORKDIR /srv/coach

COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY docker/entrypoint.sh /usr/local/bin/coach-entrypoint
RUN pip install -e . && mkdir -p /data && chown coach:coach /data

USER coach
# SQLite by default lives on a volume; set DATABASE_URL for PostgreSQL.
ENV DATABASE_URL=sqlite+aiosqlite:////data/coach.db
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=2)"

# Migrates, then execs `coach serve` (docker/entrypoint.sh), so a stop signal reaches it.
CMD ["coach-entrypoint"]
