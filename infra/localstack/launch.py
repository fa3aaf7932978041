"""Starts LocalStack (localstack-core 4.14.0, host mode) for the local stack:
`python launch.py --listen 127.0.0.1:4566`. Every other setting comes from the environment that
infra/stack.sh sets (see its `aws` launch). Two things no setting does, hence this launcher:

1. Bind to loopback only. LocalStack's default HTTP server (twisted) ignores the host of
   GATEWAY_LISTEN for IPv4 and binds 0.0.0.0 (a TODO in localstack/runtime/server/twisted.py).
   Its alternative, hypercorn, binds the right address but aborts a streamed S3 GET when the
   client applies backpressure for a few seconds (seen here: a 3 s pause while reading an 11 MB
   object ended in ECONNRESET), which a download to a slow client or a KMS call between two
   segments does. So: twisted, with the listening endpoint given the requested interface.
2. Keep S3 object bytes under .local/. LocalStack's S3 spools object data to a fixed
   /tmp/localstack-s3-storage (DEFAULT_S3_TMP_DIR); the provider reads the module constant when
   it is created, so setting it first moves the storage under FILESYSTEM_ROOT, which `stack.sh
   down` removes. Two checkouts on one machine then never share a directory.

The listen address is an argument (not only an environment variable) so that it shows in the
process's command line, where infra/stack.sh reads which port a running component serves.
"""

import os
import sys


def bind_twisted_to(host: str) -> None:
    from twisted.internet import endpoints

    tcp4 = endpoints.TCP4ServerEndpoint

    def loopback_tcp4(reactor, port, backlog=50, interface=""):
        return tcp4(reactor, port, backlog, interface or host)

    endpoints.TCP4ServerEndpoint = loopback_tcp4


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] != "--listen":
        sys.exit("usage: launch.py --listen HOST:PORT")
    listen = sys.argv[2]
    root = os.environ.get("FILESYSTEM_ROOT")
    if not root:
        sys.exit("launch.py: FILESYSTEM_ROOT must be set (infra/stack.sh sets it under .local/)")
    del sys.argv[1:]
    os.environ["GATEWAY_LISTEN"] = listen
    os.environ["GATEWAY_SERVER"] = "twisted"
    # The host:port LocalStack writes into the URLs it returns (queue URLs among them).
    os.environ["LOCALSTACK_HOST"] = listen
    bind_twisted_to(listen.rsplit(":", 1)[0])

    s3_dir = os.path.join(os.path.abspath(root), "s3-storage")
    os.makedirs(s3_dir, exist_ok=True)
    from localstack.services.s3 import provider

    provider.DEFAULT_S3_TMP_DIR = s3_dir

    from localstack.runtime.main import main as localstack_main

    localstack_main()


if __name__ == "__main__":
    main()
