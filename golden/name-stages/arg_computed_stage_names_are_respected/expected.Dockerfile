ARG VARIANT=a
FROM alpine AS base-a
FROM alpine AS base-b
FROM base-${VARIANT} AS builder
RUN make app
FROM scratch
COPY --from=builder /app /app
