"""Uploads through `oss-callback emulate` with a real Python SDK and checks what the SDK sees.

Usage: python_sdks.py oss2|v2 [CASE...]
Environment: EMULATOR_URL (http://127.0.0.1:PORT), CALLBACK_URL (the test's callback server),
ACCESS_KEY (ID:SECRET the emulator checks; only for the `auth` case).
Each case prints `ok <sdk> <case>`; the first failed assertion exits non-zero.
"""
import base64
import json
import os
import struct
import sys
import zlib

EMULATOR = os.environ["EMULATOR_URL"]
CALLBACK = os.environ["CALLBACK_URL"]
BUCKET = "photos"


def b64(value):
    return base64.b64encode(json.dumps(value).encode()).decode()


def callback(path, body="bucket=${bucket}&object=${object}&size=${size}&uid=${x:uid}", url=None):
    return b64({"callbackUrl": url or CALLBACK + path, "callbackBody": body})


VARS = b64({"x:uid": "42"})
IMAGE_BODY = (
    "object=${object}&w=${imageInfo.width}&h=${imageInfo.height}&f=${imageInfo.format}"
    "&mime=${mimeType}&crc=${crc64}&md5=${contentMd5}&op=${operation}"
)


def png(width, height):
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", flush=True)
        sys.exit(1)


FAILURES = {
    "status": ("/status500", "Error status : 500."),
    "not_json": ("/notjson", "Response body is not valid json format."),
    "chunked": ("/chunked", "User server missing content-length."),
    "unreachable": (None, "OSS can not connect to your callbackUrl"),
}


class Oss2:
    """oss2: V1 signatures, path style by itself for an IP endpoint."""

    def __init__(self, key_id="ak", secret="sk"):
        import oss2
        self.oss2 = oss2
        self.bucket = oss2.Bucket(oss2.Auth(key_id, secret), EMULATOR, BUCKET)

    def put(self, key, data, cb, var=VARS):
        headers = {"x-oss-callback": cb}
        if var:
            headers["x-oss-callback-var"] = var
        result = self.bucket.put_object(key, data, headers=headers)
        self.request_id = result.request_id
        return result.status, result.resp.read()

    def put_plain(self, key, data):
        return self.bucket.put_object(key, data).status

    def get(self, key):
        return self.bucket.get_object(key).read()

    def presigned_put(self, key, params=None):
        """A presigned PutObject URL (V1 query: OSSAccessKeyId, Expires, Signature)."""
        return self.bucket.sign_url("PUT", key, 300, params=params), {}

    def error_of(self, call):
        try:
            call()
        except self.oss2.exceptions.OssError as err:
            return err.status, err.code, str(err)
        return None

    def multipart(self, key, chunks, cb):
        oss2 = self.oss2
        upload_id = self.bucket.init_multipart_upload(key).upload_id
        parts = []
        for number, chunk in enumerate(chunks, start=1):
            part = self.bucket.upload_part(key, upload_id, number, chunk)
            parts.append(oss2.models.PartInfo(number, part.etag, size=len(chunk), part_crc=part.crc))
        result = self.bucket.complete_multipart_upload(
            key, upload_id, parts, headers={"x-oss-callback": cb, "x-oss-callback-var": VARS})
        return result.status, result.resp.read()


def raw(callback_result):
    """The v2 SDK's `callback_result` is the answer's body as text (typed Dict, holds str)."""
    if isinstance(callback_result, str):
        return callback_result.encode()
    return json.dumps(callback_result).encode()


