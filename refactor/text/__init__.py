"""The text model: a Dockerfile's lossless items and the shell words inside its RUN lines."""
