FROM golang:1.21 AS builder
RUN go build -o /bin/app .
FROM debian:bookworm-slim
COPY <<EOF /notes.txt
COPY --from=0 is not an instruction here
FROM scratch
EOF
COPY --from=builder /bin/app /app
