"""Screenshots of the public tally page for docs/: a seeded campaign, served by `intro
serve`, photographed by Debian's Chromium (through Playwright) at desktop and phone width.

    .venv/bin/python bench/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from smtp_ingest import free_port, wait_for  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    out = parser.parse_args().out
    intro = str(Path(sys.executable).parent / "intro")
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("INTRO_")},
           "INTRO_WEB_PORT": str(port), "INTRO_SMTP_PORT": str(free_port()), "INTRO_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([intro, "demo", "seed", "--intros", "130", "--participants", "12", "--year", "2026"],
                       cwd=folder, env=env, check=True, capture_output=True)
        server = subprocess.Popen([intro, "serve"], cwd=folder, env=env)
        try:
            wait_for(port)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                for name, width, height in (("tally-desktop", 1100, 1500), ("tally-phone", 390, 1900)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(f"http://127.0.0.1:{port}/?campaign=2026")
                    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                    print(out / f"{name}.png")
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
