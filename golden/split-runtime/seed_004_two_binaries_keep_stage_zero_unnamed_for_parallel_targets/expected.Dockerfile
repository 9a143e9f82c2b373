# syntax=docker/dockerfile:1
FROM golang:1.21-alpine
WORKDIR /src
COPY go.mod go.sum .
RUN go mod download
COPY . .
RUN go build -o /bin/client ./cmd/client
RUN go build -o /bin/server ./cmd/server

FROM alpine:3.20
WORKDIR /src
COPY --from=0 /bin/client /bin/client
COPY --from=0 /bin/server /bin/server
ENTRYPOINT [ "/bin/server" ]
