#!/usr/bin/env python3
"""Loads a page in headless Chromium and reports how its images rendered.

usage: gallery_browser.py CHROMIUM URL SCREENSHOT.png

Drives Chromium over the DevTools protocol on --remote-debugging-pipe
(JSON messages separated by NUL on fds 3 and 4; no websocket, no pip
packages), waits until every <img> has loaded or failed (scrolling each
into view, since the gallery lazy-loads), saves a full-page screenshot and
prints a JSON list [{"src", "naturalWidth", "complete"}] on stdout. Exits
non-zero if the page does not load within the time limits.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 60

WAIT_FOR_IMAGES = """
(async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) {
    img.scrollIntoView();
    await new Promise(r => requestAnimationFrame(() => r()));
  }
  await Promise.all(imgs.map(img => (img.complete && img.naturalWidth > 0)
      ? null
      : new Promise(r => {
          img.addEventListener('load', r, {once: true});
          img.addEventListener('error', r, {once: true});
          setTimeout(r, 30000);
        })));
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  window.scrollTo(0, 0);
  // Let the decoded images reach the screen before the screenshot.
  for (let i = 0; i < 3; ++i) {
    await new Promise(r => requestAnimationFrame(() => r()));
  }
  await new Promise(r => setTimeout(r, 500));
  return imgs.map(i => ({src: i.currentSrc || i.src,
                         naturalWidth: i.naturalWidth,
                         complete: i.complete}));
})()
"""


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            # Move both ends out of the way first, then onto fds 3 and 4.
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            a2, b2 = os.dup2(a, 100), os.dup2(b, 101)
            os.dup2(a2, 3)
            os.dup2(b2, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-quic", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--disable-dev-shm-usage", "--user-data-dir=" + profile,
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=child_fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=TIMEOUT_S):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name, session, timeout=TIMEOUT_S):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name and e.get("sessionId") == session:
                    del self.events[i]
                    return e
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    chromium, url, shot = sys.argv[1:4]
    profile = tempfile.mkdtemp(prefix="drive-chromium-")
    browser = Browser(chromium, profile)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})
        session = browser.call("Target.attachToTarget",
                               {"targetId": target["targetId"],
                                "flatten": True})["sessionId"]
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": 900, "deviceScaleFactor": 1,
                      "mobile": False}, session)
        browser.call("Page.enable", session=session)
        browser.call("Page.navigate", {"url": url}, session)
        browser.wait_event("Page.loadEventFired", session)
        result = browser.call("Runtime.evaluate",
                              {"expression": WAIT_FOR_IMAGES,
                               "awaitPromise": True, "returnByValue": True},
                              session)
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"]))
        images = result["result"]["value"]
        png = browser.call("Page.captureScreenshot",
                           {"format": "png", "captureBeyondViewport": True},
                           session)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png["data"]))
        print(json.dumps(images))
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
