FROM golang:1.21 AS builder
RUN go build -o /bin/app . \
  && echo done
FROM scratch
COPY --from=builder /bin/app /bin/app
