"""A merchant backend's own test suite, as a team would write it for its
CI: the community SDK `wechatpayv3` (PyPI) for every WeChat Pay call and
notification, and the sandbox's test helpers (`/sandbox/v1/test-helpers/…`,
`qianbao-sandbox trigger`) instead of a person with a browser — no
browser anywhere. It covers a payment, NOTENOUGH, PAYERROR, the payer
leaving, expiry, and refunds that succeed on the clock or go ABNORMAL.

    python merchant_ci.py path/to/qianbao-sandbox
"""

import datetime
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import merchant  # tests/sdk/merchant.py: the SDK as a backend constructs it
from wechatpayv3_native import Sandbox, free_port
import wechatpayv3_native

# How long a notification may take to arrive before the test fails: a
# bound for a stuck sandbox, not a wait (each test waits for the event).
PATIENCE = 120


class Backend:
    """The merchant's notify_url: each notification verified and decrypted
    by the SDK's own `callback`, answered 200, queued for the tests."""

    def __init__(self, pay, port):
        self.events = queue.Queue()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                result = pay.callback({k: v for k, v in self.headers.items()}, body)
                backend.events.put(result)
                self.send_response(200 if result else 400)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, event_type, number):
        """The next notification of `event_type` about `number` (the
        out_refund_no of a refund's, the out_trade_no of a payment's); the
        others are kept for later."""
        key = "out_refund_no" if event_type.startswith("REFUND") else "out_trade_no"
        kept = []
        try:
            while True:
                event = self.events.get(timeout=PATIENCE)
                if event and event["event_type"] == event_type and event["resource"].get(key) == number:
                    return event
                kept.append(event)
        finally:
            for event in kept:
                self.events.put(event)


