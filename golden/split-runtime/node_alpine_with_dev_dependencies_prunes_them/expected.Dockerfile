FROM node:20-alpine AS builder
WORKDIR /app
COPY . .
RUN npm ci && npm run build
RUN npm prune --omit=dev

FROM node:20-alpine
WORKDIR /app
COPY --from=builder /app /app
CMD ["node", "dist/server.js"]
