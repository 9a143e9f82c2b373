FROM golang:1.22-alpine3.20 AS builder
WORKDIR /app
COPY . .
RUN CGO_ENABLED=0 go build -ldflags="-s -w"

FROM alpine:3.20
WORKDIR /app
COPY --from=builder /app/api /app/api
EXPOSE 8080
CMD ["./api"]
