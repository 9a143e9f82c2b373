FROM alpine:3.19
RUN echo one \
  two
FROM scratch
COPY --from=0 /a /b