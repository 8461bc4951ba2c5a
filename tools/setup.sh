#!/usr/bin/env bash
# SegKit set-up, idempotent: installs only what is missing and says what it did.
#
#   tools/setup.sh           runtime: libturbojpeg0, libspng0, ONNX Runtime's native library
#   tools/setup.sh --test    also the Python reference stack the tests compare against
#                            (Debian's python3-torchvision, -onnx, -pil, -skimage, -opencv)
#   --quiet                  print only what changed
#
# ONNX Runtime comes from the npm package onnxruntime-node@1.30.0. `npm pack` fetches the tarball
# without running its install scripts (the post-install step tries a download that fails here);
# only bin/napi-v6/linux/x64/libonnxruntime.so.1 is kept, verified by SHA-256, in native/linux-x64/.
# A user with the official ONNX Runtime package can skip this and set SEGKIT_ORT_LIBRARY instead.
set -euo pipefail

ORT_VERSION=1.30.0
ORT_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
RUNTIME_PKGS=(libturbojpeg0 libspng0)
TEST_PKGS=(python3-torchvision python3-onnx python3-pil python3-skimage python3-opencv python3-scipy)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
want_test=0
quiet=0
for a in "$@"; do
  case "$a" in
    --test) want_test=1 ;;
    --quiet) quiet=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $a" >&2; exit 2 ;;
  esac
done

changed=0
say() { echo "setup: $*"; }
note() { [ "$quiet" = 1 ] || echo "setup: $*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root to run: $*" >&2; exit 1; fi
}

# --- .NET SDK ---------------------------------------------------------------------------
if ! command -v dotnet >/dev/null || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  echo "setup: the .NET 10 SDK is required (dotnet on PATH); install it from your distribution or dot.net" >&2
  exit 1
fi
note ".NET SDK $(dotnet --version) present"

# --- Debian packages --------------------------------------------------------------------
pkgs=("${RUNTIME_PKGS[@]}")
[ "$want_test" = 1 ] && pkgs+=("${TEST_PKGS[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  changed=1
else
  note "Debian packages present: ${pkgs[*]}"
fi
if [ "$want_test" = 1 ] && ! /usr/bin/python3 -c 'import torch, torchvision, onnx, PIL, skimage, cv2' 2>/dev/null; then
  echo "setup: /usr/bin/python3 cannot import the reference stack (torch, torchvision, onnx, PIL, skimage, cv2)" >&2
  exit 1
fi

# --- ONNX Runtime native library --------------------------------------------------------
ort_dir="$root/native/linux-x64"
ort_lib="$ort_dir/libonnxruntime.so.1"
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$ORT_SHA256" ]; }
if sha_ok "$ort_lib"; then
  note "ONNX Runtime $ORT_VERSION present ($ort_lib, SHA-256 verified)"
else
  command -v npm >/dev/null || { echo "setup: npm is needed to fetch onnxruntime-node@$ORT_VERSION (apt-get install npm)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  say "fetching onnxruntime-node@$ORT_VERSION from the npm registry (scripts not run)"
  (cd "$tmp" && npm pack --ignore-scripts --silent "onnxruntime-node@$ORT_VERSION" >/dev/null 2>&1) \
    || { echo "setup: npm pack onnxruntime-node@$ORT_VERSION failed" >&2; exit 1; }
  tar -xzf "$tmp"/onnxruntime-node-"$ORT_VERSION".tgz -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
  got="$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
  if ! sha_ok "$got"; then
    echo "setup: libonnxruntime.so.1 from onnxruntime-node@$ORT_VERSION has SHA-256 $(sha256sum "$got" | cut -d' ' -f1), expected $ORT_SHA256" >&2
    exit 1
  fi
  mkdir -p "$ort_dir"
  cp "$got" "$ort_lib.tmp" && mv -f "$ort_lib.tmp" "$ort_lib"
  say "installed ONNX Runtime $ORT_VERSION into $ort_lib (SHA-256 verified)"
  changed=1
fi

if [ "$changed" = 0 ]; then note "nothing to do: everything is present"; fi
