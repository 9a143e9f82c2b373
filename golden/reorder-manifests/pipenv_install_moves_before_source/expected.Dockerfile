FROM python:3.12
WORKDIR /app
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy
COPY . .
