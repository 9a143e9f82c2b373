# escape=`
FROM mcr.microsoft.com/dotnet/sdk:8.0 AS builder
RUN dotnet publish -c Release `
    -o /out
FROM mcr.microsoft.com/dotnet/aspnet:8.0
COPY --from=builder /out /app
