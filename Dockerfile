# Ember as a container: the web app (`ember serve`) or a background worker (`ember worker`)
# from one image. Build: docker build -t ember .   Run a team: docker compose up -d
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# Only Ember itself becomes a wheel here; its dependencies install in the final stage.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    EMBER_HOST=0.0.0.0 \
    EMBER_PORT=8000 \
    EMBER_DATA_DIR=/data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && groupadd --gid 10001 ember \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin ember \
    && mkdir /data && chown ember:ember /data
USER 10001:10001
WORKDIR /home/ember
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["ember", "serve", "--workers", "2", "--forwarded-allow-ips", "*"]
