FROM rust:1.80 AS builder
WORKDIR /app
COPY . .
RUN rustup target add x86_64-unknown-linux-musl
RUN cargo build --release --target x86_64-unknown-linux-musl

FROM gcr.io/distroless/static-debian12
WORKDIR /app
COPY --from=builder /app/target/x86_64-unknown-linux-musl/release/tool /app/target/x86_64-unknown-linux-musl/release/tool
ENTRYPOINT ["/app/target/x86_64-unknown-linux-musl/release/tool"]