class V2:
    """alibabacloud-oss-v2: V4 signatures, path style on request."""

    def __init__(self, key_id="ak", secret="sk"):
        import alibabacloud_oss_v2 as oss
        self.oss = oss
        cfg = oss.config.load_default()
        cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(key_id, secret)
        cfg.region = "cn-hangzhou"
        cfg.endpoint = EMULATOR
        cfg.use_path_style = True
        cfg.retry_max_attempts = 1
        self.client = oss.Client(cfg)

    def put(self, key, data, cb, var=VARS):
        request = self.oss.PutObjectRequest(bucket=BUCKET, key=key, body=data, callback=cb,
                                            callback_var=var)
        result = self.client.put_object(request)
        self.request_id = result.request_id
        return result.status_code, raw(result.callback_result)

    def put_plain(self, key, data):
        request = self.oss.PutObjectRequest(bucket=BUCKET, key=key, body=data)
        return self.client.put_object(request).status_code

    def get(self, key):
        return self.client.get_object(self.oss.GetObjectRequest(bucket=BUCKET, key=key)).body.read()

    def presigned_put(self, key, params=None):
        """A presigned PutObject URL (V4 query: x-oss-credential, x-oss-signature, ...)."""
        params = params or {}
        request = self.oss.PutObjectRequest(bucket=BUCKET, key=key, callback=params.get("callback"))
        result = self.client.presign(request)
        return result.url, dict(result.signed_headers or {})

    def error_of(self, call):
        try:
            call()
        except self.oss.exceptions.OperationError as err:
            service = err.unwrap()
            status = getattr(service, "status_code", None)
            return status, getattr(service, "code", None), str(err)
        return None

    def multipart(self, key, chunks, cb):
        oss = self.oss
        init = self.client.initiate_multipart_upload(
            oss.InitiateMultipartUploadRequest(bucket=BUCKET, key=key))
        parts = []
        for number, chunk in enumerate(chunks, start=1):
            part = self.client.upload_part(oss.UploadPartRequest(
                bucket=BUCKET, key=key, upload_id=init.upload_id, part_number=number, body=chunk))
            parts.append(oss.UploadPart(part_number=number, etag=part.etag))
        result = self.client.complete_multipart_upload(oss.CompleteMultipartUploadRequest(
            bucket=BUCKET, key=key, upload_id=init.upload_id,
            complete_multipart_upload=oss.CompleteMultipartUpload(parts=parts),
            callback=cb, callback_var=VARS))
        return result.status_code, raw(result.callback_result)


def case_success(sdk, name):
    status, body = sdk.put(f"{name}/hello.txt", b"hello world", callback("/ok"))
    check(status == 200, f"status {status}")
    answer = json.loads(body)
    check(answer.get("verified") is True, f"the server verified the signature: {answer}")
    received = answer.get("received", "")
    check("bucket=photos" in received and "uid=42" in received and "size=11" in received,
          f"the server received the variables: {received}")
    check(f"object={name}%2Fhello.txt" in received, f"object in the body: {received}")
    check(answer.get("request_id") == sdk.request_id,
          f"the SDK's request id {sdk.request_id} is the callback's: {answer}")
    check(sdk.get(f"{name}/hello.txt") == b"hello world", "the object is stored")


def case_failure(sdk, name, kind):
    path, message = FAILURES[kind]
    url = "http://127.0.0.1:1/unreachable" if path is None else None
    try:
        status, body = sdk.put(f"{name}/{kind}.txt", b"data", callback(path or "", url=url))
        text = body.decode(errors="replace")
    except Exception as err:  # the v2 SDK may raise on a 203 whose body is XML
        status, text = 203, str(err)
    print(f"  {kind}: {status} {text!r}", flush=True)
    check(status == 203, f"{kind}: status {status}")
    check("CallbackFailed" in text and message in text, f"{kind}: {text}")
    check(sdk.get(f"{name}/{kind}.txt") == b"data", "the object stays stored after a 203")


def case_invalid(sdk, name):
    bad = base64.b64encode(b"not json").decode()
    error = sdk.error_of(lambda: sdk.put(f"{name}/invalid.txt", b"data", bad))
    print(f"  invalid: {error}", flush=True)
    check(error is not None and error[0] == 400 and error[1] == "InvalidArgument", f"{error}")
    missing = sdk.error_of(lambda: sdk.get(f"{name}/invalid.txt"))
    check(missing is not None and missing[1] == "NoSuchKey", f"nothing stored: {missing}")


