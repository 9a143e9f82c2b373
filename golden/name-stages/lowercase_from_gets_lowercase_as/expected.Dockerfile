from node:20 as builder 
run npm ci && npm run build

from nginx:alpine
copy --from=builder /app/dist /usr/share/nginx/html
