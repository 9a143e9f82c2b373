FROM python:3.12 AS deps 
RUN pip install -r requirements.txt
FROM debian:bookworm-slim
RUN --mount=type=bind,from=deps,source=/usr/local/lib,target=/mnt \
    cp -r /mnt /opt/lib
