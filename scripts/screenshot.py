#!/usr/bin/env python3
"""Screenshot a page of a running Odoo as a given user, with headless Chromium.

    screenshot.py --url http://localhost:8069 --login L --password P --path /odoo/contacts \\
                  --out docs/screenshots/x.png [--lang vi_VN]
    screenshot.py ... --path /odoo/action-crm.crm_lead_action_pipeline --clear-filters   (not just "My Pipeline")
    screenshot.py --url http://localhost:8069 --login-page-only [--out login.png]

Drives Chromium through the Chrome DevTools Protocol with `websocket-client` (in the project's
virtualenv); no Selenium or Playwright. It logs in through the real /web/login form, opens the
path and waits until the web client is idle (no RPC in flight, no loading indicator) before
capturing. `--lang` shows the page in that language: the user's own preference is switched for
the capture and switched back afterwards. `--login-page-only` renders /web/login and checks that
the login form is there.

Exit codes: 0 done, 1 the check failed (no login form, login refused, error dialog), 2 browser
or usage problem.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--mute-audio"]
WIDTH, HEIGHT = 1440, 900
# Something is still loading: Odoo's RPC indicator, a blocked UI, the web client's spinner.
BUSY = ".o_loading_indicator, .o-main-components-container .o_loading, .o_blockUI"
ERROR = ".o_error_dialog, .o_dialog .modal-title.text-danger"
SETTLE_SECONDS = 1.0  # fonts, images and chart animations after the DOM is idle (not a test)


class Failure(Exception):
    """The page is not what was expected (exit code 1)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One headless Chromium with one page, spoken to over the DevTools websocket."""

    def __init__(self, binary: str, timeout: float):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="crm-shot-")
        port = free_port()
        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}",
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.ws = websocket.create_connection(self._page_socket(port), timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Network.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def _page_socket(self, port: int) -> str:
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with code {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as resp:
                    pages = [t for t in json.load(resp) if t.get("type") == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("chromium's DevTools endpoint did not come up within 30 s")

    def call(self, method: str, **params):
        """Send a command and return its result; events received meanwhile are dropped."""
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})

    def evaluate(self, expression: str, await_promise: bool = False):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def navigate(self, url: str) -> None:
        answer = self.call("Page.navigate", url=url)
        if answer.get("errorText"):
            raise RuntimeError(f"cannot open {url}: {answer['errorText']}")

    def wait_for(self, expression: str, what: str) -> None:
        """Poll a JS expression until truthy; navigations in between just retry."""
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:
                pass  # execution context replaced by a navigation
            time.sleep(0.25)
        raise Failure(f"timed out after {self.timeout:.0f} s waiting for {what}")

    def settle(self, ready: str = "true") -> None:
        """Loaded, `ready` holds, nothing busy for three polls in a row, then a short pause."""
        idle = (f"document.readyState === 'complete' && location.href !== 'about:blank' && ({ready}) "
                f"&& !document.querySelector({json.dumps(BUSY)})")
        for _ in range(3):
            self.wait_for(idle, "the page to settle")
            time.sleep(0.3)
        time.sleep(SETTLE_SECONDS)

    def screenshot(self, out: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def rpc(browser: Browser, route: str, params: dict) -> dict:
    """JSON-RPC from inside the page, so with its session cookie."""
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
    answer = browser.evaluate(
        f"fetch({json.dumps(route)}, {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, "
        f"body: {json.dumps(body)}}}).then(r => r.json())", await_promise=True)
    if answer.get("error"):
        raise Failure(f"{route}: {answer['error'].get('data', {}).get('message') or answer['error']}")
    return answer.get("result")


LOGIN_FORM = "form.oe_login_form input[name=login], form.oe_login_form input[name=password]"


def open_login_page(browser: Browser, url: str) -> None:
    browser.navigate(f"{url}/web/login")
    browser.settle()
    if browser.evaluate(f"document.querySelectorAll({json.dumps(LOGIN_FORM)}).length") != 2:
        raise Failure("/web/login shows no login form")


def log_in(browser: Browser, url: str, login: str, password: str) -> None:
    open_login_page(browser, url)
    browser.evaluate(
        "(() => { const form = document.querySelector('form.oe_login_form');"
        f" form.querySelector('input[name=login]').value = {json.dumps(login)};"
        f" form.querySelector('input[name=password]').value = {json.dumps(password)};"
        " form.submit(); })()")
    # either we leave /web/login, or Odoo shows the form again with an error
    browser.wait_for("document.readyState === 'complete' && (location.pathname !== '/web/login' "
                     "|| !!document.querySelector('form.oe_login_form .alert-danger'))", "the login to finish")
    if browser.evaluate("location.pathname") == "/web/login":
        message = browser.evaluate("document.querySelector('form.oe_login_form .alert-danger').innerText.trim()")
        raise Failure(f"login refused for {login}: {message}")


def clear_filters(browser: Browser) -> None:
    """Remove the search facets the action put there by default (e.g. "My Pipeline")."""
    remove = ".o_searchview_facet .o_facet_remove"
    for _ in range(10):
        if not browser.evaluate(f"(b => b ? (b.click(), true) : false)(document.querySelector({json.dumps(remove)}))"):
            return
        browser.settle()


def capture(args: argparse.Namespace, browser: Browser) -> None:
    url = args.url.rstrip("/")
    if args.lang:
        browser.call("Network.setExtraHTTPHeaders", headers={"Accept-Language": args.lang.replace("_", "-")})
    if args.login_page_only:
        open_login_page(browser, url)
        if args.out:
            browser.screenshot(Path(args.out))
        return
    log_in(browser, url, args.login, args.password)
    info = rpc(browser, "/web/session/get_session_info", {})
    own_lang = info["user_context"].get("lang")
    switch = args.lang and args.lang != own_lang
    if switch:  # the backend speaks the user's language: set it for the capture only
        rpc(browser, "/web/dataset/call_kw/res.users/write",
            {"model": "res.users", "method": "write", "args": [[info["uid"]], {"lang": args.lang}], "kwargs": {}})
    try:
        browser.navigate(url + args.path)
        # the web client has mounted an action (or, for non-/odoo pages, there is a body)
        mounted = ".o_action_manager .o_action, .o_action_manager .o_view_controller" \
            if args.path.startswith(("/odoo", "/web")) else "body"
        browser.settle(f"!!document.querySelector({json.dumps(mounted)})")
        if args.clear_filters:
            clear_filters(browser)
        error = browser.evaluate(f"(document.querySelector({json.dumps(ERROR)}) || {{}}).innerText")
        browser.screenshot(Path(args.out))
        if error:
            raise Failure(f"the page shows an error: {' '.join(error.split())[:300]}")
    finally:
        if switch:
            rpc(browser, "/web/dataset/call_kw/res.users/write",
                {"model": "res.users", "method": "write", "args": [[info["uid"]], {"lang": own_lang}], "kwargs": {}})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--login")
    parser.add_argument("--password")
    parser.add_argument("--path", default="/odoo", help="path to open after logging in, e.g. /odoo/contacts")
    parser.add_argument("--out", help="PNG file to write")
    parser.add_argument("--lang", help="language code of the page, e.g. vi_VN or zh_CN")
    parser.add_argument("--clear-filters", action="store_true",
                        help="remove the default search filters of the action before capturing")
    parser.add_argument("--login-page-only", action="store_true", help="render /web/login and check its form")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for each page")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if not args.login_page_only and not (args.login and args.password and args.out):
        parser.error("--login, --password and --out are needed (or --login-page-only)")
    if not args.path.startswith("/"):
        parser.error("--path must start with /")
    if not shutil.which(args.chromium):
        print(f"screenshot.py: chromium not found at {args.chromium} (set --chromium or CHROMIUM_BIN)", file=sys.stderr)
        return 2
    try:
        browser = Browser(args.chromium, args.timeout)
    except (OSError, RuntimeError, websocket.WebSocketException) as exc:
        print(f"screenshot.py: cannot start chromium: {exc}", file=sys.stderr)
        return 2
    try:
        capture(args, browser)
    except Failure as exc:
        print(f"screenshot.py: {exc}", file=sys.stderr)
        return 1
    except (RuntimeError, OSError, websocket.WebSocketException) as exc:
        print(f"screenshot.py: {exc}", file=sys.stderr)
        return 2
    finally:
        browser.close()
    print(f"screenshot.py: {'login page OK' if args.login_page_only else 'captured'}"
          f"{' -> ' + args.out if args.out else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
