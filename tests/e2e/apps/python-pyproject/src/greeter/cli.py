import argparse

import idna

from greeter import __version__, greet


def main() -> None:
    parser = argparse.ArgumentParser(prog="greeter")
    parser.add_argument("name", nargs="?", default="world")
    parser.add_argument("--host", default="grüße.example")
    args = parser.parse_args()
    print(f"greeter {__version__}: {greet(args.name)} from {idna.encode(args.host).decode()}")
