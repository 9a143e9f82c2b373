FROM gradle:8.7-jdk21 AS builder
WORKDIR /src
COPY build.gradle.kts settings.gradle.kts ./
COPY src ./src
RUN gradle clean bootJar --no-daemon

FROM eclipse-temurin:21-jre
WORKDIR /src
COPY --from=builder /src/build/libs/app.jar /src/build/libs/app.jar
ENTRYPOINT ["java", "-jar", "/src/build/libs/app.jar"]
