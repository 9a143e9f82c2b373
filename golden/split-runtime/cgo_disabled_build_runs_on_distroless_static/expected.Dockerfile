FROM golang:1.22 AS builder
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/api ./cmd/api

FROM gcr.io/distroless/static-debian12
WORKDIR /src
COPY --from=builder /out/api /out/api
# The API listens here
EXPOSE 9000
USER 65532:65532
ENTRYPOINT ["/out/api"]
