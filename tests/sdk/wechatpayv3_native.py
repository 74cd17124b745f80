"""A merchant's backend, written with the community SDK `wechatpayv3`
(PyPI, 2.0.4: none of its signing is ours), against the Qianbao Sandbox.

It starts the real `qianbao-sandbox` binary on a free port with a new
SQLite file, registers two merchants with `merchant add`, and constructs
the SDK in 微信支付公钥 mode (`public_key` / `public_key_id`) with its
gateway pointed at the sandbox. Every 2xx answer the SDK accepts has had
its `Wechatpay-Signature` verified by the SDK against the platform key.

    python wechatpayv3_native.py path/to/qianbao-sandbox
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives import serialization
from wechatpayv3 import WeChatPayType

import merchant  # tests/sdk/merchant.py: the same SDK construction

BINARY = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sandbox:
    """The sandbox binary, started and stopped; its state in `db`."""

    def __init__(self, db):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def merchant_add(self, name):
        out = subprocess.run(
            [BINARY, "merchant", "add", "--name", name,
             "--notify-url", "http://127.0.0.1:9/notify",
             "--redirect-domain", "127.0.0.1:9",
             "--db", self.db, "--public-url", self.url],
            check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    def start(self):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--addr", f"127.0.0.1:{self.port}", "--db", self.db],
            stderr=subprocess.PIPE, text=True)
        # Wait for the state "accepting connections", not for a duration.
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"sandbox exited: {self.process.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.process.stderr.close()


def client(sandbox, c, **overrides):
    return merchant.client(c, sandbox.url, notify_url="http://127.0.0.1:9/notify", **overrides)


class NativePayment(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.sandbox = Sandbox(os.path.join(cls.dir.name, "sandbox.db"))
        cls.a = cls.sandbox.merchant_add("甲商户")
        cls.b = cls.sandbox.merchant_add("乙商户")
        cls.sandbox.start()
        cls.pay = client(cls.sandbox, cls.a)

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.stop()
        cls.dir.cleanup()

    def test_credentials_are_what_a_merchant_needs(self):
        c = self.a
        self.assertRegex(c["mchid"], r"^19\d{8}$")
        self.assertRegex(c["appid"], r"^wx[0-9a-f]{16}$")
        self.assertRegex(c["appsecret"], r"^[0-9a-f]{32}$")
        self.assertRegex(c["merchant_serial_no"], r"^[0-9A-F]{40}$")
        self.assertEqual(len(c["apiv3_key"]), 32)
        self.assertRegex(c["platform_serial_no"], r"^PUB_KEY_ID_\d{32}$")
        self.assertIn("BEGIN PRIVATE KEY", c["merchant_private_key_pem"])
        self.assertIn("BEGIN PUBLIC KEY", c["platform_public_key_pem"])
        self.assertNotEqual(self.a["mchid"], self.b["mchid"])
        self.assertEqual(self.a["platform_serial_no"], self.b["platform_serial_no"])

    def test_native_order_query_close(self):
        code, body = self.pay.pay(description="沙盒测试商品", out_trade_no="SDK20261202A", amount={"total": 1})
        self.assertEqual(code, 200, body)
        code_url = json.loads(body)["code_url"]
        self.assertEqual(code_url, f"{self.sandbox.url}/wechat/pay?mch={self.a['mchid']}&out_trade_no=SDK20261202A")
        # The same request again: the same code_url, one order.
        self.assertEqual(self.pay.pay(description="沙盒测试商品", out_trade_no="SDK20261202A", amount={"total": 1}), (200, body))
        # The same number for something else.
        code, body = self.pay.pay(description="沙盒测试商品", out_trade_no="SDK20261202A", amount={"total": 2})
        self.assertEqual((code, json.loads(body)["code"]), (403, "OUT_TRADE_NO_USED"))

        code, body = self.pay.query(out_trade_no="SDK20261202A")
        self.assertEqual(code, 200, body)
        order = json.loads(body)
        self.assertEqual(order["trade_state"], "NOTPAY")
        self.assertEqual(order["trade_type"], "NATIVE")
        self.assertEqual(order["amount"]["total"], 1)
        self.assertEqual((order["mchid"], order["appid"]), (self.a["mchid"], self.a["appid"]))

        code, body = self.pay.close(out_trade_no="SDK20261202A")
        self.assertEqual(code, 204, body)
        code, body = self.pay.query(out_trade_no="SDK20261202A")
        self.assertEqual(json.loads(body)["trade_state"], "CLOSED")
        code, body = self.pay.pay(description="沙盒测试商品", out_trade_no="SDK20261202A", amount={"total": 1})
        self.assertEqual((code, json.loads(body)["code"]), (400, "ORDER_CLOSED"))

    def test_refunds_of_an_unpaid_or_unknown_order_are_refused(self):
        self.pay.pay(description="未付订单", out_trade_no="SDK20261202R", amount={"total": 500})
        code, body = self.pay.refund(out_refund_no="RSDK000001", out_trade_no="SDK20261202R",
                                     amount={"refund": 100, "total": 500, "currency": "CNY"})
        self.assertEqual((code, json.loads(body)["code"]), (400, "INVALID_REQUEST"), body)
        code, body = self.pay.query_refund(out_refund_no="RSDK000001")
        self.assertEqual((code, json.loads(body)["code"]), (404, "RESOURCE_NOT_EXISTS"), body)
        code, body = self.pay.refund(out_refund_no="RSDK000002", out_trade_no="NOSUCHORDER1",
                                     amount={"refund": 1, "total": 1, "currency": "CNY"})
        self.assertEqual((code, json.loads(body)["code"]), (404, "RESOURCE_NOT_EXISTS"), body)

    def test_h5_order_needs_its_scene_and_is_queried_as_mweb(self):
        scene = {"payer_client_ip": "203.0.113.7", "h5_info": {"type": "Wap", "app_name": "沙盒", "app_url": "https://shop.example"}}
        code, body = self.pay.pay(description="手机网页下单", out_trade_no="SDK20261207H", amount={"total": 300},
                                  pay_type=WeChatPayType.H5, scene_info=scene)
        self.assertEqual(code, 200, body)
        h5_url = json.loads(body)["h5_url"]
        self.assertRegex(h5_url, rf"^{re.escape(self.sandbox.url)}/wechat/pay\?prepay_id=wx[0-9a-f]{{30}}$")
        code, body = self.pay.query(out_trade_no="SDK20261207H")
        self.assertEqual((code, json.loads(body)["trade_type"], json.loads(body)["trade_state"]), (200, "MWEB", "NOTPAY"), body)
        for bad in [{"h5_info": {"type": "Wap"}}, {"payer_client_ip": "not-an-ip", "h5_info": {"type": "Wap"}},
                    {"payer_client_ip": "203.0.113.7", "h5_info": {"type": "PC"}}]:
            code, body = self.pay.pay(description="手机网页下单", out_trade_no="SDK20261207I", amount={"total": 300},
                                      pay_type=WeChatPayType.H5, scene_info=bad)
            self.assertEqual((code, json.loads(body)["code"]), (400, "PARAM_ERROR"), body)
        code, body = self.pay.query(out_trade_no="SDK20261207I")
        self.assertEqual((code, json.loads(body)["code"]), (404, "ORDER_NOT_EXIST"), body)

    def test_bad_amounts_and_another_merchants_order(self):
        for total in (0, -1):
            code, body = self.pay.pay(description="x", out_trade_no=f"SDKBAD{abs(total)}X", amount={"total": total})
            self.assertEqual((code, json.loads(body)["code"]), (400, "PARAM_ERROR"), body)
        self.pay.pay(description="甲的订单", out_trade_no="SDK20261202B", amount={"total": 3})
        other = client(self.sandbox, self.b)
        code, body = other.query(out_trade_no="SDK20261202B")
        self.assertEqual((code, json.loads(body)["code"]), (404, "ORDER_NOT_EXIST"), body)
        wrong_app = client(self.sandbox, self.a, appid=self.b["appid"])
        code, body = wrong_app.pay(description="x", out_trade_no="SDK20261202C", amount={"total": 1})
        self.assertEqual((code, json.loads(body)["code"]), (400, "APPID_MCHID_NOT_MATCH"), body)

    def test_a_request_signed_with_another_key_is_refused(self):
        impostor = client(self.sandbox, self.a, private_key=self.b["merchant_private_key_pem"])
        code, body = impostor.query(out_trade_no="SDK20261202A")
        self.assertEqual((code, json.loads(body)["code"]), (401, "SIGN_ERROR"), body)

    def test_answers_are_signed_with_the_platform_key(self):
        # An SDK that trusts another key rejects every answer: the
        # signature it checks is real.
        private = serialization.load_pem_private_key(self.b["merchant_private_key_pem"].encode(), None)
        another = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        fooled = client(self.sandbox, self.a, public_key=another)
        self.assertEqual(self.pay.pay(description="验签", out_trade_no="SDK20261202S", amount={"total": 7})[0], 200)
        with self.assertRaisesRegex(Exception, "failed to verify the signature"):
            fooled.query(out_trade_no="SDK20261202S")
        # The same call, trusting the platform key, is accepted.
        self.assertEqual(self.pay.query(out_trade_no="SDK20261202S")[0], 200)

    def test_certificate_mode(self):
        # An SDK without the 微信支付公钥 downloads the platform certificate
        # (GET /v3/certificates, decrypted with its APIv3 key) and verifies
        # every answer with it. The SDK fetches certificates as it is
        # constructed, before its gateway can be pointed at the sandbox: the
        # fetch is put off until then, and nothing else is changed.
        from wechatpayv3.core import Core
        fetch = Core._init_certificates
        Core._init_certificates = lambda core: None
        try:
            pay = client(self.sandbox, self.a, public_key=None, public_key_id=None)
        finally:
            Core._init_certificates = fetch
        pay._core._init_certificates()
        self.assertEqual(len(pay._core._certificates), 1)
        certificate = pay._core._certificates[0]
        self.assertIn("Qianbao Sandbox", certificate.subject.rfc4514_string())
        code, body = pay.pay(description="证书模式", out_trade_no="SDKCERT0001", amount={"total": 8})
        self.assertEqual(code, 200, body)
        code, body = pay.query(out_trade_no="SDKCERT0001")
        self.assertEqual((code, json.loads(body)["trade_state"]), (200, "NOTPAY"))
        # Its public key is the 微信支付公钥 the public-key mode uses.
        from cryptography.hazmat.primitives import serialization as s
        pem = certificate.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo).decode()
        self.assertEqual(pem.strip(), self.a["platform_public_key_pem"].strip())

    def test_zz_state_survives_a_restart(self):
        self.pay.pay(description="重启前", out_trade_no="SDK20261202Z", amount={"total": 42})
        self.sandbox.stop()
        self.sandbox.start()
        code, body = self.pay.query(out_trade_no="SDK20261202Z")
        self.assertEqual(code, 200, body)
        self.assertEqual(json.loads(body)["amount"]["total"], 42)


def cert_mode(sandbox, c):
    """The SDK without the 微信支付公钥: it downloads the platform
    certificates (put off until its gateway points at the sandbox)."""
    from wechatpayv3.core import Core
    fetch = Core._init_certificates
    Core._init_certificates = lambda core: None
    try:
        pay = client(sandbox, c, public_key=None, public_key_id=None)
    finally:
        Core._init_certificates = fetch
    pay._core._init_certificates()
    return pay


class PlatformRotation(unittest.TestCase):
    """The platform key rotated as WeChat Pay rotates it: a new one
    published beside the old, then signing, then the old one retired; an
    SDK on certificates follows by itself, one on the 微信支付公钥 keeps
    working with the key it names until that key is retired."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.sandbox = Sandbox(os.path.join(cls.dir.name, "rotation.db"))
        cls.a = cls.sandbox.merchant_add("轮换商户")
        cls.sandbox.start()

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.stop()
        cls.dir.cleanup()

    def step(self, name):
        request = urllib.request.Request(f"{self.sandbox.url}/sandbox/v1/platform",
                                         data=urllib.parse.urlencode({"step": name}).encode(), method="POST")
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def keys(self):
        with urllib.request.urlopen(f"{self.sandbox.url}/sandbox/v1/platform") as answer:
            return json.loads(answer.read())["keys"]

    def works(self, pay, no):
        code, body = pay.pay(description="轮换", out_trade_no=no, amount={"total": 1})
        self.assertEqual(code, 200, body)
        code, body = pay.query(out_trade_no=no)
        self.assertEqual(code, 200, body)

    def test_a_rotation_from_start_to_retire(self):
        old = client(self.sandbox, self.a)
        cert = cert_mode(self.sandbox, self.a)
        self.assertEqual(len(cert._core._certificates), 1)
        self.works(old, "ROTATE0001")
        self.works(cert, "ROTATE0002")
        # Out of order: nothing to switch to, nothing to retire.
        self.assertEqual(self.step("switch")[0], 409)
        self.assertEqual(self.step("switch")[1]["code"], "NOTHING_TO_SWITCH")
        self.assertEqual(self.step("retire")[1]["code"], "NOTHING_TO_RETIRE")
        # 1. A new key published: both listed, the old one still signing.
        status, body = self.step("start")
        self.assertEqual(status, 200, body)
        self.assertEqual([k["stage"] for k in body["keys"]], ["active", "next"])
        self.assertEqual(self.step("start")[1]["code"], "ROTATION_UNDER_WAY")
        new_key = body["keys"][1]
        self.assertRegex(new_key["public_key_id"], r"^PUB_KEY_ID_\d{32}$")
        self.assertNotEqual(new_key["public_key_id"], self.a["platform_serial_no"])
        cert._core._update_certificates()
        self.assertEqual(len(cert._core._certificates), 2, "/v3/certificates lists both")
        self.works(old, "ROTATE0003")
        self.works(cert, "ROTATE0004")
        # 2. Switched: the new key signs; a backend naming the old key id
        # still gets answers it can verify, one on certificates fetches the
        # new certificate by itself, one given the new key works.
        status, body = self.step("switch")
        self.assertEqual([k["stage"] for k in body["keys"]], ["retiring", "active"])
        self.works(old, "ROTATE0005")
        cert._core._certificates = cert._core._certificates[:1]
        self.works(cert, "ROTATE0006")
        new = client(self.sandbox, self.a, public_key=new_key["public_key_pem"], public_key_id=new_key["public_key_id"])
        self.works(new, "ROTATE0007")
        # 3. The old key retired: gone from the list; a backend still on it
        # cannot verify the answers any more.
        status, body = self.step("retire")
        self.assertEqual([k["stage"] for k in body["keys"]], ["active"])
        self.assertEqual(self.keys()[0]["public_key_id"], new_key["public_key_id"])
        cert._core._update_certificates()
        self.assertEqual(len(cert._core._certificates), 1)
        self.assertEqual(cert._core._certificates[0].serial_number, int(new_key["serial_no"], 16))
        self.works(new, "ROTATE0008")
        self.works(cert, "ROTATE0009")
        with self.assertRaises(Exception):
            old.query(out_trade_no="ROTATE0001")
        # Kept across a restart; a new merchant gets the new key.
        self.sandbox.stop()
        self.sandbox.start()
        self.works(new, "ROTATE0010")
        self.assertEqual(self.sandbox.merchant_add("轮换之后")["platform_serial_no"], new_key["public_key_id"])


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
