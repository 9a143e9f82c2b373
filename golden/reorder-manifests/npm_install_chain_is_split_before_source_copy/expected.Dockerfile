FROM node:20
WORKDIR /srv
COPY --chown=node:node --link package.json package-lock.json ./
RUN npm install
# the whole project
COPY --chown=node:node --link . .
RUN npm run build \
    && npm prune --omit=dev
CMD ["node", "dist/server.js"]
