"""An application's backend for browser direct upload, as OSS's own samples write one: the
standard library only. It serves the page (on its own origin), hands the page what it needs
to upload straight to OSS (here the emulator, another origin), and receives OSS's callbacks,
verifying each with the public key named in `x-oss-pub-key-url`.

    python3 backend.py --emulator http://127.0.0.1:9000 --access-key ID:SECRET --sdk PATH

PATH: ali-oss's browser build (dist/aliyun-oss-sdk.min.js of the npm package). It prints
`listening on http://127.0.0.1:PORT` once ready. Used by emulator/tests/web_upload.rs.

Routes: GET / (the page), /page.js, /aliyun-oss-sdk.min.js; GET /api/config (the emulator's
URL and the credentials ali-oss signs with: a real backend hands out STS credentials);
GET /api/policy?dir=D (a PostObject policy with a callback); GET
/api/sign?bucket=B&key=K[&method=PUT&callback=1] (a signed URL, V1, a PUT one with a callback); POST /api/setup?bucket=B&origin=O (creates the bucket and its CORS
rule for origin O, signed); POST /callback (OSS's callback); GET /api/callbacks (those
received, with whether each verified).
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BODY = 1024 * 1024

# DigestInfo of an MD5 digest (RFC 8017, 9.2): what OSS's RSA signature wraps.
MD5_DIGEST_INFO = bytes.fromhex("3020300c06082a864886f70d020505000410")


def der(data):
    """The first DER element of `data`: (tag, content, rest)."""
    tag, length, at = data[0], data[1], 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[2 : 2 + count], "big")
        at = 2 + count
    return tag, data[at : at + length], data[at + length :]


def public_key(pem):
    """(n, e) of a PEM public key, SubjectPublicKeyInfo or PKCS#1."""
    lines = [l for l in pem.strip().splitlines() if not l.startswith("-----")]
    data = base64.b64decode("".join(lines))
    _, body, _ = der(data)
    tag, first, rest = der(body)
    if tag == 0x30:  # SubjectPublicKeyInfo: algorithm, then the key in a BIT STRING.
        _, bits, _ = der(rest)
        _, body, _ = der(bits[1:])
        _, first, rest = der(body)
    _, exponent, _ = der(rest)
    return int.from_bytes(first, "big"), int.from_bytes(exponent, "big")


def rsa_md5_verify(key, message, signature):
    """Whether `signature` is the RSASSA-PKCS1-v1_5 MD5 signature of `message` by `key`."""
    n, e = key
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    encoded = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    digest = MD5_DIGEST_INFO + hashlib.md5(message).digest()
    padding = size - 3 - len(digest)
    return padding >= 8 and encoded == b"\x00\x01" + b"\xff" * padding + b"\x00" + digest


def b64(data):
    return base64.b64encode(data).decode()


def sign(secret, text):
    return b64(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest())


