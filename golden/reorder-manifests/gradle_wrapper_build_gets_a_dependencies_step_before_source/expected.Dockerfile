FROM eclipse-temurin:21-jdk
WORKDIR /src
COPY build.gradle.kts settings.gradle.kts gradlew ./
COPY gradle/wrapper/gradle-wrapper.jar gradle/wrapper/gradle-wrapper.properties ./gradle/wrapper/
RUN ./gradlew dependencies --no-daemon
COPY . .
RUN ./gradlew build --no-daemon
