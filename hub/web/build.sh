#!/usr/bin/env bash
# Vendors the browser libraries the hub serves itself (no CDN, no third-party requests):
# installs the exact versions of package-lock.json and copies their dist files to
# static/vendor/ (git-ignored). Idempotent: skips npm when the lock file has not changed.
set -euo pipefail
cd "$(dirname "$0")"
VENDOR=static/vendor
STAMP=$VENDOR/.lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ] && [ -f "$VENDOR/leaflet/leaflet.js" ] \
   && [ -f node_modules/axe-core/axe.min.js ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: npm is missing; run: sudo apt-get install -y npm" >&2
    exit 1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
fi
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$VENDOR"
mkdir -p "$VENDOR/leaflet" "$VENDOR/markercluster"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$VENDOR/leaflet/"
cp -r node_modules/leaflet/dist/images "$VENDOR/leaflet/"
cp node_modules/leaflet/LICENSE "$VENDOR/leaflet/LICENSE"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css "$VENDOR/markercluster/"
cp node_modules/leaflet.markercluster/MIT-LICENCE.txt "$VENDOR/markercluster/LICENSE"
# axe-core stays in node_modules/: only the browser tests inject it, the hub never serves it.
echo "$want" >"$STAMP"
echo "build.sh: vendored leaflet and leaflet.markercluster into hub/web/$VENDOR"
