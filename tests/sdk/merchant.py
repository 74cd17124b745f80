"""A merchant's backend built on the community SDK `wechatpayv3` (PyPI),
as a command for other tests to drive (tests/e2e/specs/sandbox.test.mjs):

    merchant.py CREDENTIALS.json SANDBOX_URL call NAME '{"kwarg": …}'
        One SDK call (pay, query, close, refund, query_refund); prints
        {"code": …, "body": …} as one JSON line.
    merchant.py CREDENTIALS.json SANDBOX_URL listen PORT [FAIL_FIRST]
        The merchant's notify_url on 127.0.0.1:PORT. Each notification is
        checked and decrypted by the SDK's own `callback`; answered 500 for
        the first FAIL_FIRST ones, then 200; one JSON line per attempt.
        Its GET /oauth/callback is the app's 网页授权 redirect_uri: each
        visit is a line with the `code` (or none, on 拒绝) and `state`.
        Its GET /jsapi is the merchant's own page, with the sandbox's JS
        bridge (/sandbox/v1/jsbridge.js) in it.
    merchant.py CREDENTIALS.json SANDBOX_URL paysign '["appId", "timeStamp", "nonceStr", "package"]'
        The paySign the SDK makes for the JS bridge (SHA256-RSA by the
        merchant's key); prints {"paySign": …}.
    merchant.py CREDENTIALS.json SANDBOX_URL load CLIENTS PREFIX
        CLIENTS threads, each with an SDK client of its own, creating a
        native order and querying it, over and over, until a line `stop`
        arrives on stdin. A call that gets no answer (the sandbox down) is
        sent again, the same request, until one comes: a client that
        retries. One line per order whose creation was answered 200
        ({"event": "created", "no": …}), one per query that did not show
        the order as created, then {"event": "done", …} with the counts.
    merchant.py CREDENTIALS.json SANDBOX_URL oauth NAME '{"kwarg": …}'
        One call of the community SDK `wechatpy`'s WeChatOAuth (its
        API_BASE_URL and OAUTH_BASE_URL pointed at the sandbox):
        authorize_url, fetch_access_token, refresh_access_token,
        get_user_info, check_access_token; prints {"ok": …} or the
        {"errcode", "errmsg"} the SDK raised.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from urllib.parse import parse_qs, urlparse

from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth
from wechatpayv3 import WeChatPay, WeChatPayType


def client(c, url, **overrides):
    """The SDK for merchant `c` (the credentials `merchant add` printed), in
    微信支付公钥 mode unless `overrides` say otherwise, its gateway `url`."""
    args = dict(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=c["mchid"],
        private_key=c["merchant_private_key_pem"],
        cert_serial_no=c["merchant_serial_no"],
        appid=c["appid"],
        apiv3_key=c["apiv3_key"],
        notify_url=None,
        public_key=c["platform_public_key_pem"],
        public_key_id=c["platform_serial_no"],
    )
    args.update(overrides)
    pay = WeChatPay(**args)
    pay._core._gate_way = url
    return pay


EMITTING = threading.Lock()


def emit(value):
    """One JSON line, whole, whichever thread prints it."""
    line = json.dumps(value, ensure_ascii=False)
    with EMITTING:
        print(line, flush=True)


def call(pay, name, kwargs):
    if "pay_type" in kwargs:
        kwargs["pay_type"] = WeChatPayType[kwargs["pay_type"]]
    code, body = getattr(pay, name)(**kwargs)
    if isinstance(body, bytes):
        body = body.decode()
    try:
        body = json.loads(body) if body else None
    except ValueError:
        pass
    emit({"code": code, "body": body})


JSAPI_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>商户的公众号页面</title>
<script src="{sandbox}/sandbox/v1/jsbridge.js"></script></head>
<body><h1>商户的公众号页面</h1><p id="result"></p></body></html>"""


