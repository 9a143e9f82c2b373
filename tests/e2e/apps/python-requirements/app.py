"""A tiny service that normalises internationalised host names."""
import sys

import idna
import six


def ascii_host(name: str) -> str:
    return idna.encode(name).decode("ascii")


def main() -> int:
    hosts = sys.argv[1:] or ["bücher.example", "münchen.de"]
    for host in hosts:
        print(f"{host} -> {ascii_host(host)}")
    print(f"deps: idna {idna.__version__}, six {six.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
