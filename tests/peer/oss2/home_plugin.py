"""pytest plugin for the oss2 suite: each xdist worker has a home folder of its own.

The SDK keeps resumable upload and download records under `~` (`.py-oss-upload`,
`.py-oss-download`); tests of one module read them mid-transfer while tests of another
module, on another worker, clean them up. In CI a download test found its record gone
(`'NoneType' object is not subscriptable`). A home per worker keeps the modules apart.
"""

import os


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        home = os.path.join(os.getcwd(), "home-" + worker)
        os.makedirs(home, exist_ok=True)
        os.environ["HOME"] = home
