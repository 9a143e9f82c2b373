FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update && apt-get install -y golang-go
ENV GOPATH=/opt/go
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/opt/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -o /usr/local/bin/app .
