FROM eclipse-temurin:21-jdk-jammy AS builder
WORKDIR /app
COPY . .
RUN javac -d classes $(find src/main/java -name '*.java') && jar cfe app.jar app.Main -C classes .

FROM eclipse-temurin:21-jre-jammy
WORKDIR /app
COPY --from=builder /app/app.jar /app/app.jar
EXPOSE 8080
CMD ["java", "-Xmx256m", "-jar", "app.jar"]
