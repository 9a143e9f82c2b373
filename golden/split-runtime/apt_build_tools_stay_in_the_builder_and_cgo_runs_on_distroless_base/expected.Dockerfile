FROM golang:1.21-bookworm AS builder
RUN apt-get update && apt-get install -y --no-install-recommends git make
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .

FROM gcr.io/distroless/base-debian12
WORKDIR /src
COPY --from=builder /usr/local/bin/app /usr/local/bin/app
USER nobody
ENTRYPOINT ["/usr/local/bin/app"]
