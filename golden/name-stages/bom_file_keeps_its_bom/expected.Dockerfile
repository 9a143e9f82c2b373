FROM rust:1.79 AS builder
RUN cargo build --release
FROM debian:bookworm-slim
COPY --from=builder /target/release/app /usr/local/bin/app
