FROM node:20 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
FROM node:20-slim
COPY --from=deps /app/node_modules ./node_modules
COPY . .
CMD ["node", "server.js"]
