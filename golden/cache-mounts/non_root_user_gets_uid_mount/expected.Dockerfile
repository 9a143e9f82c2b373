FROM python:3.12-slim
RUN useradd --create-home --uid 1001 appuser
USER appuser
WORKDIR /home/appuser/app
COPY requirements.txt .
RUN --mount=type=cache,target=/home/appuser/.cache/pip,uid=1001 \
    pip install --user -r requirements.txt
