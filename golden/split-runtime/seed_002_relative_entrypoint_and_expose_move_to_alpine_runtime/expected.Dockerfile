# Build stage
FROM golang:1.18-rc-alpine3.15 AS builder
WORKDIR /
COPY . .
RUN go mod tidy
RUN go build -o main

FROM alpine:3.15
WORKDIR /
COPY --from=builder /main /main
EXPOSE 8080
ENTRYPOINT ["./main"]
