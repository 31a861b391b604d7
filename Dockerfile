# Mentorbot for production: `mentorbot serve` (gunicorn, WEB_CONCURRENCY workers) as a non-root
# user. Build: docker build -t mentorbot .   Run: see docker-compose.yml and the README.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY sandbox ./sandbox
COPY mentorbot ./mentorbot
# Every dependency ships manylinux wheels (psycopg[binary], numpy, scipy): no compiler needed.
RUN python -m venv /opt/mentorbot && /opt/mentorbot/bin/pip install --no-compile . \
    && find /opt/mentorbot -name "__pycache__" -prune -exec rm -rf {} +

FROM python:3.11-slim
ENV PATH=/opt/mentorbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/mentorbot-metrics
RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home mentorbot
COPY --from=build /opt/mentorbot /opt/mentorbot
WORKDIR /app
USER 10001:10001
EXPOSE 3000
# Ready = the database answers and its schema is current (a load balancer uses /readyz too).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '3000'), timeout=2)"
# Exec form: gunicorn's master is PID 1 and gets the SIGTERM itself (graceful stop, <= 30 s).
STOPSIGNAL SIGTERM
CMD ["mentorbot", "serve"]
