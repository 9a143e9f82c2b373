FROM golang:1.22-bookworm AS builder
WORKDIR /src
COPY . .
RUN go build -o /bin/engine .

FROM gcr.io/distroless/cc-debian12
WORKDIR /src
COPY --from=builder /bin/engine /bin/engine
ENTRYPOINT ["/bin/engine"]
