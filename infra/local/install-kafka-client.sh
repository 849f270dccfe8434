#!/usr/bin/env bash
# Installs the Kafka client, @confluentinc/kafka-javascript, for the real stack (`npm run setup:kafka`).
#
# It is an optional dependency: `npm ci` first tries to download a prebuilt librdkafka binary and
# then to build the bundled librdkafka, and when both fail it leaves the package out without
# failing (the embedded default, `npm start`, does without it). Where no prebuilt binary can be
# downloaded (these machines, offline CI), the bundled build works only when it links the
# system's libraries dynamically: the Debian -dev packages below and CKJS_LINKING=dynamic, which
# the package reads from the environment only (not from .npmrc). This script does both, then
# reinstalls with `npm ci` (npm removes a failed optional package, so there is nothing to rebuild)
# and checks that the client loads. npm can drop it again on a slow registry; it tries 3 times.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

debs=(zlib1g-dev libssl-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev)

kafka_client_loads() { node -e 'require("@confluentinc/kafka-javascript")' 2>/dev/null; }

if kafka_client_loads; then
  echo "setup:kafka: @confluentinc/kafka-javascript is installed and loads"
  exit 0
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for deb in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed' || missing+=("$deb")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup:kafka: installing ${missing[*]} (librdkafka links against them)"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo -n)
    if ! { "${sudo_cmd[@]}" apt-get update -qq &&
      "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
      echo "setup:kafka: could not install them; as root run:" >&2
      echo "  apt-get install -y ${missing[*]}" >&2
      echo "then run npm run setup:kafka again" >&2
      exit 1
    fi
  fi
else
  echo "setup:kafka: not a Debian system: make sure zlib, OpenSSL, zstd, lz4, Cyrus SASL and libcurl development files are installed"
fi

export CKJS_LINKING=dynamic
# Build against the headers of the Node.js that will load the module: an npmrc's `nodedir` (these
# machines set /usr, Debian's Node 20) would otherwise compile it for another ABI. Official Node.js
# binaries ship their headers beside bin/.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$node_prefix/include/node/node_version.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi
echo "setup:kafka: building for node $(node --version) (headers: ${npm_config_nodedir:-node-gyp default})"
for attempt in 1 2 3; do
  echo "setup:kafka: npm ci with CKJS_LINKING=dynamic (attempt $attempt; the librdkafka build takes about a minute)"
  npm ci --no-audit --no-fund || { echo "setup:kafka: npm ci failed" >&2; exit 1; }
  if kafka_client_loads; then
    echo "setup:kafka: @confluentinc/kafka-javascript is installed and loads"
    exit 0
  fi
  echo "setup:kafka: npm left @confluentinc/kafka-javascript out again"
done
echo "setup:kafka: @confluentinc/kafka-javascript does not load after 3 installs; see npm's log above" >&2
exit 1
