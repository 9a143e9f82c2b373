FROM golang:1.19 AS base
WORKDIR /src
COPY . .

FROM base AS build-api
# the API server
RUN CGO_ENABLED=0 go build -o /bin/api ./cmd/api

FROM base AS build-worker
RUN CGO_ENABLED=0 go build -o /bin/worker ./cmd/worker

FROM gcr.io/distroless/static-debian12 AS worker
WORKDIR /src
USER 65532
COPY --from=build-worker /bin/worker /bin/worker
ENTRYPOINT ["/bin/worker"]

FROM gcr.io/distroless/static-debian12 AS api
WORKDIR /src
USER 65532
COPY --from=build-api /bin/api /bin/api
EXPOSE 8080
ENTRYPOINT ["/bin/api"]
CMD ["--listen", ":8080"]
