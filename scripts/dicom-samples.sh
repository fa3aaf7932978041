#!/usr/bin/env bash
# Copies pydicom's bundled DICOM samples (installed by infra/install.sh) to .local/data/dicom/ for
# the imaging tests. Offline: get_testdata_file only returns files shipped inside the package
# (never get_testdata_files('*'), which tries to download the others). Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.local/data/dicom"
mkdir -p "$OUT"
"$ROOT/.local/venv/bin/python" - "$OUT" <<'PY'
import shutil, sys
from pydicom.data import get_testdata_file
out = sys.argv[1]
# CT and MR (uncompressed), and the same MR in RLE, JPEG 2000 and JPEG-LS; an RGB JPEG baseline.
names = ["CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm",
         "MR_small_jpeg_ls_lossless.dcm", "SC_rgb_jpeg_dcmtk.dcm"]
for n in names:
    path = get_testdata_file(n)
    if path is None:
        sys.exit(f"dicom-samples: {n} is not bundled with this pydicom")
    shutil.copyfile(path, f"{out}/{n}")
PY
