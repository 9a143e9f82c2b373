FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
WORKDIR /src
COPY src/Api/Api.csproj ./src/Api/
COPY App.sln NuGet.config ./
RUN dotnet restore
COPY . .
RUN dotnet publish src/Api/Api.csproj -c Release -o /out --no-restore
