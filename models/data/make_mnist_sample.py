"""Build the small MNIST sample bundled with the package (build time only).

The sample holds the FIRST 5,000 training images/labels and the FIRST 1,000
test images/labels of the real MNIST, unchanged, as gzipped IDX files:

    mnist-sample-train-images-idx3-ubyte.gz   (5000 x 28 x 28)
    mnist-sample-train-labels-idx1-ubyte.gz   (5000,)
    mnist-sample-t10k-images-idx3-ubyte.gz    (1000 x 28 x 28)
    mnist-sample-t10k-labels-idx1-ubyte.gz    (1000,)

They were made with::

    python models/data/make_mnist_sample.py DIR_WITH_THE_ORIGINAL_MNIST_FILES

from the four original gzipped files (whose uncompressed sha256 are checked
against the published ones first). Compression is gzip level 9 with
mtime=0 and no file name in the header, so re-running gives identical bytes
on the same Python/zlib. The runtime never runs this script or reads the
source folder; ``models.datasets.load_mnist_sample()`` only reads the
bundled files next to this script.

MNIST: Y. LeCun, C. Cortes, C. J. C. Burges; licence CC BY-SA 3.0
(see MNIST-LICENCE.txt).
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import sys
from pathlib import Path

N_TRAIN, N_TEST = 5000, 1000

# Published sha256 of the UNCOMPRESSED original files.
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def read_original(folder: Path, name: str) -> bytes:
    """Uncompressed contents of ``folder/name(.gz)``, checksum-verified."""
    gz, raw = folder / f"{name}.gz", folder / name
    data = gzip.decompress(gz.read_bytes()) if gz.exists() else raw.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[name]:
        raise SystemExit(f"{name}: sha256 {digest} does not match the published {SHA256[name]}")
    return data


def head(data: bytes, n: int) -> bytes:
    """The IDX file ``data`` cut down to its first ``n`` items (header updated)."""
    ndim = data[3]
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    item = 1
    for d in dims[1:]:
        item *= d
    header = data[:4] + struct.pack(f">{ndim}I", n, *dims[1:])
    start = 4 + 4 * ndim
    return header + data[start:start + n * item]


def main(source: str) -> None:
    src, dst = Path(source), Path(__file__).resolve().parent
    for split, n in (("train", N_TRAIN), ("t10k", N_TEST)):
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{split}-{kind}-ubyte"
            payload = head(read_original(src, name), n)
            out = dst / f"mnist-sample-{name}.gz"
            out.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
            print(f"wrote {out.name}: {len(payload)} bytes uncompressed, "
                  f"{out.stat().st_size} compressed, sha256 {hashlib.sha256(payload).hexdigest()}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python models/data/make_mnist_sample.py DIR  (DIR holds the four original MNIST files)")
    main(sys.argv[1])