def listen(pay, port, fail_first, sandbox_url=""):
    lock = threading.Lock()
    seen = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k: v for k, v in self.headers.items()}
            try:
                result = pay.callback(headers, body)
            except Exception as error:  # the SDK raises on what it cannot read
                result = None
                emit({"event": "error", "error": str(error)})
            with lock:
                seen["n"] += 1
                attempt = seen["n"]
            status = 500 if attempt <= fail_first else 200
            if result is None:
                status = 400
            emit({"event": "notification", "attempt": attempt, "verified": result is not None,
                  "answered": status, "notification": result})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            answer = b'{"code":"FAIL","message":"try again"}' if status != 200 else b""
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/jsapi":
                # The merchant's own page, with the sandbox's JS bridge in it.
                page = JSAPI_PAGE.replace("{sandbox}", sandbox_url).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                return
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            emit({"event": "oauth", "path": url.path, "code": query.get("code"), "state": query.get("state")})
            answer = "授权结果已收到".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    emit({"event": "listening", "port": server.server_address[1]})
    server.serve_forever()


def load(c, url, clients, prefix):
    stop = threading.Event()
    counts = {"created": 0, "queried": 0, "retried": 0, "wrong": 0}
    lock = threading.Lock()

    def answered(call):
        """The call's answer, sent again while none comes."""
        while True:
            try:
                return call()
            except Exception:  # no answer: connection refused or reset
                with lock:
                    counts["retried"] += 1
                if stop.is_set() and counts["retried"] > 10_000:
                    raise
                threading.Event().wait(0.05)

    def worker(t):
        pay = client(c, url)
        i = 0
        while not stop.is_set():
            no = f"{prefix}{t:02d}X{i:06d}"
            i += 1
            code, body = answered(lambda: pay.pay(
                description="团队压测", out_trade_no=no, amount={"total": 100},
                notify_url="http://127.0.0.1:9/notify"))
            if code != 200:
                with lock:
                    counts["wrong"] += 1
                emit({"event": "refused", "no": no, "code": code, "body": str(body)[:200]})
                continue
            emit({"event": "created", "no": no})
            code, body = answered(lambda: pay.query(out_trade_no=no))
            state = json.loads(body).get("trade_state") if code == 200 else None
            with lock:
                counts["created"] += 1
                counts["queried"] += 1
                if state != "NOTPAY":
                    counts["wrong"] += 1
            if state != "NOTPAY":
                emit({"event": "query", "no": no, "code": code, "state": state})

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(clients)]
    for thread in threads:
        thread.start()
    emit({"event": "loading", "clients": clients})
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()
    for thread in threads:
        thread.join()
    emit({"event": "done", **counts})


def oauth(credentials, url, name, kwargs):
    c = json.load(open(credentials))
    client = WeChatOAuth(c["appid"], kwargs.pop("secret", c["appsecret"]),
                         kwargs.pop("redirect_uri", ""), scope=kwargs.pop("scope", "snsapi_userinfo"),
                         state=kwargs.pop("state", ""))
    client.API_BASE_URL = url + "/"
    client.OAUTH_BASE_URL = url + "/connect/"
    try:
        attribute = getattr(client, name)
        result = attribute(**kwargs) if callable(attribute) else attribute
        emit({"ok": result})
    except WeChatOAuthException as error:
        emit({"errcode": error.errcode, "errmsg": error.errmsg})


if __name__ == "__main__":
    credentials, url, command = sys.argv[1:4]
    pay = client(json.load(open(credentials)), url)
    if command == "oauth":
        oauth(credentials, url, sys.argv[4], json.loads(sys.argv[5]))
    elif command == "call":
        call(pay, sys.argv[4], json.loads(sys.argv[5]))
    elif command == "load":
        load(json.load(open(credentials)), url, int(sys.argv[4]), sys.argv[5])
    elif command == "listen":
        listen(pay, int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 0, url)
    elif command == "paysign":
        # The paySign a merchant's backend gives its page for the JS bridge.
        emit({"paySign": pay.sign(json.loads(sys.argv[4]))})
    else:
        sys.exit(f"unknown command {command}")
