#!/usr/bin/env bash
# The checks that need an NVIDIA GPU, as one script: versions, the translation benchmark
# on CUDA, and the CUDA tests. CI has no GPU, so these run only where one is lent.
#
#   bash scripts/gpu_check.sh [OUTDIR]      (default: scripts/results)
#
# Writes OUTDIR/gpu-versions.txt, OUTDIR/bench-cuda.json and OUTDIR/gpu-tests.txt.
# SYNTHETIC=800 (the default) makes 1,600 sentences: the benchmark took 4.5 minutes on an
# H200, the tests 2.7 (most of it building their models).
set -uo pipefail
out=${1:-scripts/results}
mkdir -p "$out"
python=${PYTHON:-python3}
status=0

{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    "$python" - <<'PY'
import ctranslate2, torch, transformers
print("torch", torch.__version__, "cuda", torch.version.cuda, "gpu", torch.cuda.is_available())
print("transformers", transformers.__version__)
print("ctranslate2", ctranslate2.__version__, "gpus", ctranslate2.get_cuda_device_count())
PY
} 2>&1 | tee "$out/gpu-versions.txt"

# The figures first: on a fresh machine the tests spend minutes building their models.
"$python" scripts/bench.py --device cuda --engines "${ENGINES:-ct2-plain,default,hf-sorted}" \
    --synthetic "${SYNTHETIC:-800}" --json "$out/bench-cuda.json" || status=1

"$python" -m pytest -q -rs tests/test_cuda.py tests/test_backends.py 2>&1 | tee "$out/gpu-tests.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
exit $status
