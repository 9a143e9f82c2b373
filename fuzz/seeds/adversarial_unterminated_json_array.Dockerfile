FROM alpine:3.19
CMD ["sh", "-c", "echo hi"
