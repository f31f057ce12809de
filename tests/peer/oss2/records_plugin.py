"""pytest plugin for the oss2 suite: the SDK's resume records are written whole.

oss2 2.19.1 writes a resume record by opening its file for writing (which empties it) and then
dumping the JSON (`_ResumableStoreBase.put`); a `get` that lands in between reads a partial
file, deletes it and returns None. The download tests read the record from inside a mocked
part download while the other four threads finish their parts and rewrite it. Against a
server that answers in a millisecond the two collide (`'NoneType' object is not subscriptable`
in test_relpath_and_abspath and test_tmp_file_removed, reproduced locally one run in two);
against OSS the network's latency hides it. Here a record goes to a temporary file that is
renamed over the old one, so a reader sees the old record or the new one, never a torn one.
`os.replace`, not `os.rename`: test_relpath_and_abspath mocks `os.rename` to watch the
download's final rename.
"""

import json
import os
import threading

from oss2 import resumable
from oss2.compat import to_unicode


def _put_whole(self, key, value):
    pathname = to_unicode(os.path.join(self.dir, key))
    temporary = f"{pathname}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(temporary, "w") as f:
        json.dump(value, f)
    os.replace(temporary, pathname)


def pytest_configure(config):
    resumable._ResumableStoreBase.put = _put_whole
