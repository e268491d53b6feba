# shaho web, worker and beat image (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders with Pango/HarfBuzz through fontconfig (harfbuzz-subset
# embeds only the glyphs used, fast even for a CJK font); IPAex fonts give
# the PDFs their Japanese glyphs. postgresql-client (15 in bookworm) gives pg_dump and pg_restore
# for `manage.py backup` / `restore` (shaho.core.backups).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        fonts-ipaexfont \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && pg_dump --version | grep -Eq ' (1[5-9]|[2-9][0-9])\.' # backups: pg_dump/pg_restore 15 or newer

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt \
    && python -c "import weasyprint"  # fails the build if a library above is missing

RUN useradd --create-home --uid 1000 shaho
# The code stays root-owned: the app writes only to static files and media.
COPY . .
RUN mkdir -p /app/staticfiles /app/media /app/backups && chown shaho:shaho /app/staticfiles /app/media /app/backups \
    && chmod +x docker/entrypoint.sh
USER shaho

ENV DJANGO_SETTINGS_MODULE=shaho.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# Static files are collected into the image (DEBUG off: WhiteNoise's compressed copies), so a container with a
# read-only root filesystem serves them (deploy/k8s) and the web role's collectstatic at start finds nothing to do.
# The key is a placeholder for this one command; nothing it signs outlives the build.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-only python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["web"]
