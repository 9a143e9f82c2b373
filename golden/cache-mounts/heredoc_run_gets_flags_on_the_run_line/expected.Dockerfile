FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    <<EOT
set -e
apt-get update
apt-get install -y curl
EOT
