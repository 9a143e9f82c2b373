FROM maven:3.9-eclipse-temurin-17 AS builder
WORKDIR /build
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests

FROM eclipse-temurin:17-jre
WORKDIR /build
COPY --from=builder /build/target/shop-1.0.jar /build/target/shop-1.0.jar
ENTRYPOINT ["java", "-jar", "/build/target/shop-1.0.jar"]
