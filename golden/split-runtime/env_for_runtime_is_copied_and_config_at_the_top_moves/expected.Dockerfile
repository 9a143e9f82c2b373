FROM golang:1.21-alpine AS builder
ENV PORT=8080 GOFLAGS=-mod=vendor
WORKDIR /src
COPY . .
RUN go build -o /bin/svc ./cmd/svc

FROM alpine:3.20
WORKDIR /src
COPY --from=builder /bin/svc /bin/svc
LABEL maintainer="ops@example.com"
ENV PORT=8080 GOFLAGS=-mod=vendor
STOPSIGNAL SIGINT
CMD ["/bin/svc", "--port", "8080"]
