FROM node:20-alpine
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --production
USER node
CMD ["node", "dist/server.js"]
