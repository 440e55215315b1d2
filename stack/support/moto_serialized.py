"""moto's server with its DynamoDB operations serialized, as DynamoDB's transactions are.

moto's server is threaded and its DynamoDB backend takes no lock: concurrent conditional
writes and transactions interleave (12 racing claims with a limit of 3 sent 4 messages in one
of seven runs; see the team's LOCAL-STACK notes), so a concurrency test on plain moto proves
nothing either way. This wraps the backend's item operations in one lock, then runs moto's own
server with the arguments given (`-H 127.0.0.1 -p PORT`).
"""

import sys
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_LOCK = threading.RLock()
OPERATIONS = ("transact_write_items", "update_item", "put_item", "delete_item", "get_item",
              "transact_get_items", "batch_write_item")


def _serialized(operation):
    def run(*args, **kwargs):
        with _LOCK:
            return operation(*args, **kwargs)
    run.__name__ = operation.__name__
    return run


for name in OPERATIONS:
    setattr(DynamoDBBackend, name, _serialized(getattr(DynamoDBBackend, name)))

if __name__ == "__main__":
    main(sys.argv[1:])
