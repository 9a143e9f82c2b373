FROM node:20
COPY web/package.json web/package-lock.json /app/web/
RUN set -eux && cd /app/web && npm ci
COPY . /app
RUN set -eux; cd /app/web && npm run build
