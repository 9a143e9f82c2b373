FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY pom.xml ./
RUN mvn dependency:go-offline -B
COPY . .
RUN mvn -B package -DskipTests
