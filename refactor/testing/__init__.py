"""Test support shared by tests/, bench/ and fuzz/; the command line never imports it.

`strategies`: hypothesis Dockerfile strategies and BuildKit's parser as an oracle (needs the
test extras: `hypothesis`, `dockerfile`).  `harness`: the Docker engine, base images and
fixture apps of the end-to-end tests (a checkout's `scripts/` and `tests/e2e/`).
"""
