# Production image: API (`serve`) or worker (`worker`); migrations are an explicit step (`migrate`).
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml constraints.txt ./
COPY app ./app
# Dependencies only: the code itself runs from /srv, next to alembic.ini and migrations/.
RUN /venv/bin/pip install --no-cache-dir -c constraints.txt . \
 && /venv/bin/pip uninstall -y ozon-rocket-bridge

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /srv bridge
WORKDIR /srv
COPY --from=build /venv /venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1
USER bridge
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
ENTRYPOINT ["python", "-m", "app"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
