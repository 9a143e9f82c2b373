FROM builder:latest AS deps
RUN true
FROM golang:1.21 AS golang-build
RUN go build -o /bin/app .
FROM build
FROM scratch
COPY --from=golang-build /bin/app /app
