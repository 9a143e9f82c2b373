FROM golang:1.22
RUN go build
FROM scratch
COPY --from=0 /a /b
