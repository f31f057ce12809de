"""pytest plugin for the oss2 suite: the SDK's KMS client talks to the KMS stand-in.

oss2's `AliKMSProvider` (the suite's `kms_crypto_bucket`) asks Alibaba Cloud KMS for its data
keys through aliyunsdkcore. `run.py` starts `kms_standin.py` on a loopback port and passes its
address in `OSS2_PEER_KMS_ENDPOINT`; this registers it as aliyunsdkcore's endpoint for product
`Kms` in the suite's region (the resolver every AcsClient consults first). The endpoint carries
its `http://` scheme, which aliyunsdkcore uses as given instead of the KMS requests' `https`.
"""

import os

from aliyunsdkcore.profile import region_provider

_ENDPOINT = os.environ.get("OSS2_PEER_KMS_ENDPOINT")


def pytest_configure(config):
    if _ENDPOINT:
        region_provider.add_endpoint("Kms", os.environ["OSS_TEST_REGION"], _ENDPOINT)
