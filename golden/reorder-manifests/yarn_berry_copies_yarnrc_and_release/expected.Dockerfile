FROM node:20
WORKDIR /app
COPY package.json yarn.lock .yarnrc.yml ./
COPY .yarn/releases/yarn-4.1.1.cjs ./.yarn/releases/
RUN yarn install --immutable
COPY . .
RUN yarn build
