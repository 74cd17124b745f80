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

    def test_faults_of_its_own_meet_only_this_merchants_calls(self):
        self.order("CI00000009")
        stranger = merchant.client(self.other, self.sandbox.url)
        status, set_ = self.helper("faults", {"network": 1, "limited": 1, "busy": 1})
        self.assertEqual((status, set_), (200, {"network": 1, "limited": 1, "busy": 1}), set_)
        # Another merchant's calls (on the same sandbox) meet none of them.
        code, body = stranger.query(out_trade_no="CI00000009")
        self.assertEqual((code, json.loads(body)["code"]), (404, "ORDER_NOT_EXIST"))
        answers = [self.pay.query(out_trade_no="CI00000009") for _ in range(4)]
        self.assertEqual([code for code, _ in answers], [504, 429, 500, 200], answers)
        self.assertFalse(answers[0][1], "no answer at all")
        self.assertEqual([json.loads(b)["code"] for _, b in answers[1:3]], ["FREQUENCY_LIMITED", "SYSTEM_ERROR"])
        status, body = self.helper("faults", {"busy": 101})
        self.assertEqual((status, body["code"]), (400, "PARAM_ERROR"))

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


class Bills(unittest.TestCase):
    """下载账单 as a backend reconciles: a day of payments and partial
    refunds, the bill asked for once the day's bill is made (09:00 the next
    day, on the sandbox's clock), downloaded with a signed request, checked
    against its SHA-1 and against what the backend's own queries say."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.sandbox = Sandbox(os.path.join(cls.dir.name, "bills.db"))
        cls.port = free_port()
        cls.notify_url = f"http://127.0.0.1:{cls.port}/notify"
        cls.c = MerchantCI.add.__func__(cls, "账单商户")
        cls.other = MerchantCI.add.__func__(cls, "别家商户")
        cls.sandbox.start()
        cls.pay = merchant.client(cls.c, cls.sandbox.url, notify_url=cls.notify_url)
        cls.stranger = merchant.client(cls.other, cls.sandbox.url)
        cls.backend = Backend(cls.pay, cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.backend.server.shutdown()
        cls.sandbox.stop()
        cls.dir.cleanup()

    helper = MerchantCI.helper
    person = MerchantCI.person
    order = MerchantCI.order
    paid = MerchantCI.paid
    state = MerchantCI.state

    def refunded(self, no, out_refund_no, amount, total):
        code, body = self.pay.refund(out_refund_no=out_refund_no, out_trade_no=no,
                                     amount={"refund": amount, "total": total, "currency": "CNY"})
        self.assertEqual(code, 200, body)
        status, ended = self.helper("refund", {"out_refund_no": out_refund_no, "status": "SUCCESS"})
        self.assertEqual((status, ended["status"]), (200, "SUCCESS"), ended)
        self.backend.next("REFUND.SUCCESS", out_refund_no)
        code, body = self.pay.query_refund(out_refund_no=out_refund_no)
        return json.loads(body)

    def bill(self, query):
        code, body = self.pay._core.request(f"/v3/bill/tradebill?{query}")
        return code, json.loads(body)

    def download(self, answer, client=None):
        code, content = (client or self.pay).download_bill(answer["download_url"])
        return code, content

    def lines(self, content, gzipped):
        import gzip
        import hashlib
        raw = gzip.decompress(content) if gzipped else content
        text = raw.decode("utf-8")
        rows = text.rstrip("\n").split("\n")
        return hashlib.sha1(raw).hexdigest(), rows[0].split(","), [r.split(",") for r in rows[1:]]

    def test_a_days_bill_reconciles_to_the_fen(self):
        self.paid("BILL000001", 2500)
        self.paid("BILL000002", 1999)
        self.order("BILL000003", 800)  # never paid: not in the bill
        day = self.state("BILL000001")["success_time"][:10]
        one = self.refunded("BILL000001", "RBILL00011", 1000, 2500)
        two = self.refunded("BILL000002", "RBILL00021", 500, 1999)
        # The day's bill is not made until 09:00 the next day.
        self.assertEqual(self.bill(f"bill_date={day}"), (400, {"code": "STATEMENT_CREATING", "message": "账单生成中"}))
        status, _ = self.helper("clock", {"advance_secs": 33 * 3600})
        self.assertEqual(status, 200)

        code, body = self.pay.trade_bill(bill_date=day)  # the SDK's default: ALL, GZIP
        self.assertEqual(code, 200, body)
        answer = json.loads(body)
        self.assertEqual(answer["hash_type"], "SHA1")
        code, content = self.download(answer)
        self.assertEqual(code, 200, content)
        digest, header, rows = self.lines(content, gzipped=True)
        self.assertEqual(digest, answer["hash_value"], "the file is the one the hash names")
        self.assertEqual(len(header), 27)
        self.assertEqual(header[:6] + header[-4:], ["交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号",
                                                    "费率", "订单金额", "申请退款金额", "费率备注"])
        details, totals = rows[:-2], rows[-1]
        self.assertEqual(rows[-2][0], "总交易单数")
        self.assertTrue(all(f.startswith("`") for r in details + [totals] for f in r))
        cells = [[f[1:] for f in r] for r in details]
        col = {name: i for i, name in enumerate(header)}
        by = {(r[col["商户订单号"]], r[col["交易状态"]]): r for r in cells}
        self.assertEqual(sorted(by), [("BILL000001", "REFUND"), ("BILL000001", "SUCCESS"),
                                      ("BILL000002", "REFUND"), ("BILL000002", "SUCCESS")])
        for no, total in (("BILL000001", "25.00"), ("BILL000002", "19.99")):
            queried = self.state(no)
            row = by[(no, "SUCCESS")]
            self.assertEqual([row[col["微信订单号"]], row[col["用户标识"]], row[col["应结订单金额"]], row[col["订单金额"]],
                              row[col["商户号"]], row[col["交易类型"]]],
                             [queried["transaction_id"], queried["payer"]["openid"], total, total,
                              self.c["mchid"], "NATIVE"])
        for no, refund, amount in (("BILL000001", one, "10.00"), ("BILL000002", two, "5.00")):
            row = by[(no, "REFUND")]
            self.assertEqual([row[col["微信退款单号"]], row[col["商户退款单号"]], row[col["退款金额"]],
                              row[col["申请退款金额"]], row[col["应结订单金额"]], row[col["退款状态"]]],
                             [refund["refund_id"], refund["out_refund_no"], amount, amount, "0.00", "SUCCESS"])
        # The totals are the rows': 44.99 settled, 15.00 refunded.
        self.assertEqual([f[1:] for f in totals], ["4", "44.99", "15.00", "0.00", "0.00000", "44.99", "15.00"])

        # SUCCESS (unzipped): the payments only; REFUND: the refunds, with
        # when each was asked for and when it succeeded.
        code, answer = self.bill(f"bill_date={day}&bill_type=SUCCESS")
        self.assertEqual(code, 200, answer)
        _, content = self.download(answer)
        digest, header, rows = self.lines(content, gzipped=False)
        self.assertEqual((digest, len(header), len(rows)), (answer["hash_value"], 20, 4))
        code, answer = self.bill(f"bill_date={day}&bill_type=REFUND")
        _, content = self.download(answer)
        _, header, rows = self.lines(content, gzipped=False)
        self.assertEqual((header[14:16], len(rows), rows[-1][2]), (["退款申请时间", "退款成功时间"], 4, "`15.00"))

        # Another merchant cannot download it; an altered URL is refused;
        # so is one asked for more than five minutes ago.
        code, answer = self.bill(f"bill_date={day}")
        code, content = self.download(answer, client=self.stranger)
        self.assertEqual((code, json.loads(content)["code"]), (403, "NO_AUTH"))
        altered = dict(answer, download_url=answer["download_url"][:-1] + ("0" if answer["download_url"][-1] != "0" else "1"))
        code, content = self.download(altered)
        self.assertEqual((code, json.loads(content)["code"]), (400, "INVALID_REQUEST"))
        try:
            urllib.request.urlopen(answer["download_url"])
            self.fail("an unsigned download was answered")
        except urllib.error.HTTPError as error:
            self.assertEqual(error.code, 401)
        self.helper("clock", {"advance_secs": 6 * 60})
        code, content = self.download(answer)
        self.assertEqual((code, json.loads(content)["code"]), (400, "INVALID_REQUEST"))

    def test_days_without_a_bill(self):
        cst = datetime.timezone(datetime.timedelta(hours=8))
        today = datetime.datetime.now(cst).date()
        ago = (today - datetime.timedelta(days=3)).isoformat()
        code, body = self.bill(f"bill_date={ago}")
        self.assertEqual((code, body["code"]), (400, "NO_STATEMENT_EXIST"))
        for query, expected in ((f"bill_date={(today + datetime.timedelta(days=9)).isoformat()}", "INVALID_REQUEST"),
                                (f"bill_date={(today - datetime.timedelta(days=200)).isoformat()}", "INVALID_REQUEST"),
                                ("bill_date=2026-13-01", "PARAM_ERROR"), ("bill_type=ALL", "PARAM_ERROR"),
                                (f"bill_date={ago}&bill_type=ALL_SPECIAL", "PARAM_ERROR"),
                                (f"bill_date={ago}&tar_type=None", "PARAM_ERROR")):
            code, body = self.bill(query)
            self.assertEqual((code, body["code"]), (400, expected), query)


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