class MerchantCI(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.sandbox = Sandbox(os.path.join(cls.dir.name, "ci.db"))
        cls.port = free_port()
        cls.notify_url = f"http://127.0.0.1:{cls.port}/notify"
        cls.c = cls.add("CI 商户")
        cls.other = cls.add("别家商户")
        cls.sandbox.start()
        cls.pay = merchant.client(cls.c, cls.sandbox.url, notify_url=cls.notify_url)
        cls.backend = Backend(cls.pay, cls.port)

    @classmethod
    def add(cls, name):
        out = subprocess.run(
            [wechatpayv3_native.BINARY, "merchant", "add", "--name", name,
             "--notify-url", cls.notify_url, "--redirect-domain", "127.0.0.1:9",
             "--db", cls.sandbox.db, "--public-url", cls.sandbox.url],
            check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.backend.server.shutdown()
        cls.sandbox.stop()
        cls.dir.cleanup()

    def helper(self, name, body, token=None):
        token = self.c["test_helpers_token"] if token is None else token
        request = urllib.request.Request(
            f"{self.sandbox.url}/sandbox/v1/test-helpers/{name}", data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def person(self, change):
        status, person = self.helper("people", {"change": change})
        self.assertEqual(status, 200, person)
        return person

    def order(self, no, total=1999, **extra):
        code, body = self.pay.pay(description="CI 测试商品", out_trade_no=no, amount={"total": total}, **extra)
        self.assertEqual(code, 200, body)

    def state(self, no):
        code, body = self.pay.query(out_trade_no=no)
        self.assertEqual(code, 200, body)
        return json.loads(body)

    def paid(self, no, total=1999):
        self.order(no, total)
        status, paid = self.helper("pay", {"out_trade_no": no, "openid": self.person(10_000)["openid"]})
        self.assertEqual((status, paid["result"]), (200, "SUCCESS"), paid)
        self.backend.next("TRANSACTION.SUCCESS", no)

    def test_a_payment_is_notified_and_queried_with_the_persons_openid(self):
        someone = self.person(10_000)
        self.assertRegex(someone["openid"], r"^o[0-9a-f]{27}$")
        self.order("CI00000001")
        status, paid = self.helper("pay", {"out_trade_no": "CI00000001", "openid": someone["openid"]})
        self.assertEqual((status, paid["result"], paid["trade_state"]), (200, "SUCCESS", "SUCCESS"), paid)
        told = self.backend.next("TRANSACTION.SUCCESS", "CI00000001")["resource"]
        self.assertEqual((told["trade_state"], told["amount"]["total"], told["payer"]["openid"]),
                         ("SUCCESS", 1999, someone["openid"]))
        self.assertEqual(told["transaction_id"], paid["transaction_id"])
        self.assertEqual(self.state("CI00000001")["trade_state"], "SUCCESS")
        # The same helper call again pays once.
        again = self.helper("pay", {"out_trade_no": "CI00000001", "openid": someone["openid"]})[1]
        self.assertEqual((again["result"], again["transaction_id"]), ("SUCCESS", paid["transaction_id"]))

    def test_notenough_payerror_and_the_payer_leaving(self):
        poor = self.person(0)
        self.order("CI00000002")
        _, answer = self.helper("pay", {"out_trade_no": "CI00000002", "openid": poor["openid"]})
        self.assertEqual((answer["result"], answer["trade_state"]), ("NOTENOUGH", "USERPAYING"))
        self.order("CI00000003")
        rich = self.person(10_000)
        _, answer = self.helper("pay", {"out_trade_no": "CI00000003", "openid": rich["openid"], "outcome": "PAYERROR"})
        self.assertEqual(answer["result"], "PAYERROR")
        self.assertEqual(self.state("CI00000003")["trade_state"], "PAYERROR")
        _, answer = self.helper("pay", {"out_trade_no": "CI00000003", "openid": rich["openid"]})
        self.assertEqual(answer["result"], "SUCCESS", "paying again after PAYERROR works")
        self.order("CI00000004")
        _, answer = self.helper("pay", {"out_trade_no": "CI00000004", "openid": rich["openid"], "outcome": "CANCEL"})
        self.assertEqual((answer["result"], answer["trade_state"]), ("CANCELLED", "NOTPAY"))

    def test_an_order_expires_when_the_clock_moves_on(self):
        cst = datetime.timezone(datetime.timedelta(hours=8))
        expire = (datetime.datetime.now(cst) + datetime.timedelta(minutes=5)).isoformat(timespec="seconds")
        self.order("CI00000005", time_expire=expire)
        self.assertEqual(self.state("CI00000005")["trade_state"], "NOTPAY")
        status, moved = self.helper("clock", {"advance_secs": 600})
        self.assertEqual(status, 200, moved)
        self.assertEqual(self.state("CI00000005")["trade_state"], "CLOSED")
        _, answer = self.helper("pay", {"out_trade_no": "CI00000005", "openid": self.person(10_000)["openid"]})
        self.assertEqual(answer["result"], "ORDER_CLOSED")

    def test_a_refund_succeeds_on_the_clock_or_goes_abnormal(self):
        self.paid("CI00000006")
        code, body = self.pay.refund(out_refund_no="RCI0000061", out_trade_no="CI00000006",
                                     amount={"refund": 500, "total": 1999, "currency": "CNY"})
        self.assertEqual((code, json.loads(body)["status"]), (200, "PROCESSING"))
        self.helper("clock", {"advance_secs": 60})
        told = self.backend.next("REFUND.SUCCESS", "RCI0000061")
        self.assertEqual((told["summary"], told["resource"]["refund_status"], told["resource"]["amount"]["refund"]),
                         ("退款成功", "SUCCESS", 500))
        # The next one the test decides: ABNORMAL, then CLOSED (the money
        # back with the merchant, refundable again).
        code, body = self.pay.refund(out_refund_no="RCI0000062", out_trade_no="CI00000006",
                                     amount={"refund": 1499, "total": 1999, "currency": "CNY"})
        self.assertEqual(code, 200, body)
        status, decided = self.helper("refund", {"out_refund_no": "RCI0000062", "status": "ABNORMAL"})
        self.assertEqual((status, decided["status"]), (200, "ABNORMAL"), decided)
        self.assertEqual(self.backend.next("REFUND.ABNORMAL", "RCI0000062")["resource"]["refund_status"], "ABNORMAL")
        code, body = self.pay.query_refund(out_refund_no="RCI0000062")
        self.assertEqual(json.loads(body)["status"], "ABNORMAL")
        self.helper("refund", {"out_refund_no": "RCI0000062", "status": "CLOSED"})
        self.backend.next("REFUND.CLOSED", "RCI0000062")
        status, ended = self.helper("refund", {"out_refund_no": "RCI0000062", "status": "SUCCESS"})
        self.assertEqual((status, ended["code"]), (409, "W-REFUND-ENDED"))
        code, body = self.pay.refund(out_refund_no="RCI0000063", out_trade_no="CI00000006",
                                     amount={"refund": 1499, "total": 1999, "currency": "CNY"})
        self.assertEqual(code, 200, "what the closed refund held is refundable again")

    def test_a_jsapi_order_is_paid_by_its_own_payer_only(self):
        payer, stranger = self.person(10_000), self.person(10_000)
        jsapi = merchant.client(self.c, self.sandbox.url, notify_url=self.notify_url,
                                wechatpay_type=merchant.WeChatPayType.JSAPI)
        code, body = jsapi.pay(description="公众号商品", out_trade_no="CI00000007", amount={"total": 100},
                               payer={"openid": payer["openid"]}, pay_type=merchant.WeChatPayType.JSAPI)
        self.assertEqual(code, 200, body)
        _, answer = self.helper("pay", {"out_trade_no": "CI00000007", "openid": stranger["openid"]})
        self.assertEqual(answer["result"], "OPENID_MISMATCH")
        _, answer = self.helper("pay", {"out_trade_no": "CI00000007"})
        self.assertEqual(answer["result"], "SUCCESS", "the order's own payer")

    def test_only_the_merchants_own_token_opens_the_helpers(self):
        self.order("CI00000008")
        openid = self.person(10_000)["openid"]
        status, body = self.helper("pay", {"out_trade_no": "CI00000008", "openid": openid}, token="")
        self.assertEqual((status, body["code"]), (401, "UNAUTHORIZED"))
        forged = self.c["test_helpers_token"][:-1] + ("0" if self.c["test_helpers_token"][-1] != "0" else "1")
        self.assertEqual(self.helper("clock", {"advance_secs": 1}, token=forged)[0], 401)
        # Another merchant's token acts for that merchant: not our order.
        status, body = self.helper("pay", {"out_trade_no": "CI00000008", "openid": openid},
                                   token=self.other["test_helpers_token"])
        self.assertEqual((status, body["code"]), (404, "ORDER_NOT_EXIST"))
        self.assertEqual(self.state("CI00000008")["trade_state"], "NOTPAY")

    def test_the_command_line_triggers_the_same_helpers(self):
        cli = [wechatpayv3_native.BINARY, "trigger", "--url", self.sandbox.url]
        done = subprocess.run(cli + ["--token", self.c["test_helpers_token"], "people", '{"change": 100}'],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["change"], 100)
        refused = subprocess.run(cli + ["--token", "qbth_1900000000_0", "clock", '{"advance_secs": 1}'],
                                 capture_output=True, text=True)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("UNAUTHORIZED", refused.stderr)


class Probed:
    """A merchant backend's notify_url for 「接入检查」, in one of three
    ways: `naive` acknowledges everything; `sdk` verifies with the SDK's
    own `callback` only; `verifying` also refuses a timestamp more than
    five minutes off, as WeChat's docs ask (wechatpayv3's callback does
    not look at it)."""

    def __init__(self, way, port):
        self.way = way
        self.pay = None
        probed = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k: v for k, v in self.headers.items()}
                status = 200
                if probed.way != "naive":
                    try:
                        ok = probed.pay.callback(headers, body) is not None
                    except Exception:  # the SDK raises on what it cannot read
                        ok = False
                    stamp = int(headers.get("Wechatpay-Timestamp", "0") or 0)
                    if probed.way == "verifying" and abs(time.time() - stamp) > 300:
                        ok = False
                    status = 200 if ok else 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class IntegrationCheck(unittest.TestCase):
    """「接入检查」 against three backends written for the test: the report
    tells them apart, probe by probe."""

    WRONG = {"signtest", "forged", "stale", "unknown_serial", "tampered"}

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.sandbox = Sandbox(os.path.join(cls.dir.name, "check.db"))
        cls.backends = {}
        for way in ("naive", "sdk", "verifying"):
            port = free_port()
            out = subprocess.run(
                [wechatpayv3_native.BINARY, "merchant", "add", "--name", f"{way} 商户",
                 "--notify-url", f"http://127.0.0.1:{port}/notify", "--redirect-domain", "127.0.0.1:9",
                 "--db", cls.sandbox.db, "--public-url", cls.sandbox.url],
                check=True, capture_output=True, text=True)
            backend = Probed(way, port)
            backend.credentials = json.loads(out.stdout)
            backend.pay = merchant.client(backend.credentials, cls.sandbox.url)
            cls.backends[way] = backend
        cls.sandbox.start()

    @classmethod
    def tearDownClass(cls):
        for backend in cls.backends.values():
            backend.server.shutdown()
        cls.sandbox.stop()
        cls.dir.cleanup()

    def check(self, way):
        done = subprocess.run(
            [wechatpayv3_native.BINARY, "check", "--url", self.sandbox.url,
             "--mchid", self.backends[way].credentials["mchid"]],
            capture_output=True, text=True)
        report = json.loads(done.stdout)
        failed = {p["probe"] for p in report["probes"] if not p["passed"]}
        return done.returncode, failed, report

    def test_a_backend_that_verifies_everything_passes(self):
        code, failed, report = self.check("verifying")
        self.assertEqual((code, failed), (0, set()), report)
        answers = {p["probe"]: p["status"] for p in report["probes"]}
        self.assertEqual((answers["valid"], answers["duplicate"], answers["forged"]), (200, 200, 401))

    def test_a_backend_that_verifies_nothing_fails_every_wrong_probe(self):
        code, failed, report = self.check("naive")
        self.assertEqual((code, failed), (1, self.WRONG), report)

    def test_the_sdks_callback_alone_takes_a_stale_notification(self):
        code, failed, report = self.check("sdk")
        self.assertEqual((code, failed), (1, {"stale"}), report)

    def test_no_probe_for_a_merchant_that_is_not_there(self):
        done = subprocess.run(
            [wechatpayv3_native.BINARY, "check", "--url", self.sandbox.url, "--mchid", "1900000000"],
            capture_output=True, text=True)
        self.assertEqual(done.returncode, 1)
        self.assertIn("404", done.stderr)


if __name__ == "__main__":
    wechatpayv3_native.BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
