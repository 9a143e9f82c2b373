FROM golang:1.21-alpine AS builder
RUN apk add --no-cache ca-certificates tzdata
WORKDIR /src
COPY . .
RUN go build -o /bin/app .

FROM alpine:3.20
WORKDIR /src
COPY --from=builder /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=builder /bin/app /bin/app
ENTRYPOINT ["/bin/app"]
