FROM python:3.12
RUN --mount=type=secret,id=netrc,target=/root/.netrc \
    --mount=type=cache,target=/root/.cache/pip \
    pip install -r requirements.txt
