#!/usr/bin/env bash
# Idempotent set-up of a dev/test/CI machine (Debian): the system packages the local services
# need, the project's .venv and its dependencies. A second run takes well under a second.
# It starts nothing: `make up` / `make test` run `hub services up` afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3.11}
VENV=.venv
STAMP=$VENV/.familienhub-install-stamp

# 1. System packages: redis-server (broker), maven (fetches OpenSearch), Python 3.11 + venv.
#    A JDK 21+ is expected under /usr/lib/jvm (hub/dev/services finds the newest one).
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v mvn >/dev/null || missing+=(maven)
if ! command -v "$PYTHON" >/dev/null; then
  missing+=(python3.11 python3.11-venv)
elif [ ! -x "$VENV/bin/python" ] && ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
  missing+=(python3.11-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. The virtualenv, and the project installed into it (editable, with the dev tools).
if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ] || [ ! -x "$VENV/bin/hub" ]; then
  echo "bootstrap: installing the project into $VENV (pyproject.toml changed)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'
  echo "$want" >"$STAMP"
fi
hub/web/build.sh  # 3. web: vendor Leaflet + markercluster from npm into hub/web/static/vendor
