from golang:1.22
workdir /app
copy go.mod go.sum ./
run go mod download
copy . .
run go build -o /app/server .
