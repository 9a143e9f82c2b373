FROM golang:1.21-alpine AS builder
COPY . .
RUN go mod download
RUN go build -o main .

FROM alpine:3.20
WORKDIR /go
COPY --from=builder /go/main /go/main
CMD ["/go/main"]
