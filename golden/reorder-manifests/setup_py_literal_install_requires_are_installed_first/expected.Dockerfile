FROM python:3.11-slim
WORKDIR /app
RUN pip install 'click>=8' rich
COPY . .
RUN pip install -e .
