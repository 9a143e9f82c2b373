FROM node:20 AS builder
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build
RUN npm prune --omit=dev

FROM node:20-slim
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app /usr/src/app
USER node
EXPOSE 3000
CMD ["npm", "start"]
