FROM node:20
WORKDIR /app
COPY app/package.json app/yarn.lock ./
RUN npm install
COPY app .
CMD ["node","index.js"]
