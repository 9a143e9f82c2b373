from golang:1.21-alpine3.19 as builder
workdir /src
copy . .
run CGO_ENABLED=0 go build -o /bin/tool ./cmd/tool

from alpine:3.19
workdir /src
copy --from=builder /bin/tool /bin/tool
entrypoint ["/bin/tool"]
