FROM golang:1.22
# Auteur: René Müller (latin-1, not UTF-8)
RUN go build -o /app .
FROM scratch
COPY --from=0 /app /app
