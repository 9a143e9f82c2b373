FROM python:3.12
RUN --mount=type=cache,target=/root/.cache/pip pip install poetry
COPY pyproject.toml poetry.lock ./
RUN poetry install
