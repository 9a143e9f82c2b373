FROM node:20
WORKDIR /srv
COPY package.json npm-shrinkwrap.json ./
RUN npm ci
COPY . .
CMD ["npm","start"]
