"""Run several Pagefind indexings one after another (search_index.py: a large
site is indexed in parts, so that only one Pagefind is in memory at a time).

Reads the commands, a JSON list of argument lists, on standard input; runs
each in turn; stops at the first that fails, with its exit status, and
passes on Pagefind's message with the part it was indexing. A plain
script, started by path: it imports nothing from the build.
"""

import json
import subprocess
import sys


def main() -> int:
    runs = json.load(sys.stdin)
    for number, command in enumerate(runs, start=1):
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
            print(f"part {number} of {len(runs)} of the index: {message}", file=sys.stderr)
            return done.returncode if done.returncode > 0 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
