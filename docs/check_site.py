"""Check the built site as a reader would: ``make docs-check`` (after ``make docs``).

1. Every internal link of every page (``href``/``src`` to a file of the site, with its
   ``#anchor`` where it has one) resolves: checked on the HTML files themselves.
2. A real headless Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by
   Selenium) opens the index, a user-guide page, an API page and a gallery page from a
   local HTTP server: each loads without a JavaScript error, has its title and main text,
   and every image on it has rendered (``naturalWidth > 0``). A screenshot of each is
   written to ``docs/_build/screenshots/``.

Exit status 0 when everything holds, 1 with a list of the problems otherwise.
"""

import argparse
import functools
import http.server
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE = Path(__file__).resolve().parent / "_build" / "html"
PAGES = {
    "index": "index.html",
    "user guide": "latent_adversarial.html",
    "API": "generated/skadvaug.over_sampling.LatentAdversarialSampler.html",
    "gallery": "auto_examples/plot_compare_over_samplers.html",
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") == ["preload"]):
                self.links.append(attrs[key])


@functools.cache
def _parse(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def broken_links(site):
    """``(page, link)`` for every internal link whose file or anchor is missing."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] == "_static":
            continue  # the theme's templates, not pages
        for link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue  # external: not this site's business
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            anchored = parts.fragment and target.suffix == ".html"
            if not target.exists() or (
                anchored and unquote(parts.fragment) not in _parse(target).ids
            ):
                broken.append((page.relative_to(site), link))
    return broken


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _harmless(message, server):
    """Console errors that say nothing about the site: no favicon, the theme's notice
    that no colour mode is stored yet, and resources from other hosts (MathJax's CDN)
    where the check runs offline."""
    local = f"http://127.0.0.1:{server.server_port}/"
    if "favicon" in message or "invalid theme mode" in message:
        return True
    return message.startswith("http") and not message.startswith(local)


def browse(site, screenshots):
    """Problems seen in Chromium on the sample pages; writes a screenshot of each."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    server = _serve(site)
    problems = []
    screenshots.mkdir(parents=True, exist_ok=True)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        for name, page in PAGES.items():
            url = f"http://127.0.0.1:{server.server_port}/{page}"
            driver.get(url)
            state = driver.execute_script("return document.readyState")
            title = driver.title
            text = driver.execute_script(
                "const m = document.querySelector('main') || document.body;"
                "return m ? m.innerText : '';"
            )
            images = driver.execute_script(
                "return Array.from(document.images).map(i => "
                "[i.getAttribute('src'), i.complete && i.naturalWidth > 0]);"
            )
            errors = [
                entry["message"]
                for entry in driver.get_log("browser")
                if entry["level"] == "SEVERE" and not _harmless(entry["message"], server)
            ]
            shot = screenshots / f"{name.replace(' ', '_')}.png"
            driver.save_screenshot(str(shot))
            if state != "complete" or not title or len(text.strip()) < 200:
                problems.append(f"{name} ({page}): not loaded (state {state!r}, title {title!r})")
            problems += [
                f"{name} ({page}): image not rendered: {src}" for src, ok in images if not ok
            ]
            problems += [f"{name} ({page}): console error: {message}" for message in errors]
            print(f"{name:10s} {page}: {len(images)} images, {len(text)} characters -> {shot}")
    finally:
        driver.quit()
        server.shutdown()
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default=str(SITE), help="the built HTML (docs/_build/html)")
    parser.add_argument("--no-browser", action="store_true", help="links only")
    args = parser.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").exists():
        print(f"no site at {site}: run `make docs` first", file=sys.stderr)
        return 1
    problems = [f"broken link in {page}: {link}" for page, link in broken_links(site)]
    n_pages = len(list(site.rglob("*.html")))
    print(f"{n_pages} pages, {len(problems)} broken internal links")
    if not args.no_browser:
        problems += browse(site, site.parent / "screenshots")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
