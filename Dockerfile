# The service's image: `idc-connector serve` as an unprivileged user, configured
# by IDCC_* variables (docs/setup.md), its liveness checked on /health.
# docs/operations.md ("A container image") says how to build and run it; CI has
# no container engine, so tests/test_packaging.py runs this file's entry command
# and health check as plain processes instead.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A system user owning nothing but its state folder (a SQLite store, if one is used).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/idc-connector \
        --create-home --shell /usr/sbin/nologin idcc

WORKDIR /usr/src/idc-connector
COPY pyproject.toml README.md LICENSE ./
COPY connector ./connector
COPY scim ./scim
COPY schemas ./schemas
# The production install: no simulator (moto, faker), no test tools.
RUN pip install . && rm -rf /usr/src/idc-connector

USER idcc
WORKDIR /var/lib/idc-connector
ENV IDCC_DATABASE_URL=sqlite:////var/lib/idc-connector/connector.sqlite3
EXPOSE 8080

# /health needs no token and touches no store: it says the process answers.
# The standard library only: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=4)"]

# SIGTERM (docker stop) stops serve cleanly: docs/operations.md.
ENTRYPOINT ["idc-connector"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
