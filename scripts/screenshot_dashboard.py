"""Take docs/dashboard.png: the dashboard of a fresh `ccp demo` in headless chromium.

python scripts/screenshot_dashboard.py
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from workflow.demo.build import build_demo
from workflow.web.serve import make_server

OUT = Path(__file__).resolve().parent.parent / "docs" / "dashboard.png"


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "ccp-demo"
        build_demo(root)
        running = make_server(root, 0)
        thread = threading.Thread(target=running.server.run, daemon=True)
        thread.start()
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={scratch}/profile",
            "--window-size=1100,900",
            "--hide-scrollbars",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
        try:
            driver.get(running.url)
            shot = Path(scratch) / "shot.png"
            driver.save_screenshot(str(shot))
        finally:
            driver.quit()
            running.server.close()
        # A 64-colour palette keeps the picture sharp and the repository small.
        Image.open(shot).convert("RGB").quantize(colors=64).save(OUT, optimize=True)
    print(f"Wrote {OUT} ({OUT.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
