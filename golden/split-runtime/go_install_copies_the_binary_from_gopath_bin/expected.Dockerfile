FROM golang:1.22 AS builder
WORKDIR /src
COPY . .
ENV CGO_ENABLED=0
RUN go install ./cmd/worker

FROM gcr.io/distroless/static-debian12
WORKDIR /src
COPY --from=builder /go/bin/worker /go/bin/worker
ENTRYPOINT ["/go/bin/worker"]
