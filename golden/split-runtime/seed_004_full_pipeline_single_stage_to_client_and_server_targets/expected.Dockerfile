# syntax=docker/dockerfile:1
FROM golang:1.21-alpine AS base
WORKDIR /src
COPY go.mod go.sum .
RUN go mod download
COPY . .

FROM base AS build-client
RUN go build -o /bin/client ./cmd/client

FROM base AS build-server
RUN go build -o /bin/server ./cmd/server

FROM alpine:3.20 AS client
WORKDIR /src
COPY --from=build-client /bin/client /bin/client
ENTRYPOINT [ "/bin/client" ]

FROM alpine:3.20 AS server
WORKDIR /src
COPY --from=build-server /bin/server /bin/server
ENTRYPOINT [ "/bin/server" ]
