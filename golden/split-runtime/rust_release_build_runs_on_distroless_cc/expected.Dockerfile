FROM rust:1.75 AS builder
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release

FROM gcr.io/distroless/cc-debian12
WORKDIR /usr/src/app
COPY --from=builder /usr/src/app/target/release/app /usr/src/app/target/release/app
EXPOSE 3000
CMD ["./target/release/app"]
