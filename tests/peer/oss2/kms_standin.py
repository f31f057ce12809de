"""A stand-in for Alibaba Cloud KMS, for the oss2 suite's `kms_crypto_bucket` only.

Not part of the emulator and not an OSS feature: oss2's `AliKMSProvider` encrypts objects on the
client with data keys it gets from KMS (`kms.<region>.aliyuncs.com`), a service apart from OSS
that no local OSS can have. The suite's KMS bucket stores its objects in the emulator like any
other; only its data keys come from here. `run.py` starts this on a loopback port and
`kms_plugin.py` points aliyunsdkcore's endpoint for product `Kms` at it.

It answers the three RPC actions the SDK calls (API version 2016-01-20), with the JSON fields KMS
answers: `GenerateDataKey` (KeyId, KeyVersionId, Plaintext: the base64 data key, CiphertextBlob),
`Encrypt` (KeyId, KeyVersionId, CiphertextBlob) and `Decrypt` (KeyId, KeyVersionId, Plaintext).
Requests must carry aliyunsdkcore's RPC signature (HMAC-SHA1) made with the configured key, and a
blob decrypts only with the EncryptionContext it was made with.

The wrapping is a TOY (standard library only, no AES): an HMAC-SHA256 keystream XOR with an
HMAC-SHA256 tag, under a master secret drawn per run. It keeps blobs opaque and tamper-evident
for the tests; it is no cryptography to protect anything with.
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

MAX_BODY = 64 * 1024
NONCE = 16
TAG = 32


class Refused(Exception):
    """A KMS error answer: HTTP status, Code, Message."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _percent(text):
    # RFC 3986, as aliyunsdkcore encodes for its RPC signature.
    return quote(text, safe="~")


def rpc_signature(method, params, secret):
    """aliyunsdkcore's RPC signature (SignatureVersion 1.0, HMAC-SHA1) of `params`."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class Keys:
    """Wraps and unwraps blobs under a master secret; every KeyId names a key of its own."""

    def __init__(self):
        self.master = secrets.token_bytes(32)

    def _derive(self, purpose, key_id, context):
        material = b"\0".join([purpose, key_id.encode(), context.encode()])
        return hmac.new(self.master, material, hashlib.sha256).digest()

    def _stream(self, key, nonce, length):
        blocks = (hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
                  for i in range(length // 32 + 1))
        return b"".join(blocks)[:length]

    def seal(self, key_id, context, plaintext):
        """The CiphertextBlob of `plaintext` (bytes): key id, nonce, ciphertext, tag."""
        nonce = secrets.token_bytes(NONCE)
        key = self._derive(b"enc", key_id, context)
        body = bytes(a ^ b for a, b in zip(plaintext, self._stream(key, nonce, len(plaintext))))
        name = key_id.encode()
        head = len(name).to_bytes(2, "big") + name + nonce
        tag = hmac.new(self._derive(b"tag", key_id, context), head + body, hashlib.sha256).digest()
        return base64.b64encode(head + body + tag).decode()

    def open(self, blob, context):
        """The key id and plaintext of a CiphertextBlob made with `context`."""
        try:
            raw = base64.b64decode(blob, validate=True)
            length = int.from_bytes(raw[:2], "big")
            key_id = raw[2:2 + length].decode()
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "InvalidParameter", "The CiphertextBlob is invalid.") from None
        head, body, tag = raw[:2 + length + NONCE], raw[2 + length + NONCE:-TAG], raw[-TAG:]
        expected = hmac.new(self._derive(b"tag", key_id, context), head + body, hashlib.sha256)
        if len(raw) < 2 + length + NONCE + TAG or not hmac.compare_digest(expected.digest(), tag):
            raise Refused(400, "InvalidParameter",
                          "The CiphertextBlob or the EncryptionContext is invalid.")
        key = self._derive(b"enc", key_id, context)
        nonce = head[-NONCE:]
        return key_id, bytes(a ^ b for a, b in zip(body, self._stream(key, nonce, len(body))))


def perform(keys, params):
    """The JSON answer of one action."""
    action = params.get("Action", "")
    context = params.get("EncryptionContext", "")
    if action == "GenerateDataKey":
        key_id = required(params, "KeyId")
        size = int(params.get("NumberOfBytes") or (16 if params.get("KeySpec") == "AES_128" else 32))
        if not 1 <= size <= 1024:
            raise Refused(400, "InvalidParameter", "NumberOfBytes must be 1 to 1024.")
        plaintext = base64.b64encode(secrets.token_bytes(size))
        return {"KeyId": key_id, "KeyVersionId": version(key_id),
                "Plaintext": plaintext.decode(),
                "CiphertextBlob": keys.seal(key_id, context, plaintext)}
    if action == "Encrypt":
        key_id = required(params, "KeyId")
        plaintext = required(params, "Plaintext").encode()
        return {"KeyId": key_id, "KeyVersionId": version(key_id),
                "CiphertextBlob": keys.seal(key_id, context, plaintext)}
    if action == "Decrypt":
        key_id, plaintext = keys.open(required(params, "CiphertextBlob"), context)
        return {"KeyId": key_id, "KeyVersionId": version(key_id), "Plaintext": plaintext.decode()}
    raise Refused(404, "InvalidAction.NotFound",
                  f"The action {action!r} is not one this KMS stand-in performs.")


def required(params, name):
    value = params.get(name)
    if not value:
        raise Refused(400, "MissingParameter", f"The parameter {name} is missing.")
    return value


def version(key_id):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kms-standin:{key_id}"))


class KmsStandIn:
    """The stand-in on a free loopback port, serving from a thread; `stop()` ends it."""

    def __init__(self, access_key_id, access_key_secret):
        keys = Keys()
        credentials = (access_key_id, access_key_secret)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.serve()

            def do_POST(self):
                self.serve()

            def serve(self):
                request_id = str(uuid.uuid4()).upper()
                try:
                    params = self.params()
                    check_signature(self.command, params, credentials)
                    status, answer = 200, perform(keys, params)
                except Refused as refused:
                    status = refused.status
                    answer = {"Code": refused.code, "Message": refused.message,
                              "HostId": "kms-standin"}
                answer["RequestId"] = request_id
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def params(self):
                query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    raise Refused(413, "InvalidParameter", "The request body is too large.")
                form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                query.update(parse_qsl(form, keep_blank_values=True))
                return query

            def log_message(self, *args):
                pass  # quiet: pytest captures nothing of this thread anyway

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def check_signature(method, params, credentials):
    given = params.pop("Signature", None)
    if params.get("AccessKeyId") != credentials[0]:
        raise Refused(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    if given is None or not hmac.compare_digest(
            given, rpc_signature(method, params, credentials[1])):
        raise Refused(400, "IncompleteSignature",
                      "The request signature does not conform to Aliyun standards.")
