FROM golang:1.15.5-alpine AS builder
WORKDIR /app
COPY . .
RUN go mod download
RUN go build -o main .

FROM alpine:3.14
WORKDIR /app
COPY --from=builder /app/main /app/main
CMD ["/app/main"]
