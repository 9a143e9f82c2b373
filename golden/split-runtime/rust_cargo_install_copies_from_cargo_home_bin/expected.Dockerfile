FROM rust:1.75 AS builder
WORKDIR /src
COPY . .
RUN cargo install --path .

FROM gcr.io/distroless/cc-debian12
WORKDIR /src
COPY --from=builder /usr/local/cargo/bin/svc /usr/local/cargo/bin/svc
CMD ["/usr/local/cargo/bin/svc"]
