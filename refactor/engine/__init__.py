"""The engine: changes and declines, the transform protocol, the pipeline and batch runs."""
