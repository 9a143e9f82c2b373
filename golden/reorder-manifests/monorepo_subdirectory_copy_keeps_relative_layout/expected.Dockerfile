FROM node:20
WORKDIR /app
COPY services/api/package.json services/api/package-lock.json ./
RUN npm ci
COPY services/api/ .
CMD ["node", "server.js"]
