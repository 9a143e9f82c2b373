FROM alpine:3.19
RUN <<EOF
apk add curl
EF
