"""pytest plugin for the oss2 suite: the same run gives the same outcome.

Several tests upload through `random.choice([bucket, rsa_crypto_bucket, kms_crypto_bucket])`;
the KMS one asks Alibaba Cloud KMS for its data keys, which no local OSS can answer. Seeding
`random` with the test's id makes each test's pick fixed, so the expected-failure list is
stable; the pick of the KMS bucket is recorded as a JUnit property, `bucket=kms`.
"""

import os
import random

import pytest

_SEED = os.environ.get("OSS2_PEER_SEED", "oss-callback")
_picked_kms = []
_choice = random.choice


def _recording_choice(sequence):
    # The same draw as random.choice; only looks at what was picked.
    picked = _choice(sequence)
    provider = getattr(picked, "crypto_provider", None)
    if type(provider).__name__ == "AliKMSProvider":
        _picked_kms.append(True)
    return picked


random.choice = _recording_choice


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _picked_kms.clear()
    random.seed(f"{_SEED}:{item.nodeid}")


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    if _picked_kms:
        item.user_properties.append(("bucket", "kms"))
