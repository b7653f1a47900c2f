"""Headless Chromium for the browser tests (Debian's `chromium` and `chromium-driver`, driven by
selenium): open a local HTML file at a given width and report what a reader would hit."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")

# every element wider than the page, with where it is (for a readable failure message)
OVERFLOW_JS = """
const width = document.documentElement.clientWidth;
const out = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  let clipped = false;  // inside a box that scrolls or clips its own overflow
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
  }
  const sheet = el.closest('section, .cover, .toc');  // a playbook page: nothing sticks out of it
  const edge = sheet && sheet !== el ? sheet.getBoundingClientRect().right : width;
  if (!clipped && (r.right > Math.min(width, edge) + 1 || r.left < -1))
    out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '')
             + ' ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + width);
}
return {scroll: document.documentElement.scrollWidth, width: width, offenders: out.slice(0, 10)};
"""

# text drawn over text: leaf elements (no element children) outside charts whose boxes overlap
OVERLAP_JS = """
const boxes = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.children.length || el.closest('svg') || !el.textContent.trim()) continue;
  for (const r of el.getClientRects()) if (r.width && r.height) boxes.push([el, r]);  // one per line
}
const out = [];
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const [a, p] = boxes[i], [b, q] = boxes[j];
  const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
  const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
  if (w > 2 && h > 2 && a !== b && !a.contains(b) && !b.contains(a))
    out.push(a.textContent.trim().slice(0, 30) + ' / ' + b.textContent.trim().slice(0, 30));
}
return out.slice(0, 10);
"""

CHARTS_JS = """
const bad = [];
let n = 0;
for (const el of document.querySelectorAll('figure svg, .output_svg svg, img, .output_png img')) {
  if (el.closest('svg') !== el && el.tagName.toLowerCase() === 'svg') continue;  // nested svg parts
  n += 1;
  const r = el.getBoundingClientRect();
  const loaded = el.tagName.toLowerCase() !== 'img' || (el.complete && el.naturalWidth > 0);
  if (!(r.width > 0 && r.height > 0 && loaded)) bad.push(el.tagName + ' ' + r.width + 'x' + r.height);
}
return {charts: n, bad: bad};
"""


def chromium_available() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--disable-extensions",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def inspect(browser, page: Path, width: int) -> dict:
    """Open ``page`` at ``width`` CSS pixels; what overflows, what was requested, what failed."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    browser.get_log("browser"), browser.get_log("performance")  # start from a clean log
    browser.get(Path(page).resolve().as_uri())
    browser.execute_script("return document.fonts ? document.fonts.ready : null")
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    return {
        "overflow": browser.execute_script(OVERFLOW_JS),
        "charts": browser.execute_script(CHARTS_JS),
        "overlaps": browser.execute_script(OVERLAP_JS),
        "errors": [e["message"] for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")],
        "remote": [u for u in requests if not u.startswith(LOCAL_SCHEMES)],
    }


# each chart's drawn width against its box's: a chart scales with its box, never cropped or scrolled
CHART_FIT_JS = """
return Array.from(document.querySelectorAll('.chart-box')).map(box => {
  const svg = box.querySelector('svg');
  return {drawn: svg ? svg.getBoundingClientRect().width : 0, box: box.clientWidth,
          scroll: box.scrollWidth};
});
"""

# text colour and the first opaque background behind each text element matching arguments[0]
COLOURS_JS = """
return Array.from(document.querySelectorAll(arguments[0])).map(el => {
  let bg = 'rgba(0, 0, 0, 0)';
  for (let p = el; p && bg.startsWith('rgba(') && bg.endsWith(', 0)'); p = p.parentElement)
    bg = getComputedStyle(p).backgroundColor;
  return {text: el.textContent.trim().slice(0, 30), color: getComputedStyle(el).color, background: bg};
});
"""


def contrast(color: str, background: str) -> float:
    """WCAG contrast ratio of two computed CSS colours ('rgb(r, g, b)')."""
    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    light, dark = sorted((luminance(color), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
