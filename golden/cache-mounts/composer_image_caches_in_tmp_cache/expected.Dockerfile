FROM composer:2 AS vendor
WORKDIR /app
COPY composer.json composer.lock ./
RUN --mount=type=cache,target=/tmp/cache composer install --no-dev --no-scripts --prefer-dist
FROM php:8.3-fpm
COPY --from=vendor /app/vendor /var/www/vendor
