FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.gradle/caches \
    --mount=type=cache,target=/root/.gradle/wrapper \
    ./gradlew --no-daemon bootJar
FROM eclipse-temurin:21-jre
COPY --from=build /src/build/libs/app.jar /app.jar
