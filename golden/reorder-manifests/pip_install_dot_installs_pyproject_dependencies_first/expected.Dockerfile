FROM python:3.11-slim
WORKDIR /app
RUN pip install --no-cache-dir idna==3.7 'requests>=2,<3'
COPY . .
RUN pip install --no-cache-dir .
CMD ["greeter"]