def emulator_api(method, path, payload=None):
    import urllib.request
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(EMULATOR + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return answer.status, answer.read().decode()


def callbacks_seen():
    import urllib.request
    with urllib.request.urlopen(CALLBACK + "/counted") as answer:
        return int(answer.read())


def case_fault(sdk, name):
    """The fault queue: one upload ends in OSS's 203 without reaching the server."""
    fault = {"id": "too_many_callback_requests", "times": 1, "key_prefix": f"{name}/"}
    status, _ = emulator_api("POST", "/_emulator/api/faults", fault)
    check(status == 201, f"fault queued: {status}")
    before = callbacks_seen()
    status, body = sdk.put(f"{name}/first.txt", b"data", callback("/counted"))
    text = body.decode(errors="replace")
    print(f"  fault: {status} {text!r}", flush=True)
    check(status == 203, f"the faulted upload is a 203: {status}")
    check("<Code>CallbackFailed</Code>" in text
          and "<Message>Too many callback requests.</Message>" in text
          and "<EC>0007-00000203</EC>" in text, f"OSS's 203 body: {text}")
    status, body = sdk.put(f"{name}/second.txt", b"data", callback("/counted"))
    check(status == 200, f"the next upload is called back: {status} {body!r}")
    check(callbacks_seen() == before + 1, "the server saw only the second upload")
    status, pending = emulator_api("GET", "/_emulator/api/faults")
    check(json.loads(pending) == [], f"the fault is used up: {pending}")


def case_multipart(sdk, name):
    chunks = [b"a" * (100 * 1024), b"b" * 1000]
    status, body = sdk.multipart(f"{name}/big.bin", chunks, callback("/ok"))
    check(status == 200, f"status {status}")
    answer = json.loads(body)
    received = answer.get("received", "")
    check(answer.get("verified") is True and f"size={sum(map(len, chunks))}" in received,
          f"multipart callback: {answer}")
    check(sdk.get(f"{name}/big.bin") == b"".join(chunks), "the parts joined")


def case_image(sdk, name):
    status, body = sdk.put(f"{name}/cat.png", png(3, 2), callback("/ok", body=IMAGE_BODY))
    check(status == 200, f"status {status}")
    received = json.loads(body).get("received", "")
    print(f"  image: {received}", flush=True)
    check("w=3&h=2&f=png" in received, f"image sizes reach the server: {received}")
    status, body = sdk.put(f"{name}/text.txt", b"plain", callback("/ok", body=IMAGE_BODY))
    received = json.loads(body).get("received", "")
    check("w=&h=&f=&" in received, f"a non-image renders empty: {received}")


def case_post_object(name):
    import requests
    form = {
        "key": f"{name}/${{filename}}",
        "policy": b64({"expiration": "2099-01-01T00:00:00Z", "conditions": []}),
        "OSSAccessKeyId": "ak",
        "Signature": "c2ln",
        "success_action_status": "201",
        "callback": callback("/ok"),
        "x:uid": "42",
    }
    response = requests.post(f"{EMULATOR}/{BUCKET}", data=form,
                             files={"file": ("cat.png", png(4, 5), "image/png")}, timeout=10)
    print(f"  post: {response.status_code} {response.text!r}", flush=True)
    check(response.status_code == 200, f"status {response.status_code}")
    answer = response.json()
    check(answer.get("verified") is True and "uid=42" in answer.get("received", ""), f"{answer}")
    check(f"object={name}%2Fcat.png" in answer["received"], f"${{filename}}: {answer}")


def case_auth(make, name):
    import requests
    key_id, secret = os.environ["ACCESS_KEY"].split(":", 1)
    check(make(key_id, secret).put_plain(f"{name}/signed.txt", b"x") == 200, "the right key")
    url, headers = make(key_id, secret).presigned_put(f"{name}/presigned.txt")
    response = requests.put(url, data=b"presigned", headers=headers, timeout=10)
    check(response.status_code == 200, f"a presigned URL: {response.status_code} {response.text}")
    url, headers = make(key_id, secret + "x").presigned_put(f"{name}/presigned.txt")
    response = requests.put(url, data=b"presigned", headers=headers, timeout=10)
    check(response.status_code == 403 and "SignatureDoesNotMatch" in response.text,
          f"a presigned URL with a wrong secret: {response.status_code} {response.text}")
    url, headers = make(key_id, secret).presigned_put(f"{name}/cb.txt", {"callback": callback("/ok")})
    response = requests.put(url, data=b"with callback", headers=headers, timeout=10)
    print(f"  presigned callback: {response.status_code} {response.text!r}", flush=True)
    check(response.status_code == 200 and response.json().get("verified") is True,
          f"a presigned URL's callback parameter: {response.status_code} {response.text}")
    wrong = make(key_id, secret + "x")
    error = wrong.error_of(lambda: wrong.put_plain(f"{name}/signed.txt", b"x"))
    print(f"  wrong secret: {error and error[:2]}", flush=True)
    check(error is not None and error[:2] == (403, "SignatureDoesNotMatch"), f"{error}")
    other = make(key_id + "x", secret)
    error = other.error_of(lambda: other.put_plain(f"{name}/signed.txt", b"x"))
    check(error is not None and error[:2] == (403, "InvalidAccessKeyId"), f"{error}")


def main():
    which = sys.argv[1]
    cases = sys.argv[2:] or ["success", "status", "not_json", "chunked", "unreachable",
                             "invalid", "multipart", "image", "post_object"]
    make = {"oss2": Oss2, "v2": V2}[which]
    for case in cases:
        name = f"{which}-{case}"
        if case == "auth":
            case_auth(make, name)
        elif case == "post_object":
            case_post_object(name)
        elif case in FAILURES:
            case_failure(make(), name, case)
        else:
            globals()[f"case_{case}"](make(), name)
        print(f"ok {which} {case}", flush=True)


if __name__ == "__main__":
    main()
