FROM golang:1.19 AS builder
WORKDIR /app
COPY . .
RUN go build -o /usr/local/bin/hello-http .

FROM gcr.io/distroless/base-debian12
WORKDIR /app
COPY --from=builder /usr/local/bin/hello-http /usr/local/bin/hello-http
EXPOSE 8080
CMD ["hello-http"]
