FROM golang:1.21-alpine AS builder
WORKDIR /src
COPY . .
RUN go build -o /bin/site .

FROM alpine:3.20
WORKDIR /src
COPY --from=builder /bin/site /bin/site
COPY --from=builder /src/templates /src/templates
ENTRYPOINT ["/bin/site"]
