FROM python:3.12
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry install --only main --no-interaction --no-root
COPY . .
RUN poetry install --only main --no-interaction
CMD ["poetry", "run", "app"]
