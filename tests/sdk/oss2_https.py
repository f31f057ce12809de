"""Uploads to `oss-callback emulate` over https with oss2, trusting a self-signed certificate.

Environment: EMULATOR_URL (https://127.0.0.1:PORT), ACCESS_KEY (ID:SECRET the emulator checks),
REQUESTS_CA_BUNDLE (the certificate, which requests, under oss2, trusts).
Prints `ok oss2 https`; the first failed check exits non-zero.
"""
import os
import sys

import oss2
import requests

EMULATOR = os.environ["EMULATOR_URL"]
ID, SECRET = os.environ["ACCESS_KEY"].split(":", 1)


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", flush=True)
        sys.exit(1)


check(EMULATOR.startswith("https://"), f"the emulator is served over https: {EMULATOR}")
# Trusted through REQUESTS_CA_BUNDLE, and refused without it: TLS is in use, and verified.
try:
    requests.get(EMULATOR + "/_emulator/", timeout=10)
    trusted = True
except requests.exceptions.SSLError:
    trusted = False
check(trusted, "the certificate in REQUESTS_CA_BUNDLE is trusted")
try:
    requests.get(EMULATOR + "/_emulator/", verify=requests.certs.where(), timeout=10)
    check(False, "a client without the self-signed certificate refuses it")
except requests.exceptions.SSLError:
    pass

bucket = oss2.Bucket(oss2.Auth(ID, SECRET), EMULATOR, "photos")
body = b"a photo, over TLS" * 1000
result = bucket.put_object("tls/cat.jpg", body)
check(result.status == 200, f"put_object: {result.status}")
check(bucket.get_object("tls/cat.jpg").read() == body, "the object reads back")
# A multipart upload too: the path a phone's large video takes.
upload_id = bucket.init_multipart_upload("tls/video.mp4").upload_id
part = bucket.upload_part("tls/video.mp4", upload_id, 1, body)
bucket.complete_multipart_upload("tls/video.mp4", upload_id, [oss2.models.PartInfo(1, part.etag)])
check(bucket.get_object("tls/video.mp4").read() == body, "the multipart object reads back")
try:
    oss2.Bucket(oss2.Auth(ID, "wrong"), EMULATOR, "photos").put_object("tls/x", b"x")
    check(False, "a wrong secret is refused over https too")
except oss2.exceptions.ServerError as err:
    check(err.status == 403, f"a wrong secret: {err.status}")
print("ok oss2 https", flush=True)
