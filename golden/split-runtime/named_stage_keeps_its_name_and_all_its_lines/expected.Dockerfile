FROM golang:1.21-alpine AS app
WORKDIR /src
COPY . .
RUN go build -o /bin/app .
LABEL org.opencontainers.image.title="app"
ENTRYPOINT ["/bin/app"]

FROM alpine:3.20
WORKDIR /src
COPY --from=app /bin/app /bin/app
LABEL org.opencontainers.image.title="app"
ENTRYPOINT ["/bin/app"]
