"""Cold start: a fresh `streamlit run app.py` process until the first chart is drawn in a real browser.

Starts the server (a new Python process: imports included), polls the health check, opens the page in Debian's
chromium through Playwright and waits until the plotly chart holds data. Prints each phase; repeat with --runs.

    python bench/cold_start.py [--runs 3] [--python /path/to/venv/bin/python]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(python: str, browser) -> tuple[float, float]:
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen([python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--server.address", "127.0.0.1",
                               "--browser.gatherUsageStats", "false"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.05)
            if time.perf_counter() - start > 60:
                raise RuntimeError("server did not become healthy in 60 s")
        healthy = time.perf_counter() - start
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function("() => { const p = document.querySelector('.js-plotly-plot');"
                               " return p && p.data && p.data.length > 0; }", timeout=60_000)
        drawn = time.perf_counter() - start
        page.close()
        return healthy, drawn
    finally:
        server.terminate()
        server.wait(10)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        print("| run | server healthy s | first chart drawn s |")
        print("|---:|---:|---:|")
        for i in range(args.runs):
            healthy, drawn = one_run(args.python, browser)
            print(f"| {i + 1} | {healthy:.2f} | {drawn:.2f} |")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
