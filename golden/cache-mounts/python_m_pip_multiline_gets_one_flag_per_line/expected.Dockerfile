FROM python:3.12-slim
COPY requirements.txt /tmp/
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip install --upgrade pip \
    && python -m pip install \
        -r /tmp/requirements.txt
