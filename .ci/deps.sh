#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, only those missing.
# Usage: .ci/deps.sh [extra packages...]
set -euo pipefail
pkgs=(
  cmake ninja-build g++ make pkg-config ccache
  nlohmann-json3-dev catch2 libcli11-dev libboost-dev
  libeigen3-dev libbullet-dev libopenscenegraph-dev
  libsundials-dev
  libmosquitto-dev mosquitto mosquitto-clients openssl
  libsqlite3-dev
  xvfb xauth libgl1-mesa-dri fonts-dejavu-core
  libjs-chart.js chromium
  libprotobuf-dev protobuf-compiler nodejs python3-paho-mqtt
  "$@"
)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm comes with NodeSource's nodejs; Debian's nodejs needs Debian's npm beside it
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
