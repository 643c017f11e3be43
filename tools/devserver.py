"""`make devserver`: rebuild on every change and serve output/ on http://127.0.0.1:8000/.

Written by hand instead of `pelican -lr` because Pelican's autoreload loop
re-runs at once after an exception, so one bad file keeps a CPU core busy.
Here every build, good or bad, is followed by a wait for the next change
(watchfiles blocks without polling), and problems are shown as warnings.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tools"))

import build  # noqa: E402


def serve(output: str, port: int) -> None:
    from pelican import listen
    listen("127.0.0.1", port, output)


def main() -> int:
    from pelican.settings import read_settings
    from pelican.utils import wait_for_changes

    port = int(os.environ.get("PORT", "8000"))
    settings_file = ROOT / "pelicanconf.py"
    os.chdir(ROOT)
    output = ROOT / "output"
    output.mkdir(exist_ok=True)
    server = None
    if "--no-serve" not in sys.argv:
        server = multiprocessing.Process(target=serve, args=(str(output), port), daemon=True)
        server.start()
        print(f"Serving {output}/ at http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    try:
        while True:
            build.build("html", output, settings_file, extra=build.DEV_CACHE)
            settings = read_settings(str(settings_file))
            changed = wait_for_changes(str(settings_file), settings)
            names = ", ".join(sorted(os.path.relpath(c[1], ROOT) for c in changed))
            print(f"\nChanged: {names}. Rebuilding...")
    except KeyboardInterrupt:
        return 0
    finally:
        if server is not None:
            server.terminate()


if __name__ == "__main__":
    sys.exit(main())
