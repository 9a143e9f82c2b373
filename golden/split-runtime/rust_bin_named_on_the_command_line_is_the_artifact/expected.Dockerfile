FROM rust:1.80-bookworm AS builder
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --bin server

FROM gcr.io/distroless/cc-debian12
WORKDIR /src
COPY --from=builder /src/target/release/server /src/target/release/server
ENTRYPOINT ["/src/target/release/server"]
