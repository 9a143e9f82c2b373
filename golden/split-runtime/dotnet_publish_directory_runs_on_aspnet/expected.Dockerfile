FROM mcr.microsoft.com/dotnet/sdk:8.0 AS builder
WORKDIR /src
COPY Api.csproj .
RUN dotnet restore
COPY . .
RUN dotnet publish -c Release -o /app/publish
WORKDIR /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:8.0
WORKDIR /app/publish
COPY --from=builder /app/publish /app/publish
EXPOSE 8080
ENTRYPOINT ["dotnet", "Api.dll"]
