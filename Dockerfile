# One image for every LeadRelay process; docker-compose.yml runs it as worker and as beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LEADRELAY_HOME=/data \
    LEADRELAY_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY routing ./routing
COPY config ./config
COPY connectors ./connectors
COPY worker ./worker
RUN pip install ".[postgres]" \
 && useradd --create-home --uid 10001 leadrelay \
 && mkdir -p /data \
 && chown leadrelay /data

USER leadrelay
VOLUME ["/data"]
ENTRYPOINT ["leadrelay"]
CMD ["worker"]