class Backend:
    def __init__(self, emulator, key_id, secret, sdk):
        self.emulator = emulator.rstrip("/")
        self.key_id, self.secret, self.sdk = key_id, secret, sdk
        self.callbacks = []
        self.lock = threading.Lock()
        self.origin = None  # set once listening

    def callback_param(self, via):
        return b64(
            json.dumps(
                {
                    "callbackUrl": self.origin + "/callback",
                    "callbackBody": "bucket=${bucket}&object=${object}&size=${size}"
                    "&mimeType=${mimeType}&via=" + via,
                    "callbackBodyType": "application/x-www-form-urlencoded",
                }
            ).encode()
        )

    def policy(self, directory):
        expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        policy = {
            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conditions": [
                ["content-length-range", 0, 10 * 1024 * 1024],
                ["starts-with", "$key", directory],
            ],
        }
        encoded = b64(json.dumps(policy).encode())
        return {
            "OSSAccessKeyId": self.key_id,
            "policy": encoded,
            "Signature": sign(self.secret, encoded),
            "callback": self.callback_param("form"),
            "dir": directory,
        }

    def signed_url(self, method, bucket, key, callback=None, expires_in=300):
        """A V1 presigned URL; a PUT one may carry the callback parameter (signed with it)."""
        expires = int(datetime.datetime.now().timestamp()) + expires_in
        resource = f"/{bucket}/{key}" + (f"?callback={callback}" if callback else "")
        signature = sign(self.secret, f"{method}\n\n\n{expires}\n{resource}")
        query = {"OSSAccessKeyId": self.key_id, "Expires": expires, "Signature": signature}
        if callback:
            query["callback"] = callback
        return f"{self.emulator}/{bucket}/{urllib.parse.quote(key)}?{urllib.parse.urlencode(query)}"

    def oss(self, method, resource, query="", body=b""):
        """A V1-signed request to the emulator; (status, body)."""
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
        content_type = "application/xml" if body else ""
        text = f"{method}\n\n{content_type}\n{date}\n{resource}" + (f"?{query}" if query else "")
        url = self.emulator + resource + (f"?{query}" if query else "")
        request = urllib.request.Request(url, data=body or None, method=method)
        request.add_header("Date", date)
        if content_type:
            request.add_header("Content-Type", content_type)
        request.add_header("Authorization", f"OSS {self.key_id}:{sign(self.secret, text)}")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def setup(self, bucket, origin):
        status, body = self.oss("PUT", f"/{bucket}/")
        if status != 200:
            return status, body
        rules = (
            "<CORSConfiguration><CORSRule>"
            f"<AllowedOrigin>{origin}</AllowedOrigin>"
            + "".join(f"<AllowedMethod>{m}</AllowedMethod>" for m in ["GET", "PUT", "POST", "HEAD"])
            + "<AllowedHeader>*</AllowedHeader>"
            "<ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-oss-request-id</ExposeHeader>"
            "<MaxAgeSeconds>0</MaxAgeSeconds>"
            "</CORSRule></CORSConfiguration>"
        )
        return self.oss("PUT", f"/{bucket}/", "cors", rules.encode())

    def verify(self, path, query, body, headers):
        """Why OSS's callback does not verify, or None."""
        url = base64.b64decode(headers.get("x-oss-pub-key-url", "")).decode()
        # Only keys from the OSS we upload to (OSS's samples: gosspublic.alicdn.com only).
        if not url.startswith(self.emulator + "/"):
            return f"key URL {url!r} is not the emulator's"
        with urllib.request.urlopen(url, timeout=10) as answer:
            key = public_key(answer.read().decode())
        signed = urllib.parse.unquote(path) + (f"?{query}" if query else "") + "\n"
        signature = base64.b64decode(headers.get("authorization", ""))
        if not rsa_md5_verify(key, signed.encode() + body, signature):
            return "the signature does not verify"
        return None


def handler(backend):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def file(self, path, content_type):
            with open(path, "rb") as f:
                self.answer(200, f.read(), content_type)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            args = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/":
                self.file(os.path.join(HERE, "page.html"), "text/html; charset=utf-8")
            elif url.path == "/page.js":
                self.file(os.path.join(HERE, "page.js"), "text/javascript")
            elif url.path == "/aliyun-oss-sdk.min.js":
                self.file(backend.sdk, "text/javascript")
            elif url.path == "/api/config":
                self.answer(
                    200,
                    {
                        "emulator": backend.emulator,
                        "accessKeyId": backend.key_id,
                        "accessKeySecret": backend.secret,
                        "callback": backend.origin + "/callback",
                    },
                )
            elif url.path == "/api/policy":
                self.answer(200, backend.policy(args.get("dir", "uploads/")))
            elif url.path == "/api/sign":
                method = args.get("method", "GET")
                callback = backend.callback_param("signed-put") if args.get("callback") else None
                url = backend.signed_url(method, args["bucket"], args["key"], callback)
                self.answer(200, {"url": url})
            elif url.path == "/api/callbacks":
                with backend.lock:
                    self.answer(200, list(backend.callbacks))
            else:
                self.answer(404, {"error": "no such page"})

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            args = dict(urllib.parse.parse_qsl(url.query))
            length = int(self.headers.get("Content-Length", "0"))
            if length > MAX_BODY:
                return self.answer(413, {"error": "too large"})
            body = self.rfile.read(length)
            if url.path == "/api/setup":
                status, text = backend.setup(args["bucket"], args["origin"])
                return self.answer(200 if status == 200 else 502, {"status": status, "body": text})
            if url.path != "/callback":
                return self.answer(404, {"error": "no such route"})
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                refused = backend.verify(url.path, url.query, body, headers)
            except Exception as error:  # a key that cannot be fetched or read
                refused = f"cannot verify: {error}"
            fields = dict(urllib.parse.parse_qsl(body.decode()))
            with backend.lock:
                backend.callbacks.append({"fields": fields, "verified": refused is None, "why": refused})
            if refused:
                return self.answer(403, {"error": refused})
            self.answer(200, {"Status": "OK", "verified": True, "object": fields.get("object"), "via": fields.get("via")})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--sdk", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    key_id, secret = args.access_key.split(":", 1)
    backend = Backend(args.emulator, key_id, secret, args.sdk)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(backend))
    port = server.server_address[1]
    # The page is opened as http://localhost:PORT: its origin is not the emulator's.
    backend.origin = f"http://127.0.0.1:{port}"
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
