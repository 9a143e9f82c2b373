"""Facts about the world outside the file: ecosystems, base images, manifests, the build context."""
