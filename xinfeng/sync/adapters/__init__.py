"""Target adapters. Each module maps our canonical payloads (``sync.snapshots``) to one
platform's fields and names its version; the relay knows nothing about any target's fields.

An adapter module defines::

    NAME = "provincial"            # the target name (XINFENG_SYNC_<NAME>_URL ...)
    VERSION = "1"                  # stored on every row it sends
    ENTITIES = {Entity.VOLUNTEER, ...}   # what the target takes (others are not written)
    BATCH_PATH = "/v1/batch"       # where a batch of requests goes (XINFENG_SYNC_<NAME>_BATCH > 1)
    def request(row) -> Request    # method, path, JSON body for one outbox row
    def ack_ref(answer: dict) -> str   # the target's own id from its answer ("" if none)
"""
