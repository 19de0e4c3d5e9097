#!/usr/bin/env bash
# What the test suite needs from the machine beyond Python packages: Debian's Chromium (for
# end-to-end tests and chart export), CJK fonts (Chinese in PNG/PDF), tesseract with the
# simplified-Chinese model (proves PNGs show real glyphs), poppler, and a running
# PostgreSQL with a `tqi_test` database. Idempotent: installs only what is missing.
set -euo pipefail

packages=(chromium fonts-noto-cjk tesseract-ocr tesseract-ocr-chi-sim poppler-utils postgresql)
packages+=(nginx)  # make cluster / make test-cluster: the reverse proxy in front
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-system: missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-system: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: start the packaged cluster (not started by default here) and make a test DB,
# unless the URL points somewhere else (a server someone else runs).
if [ -z "${TQI_TEST_POSTGRES_URL:-}" ] || [ "${TQI_TEST_POSTGRES_URL}" = "postgresql:///tqi_test" ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $4}' | grep -q online; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  user=$(id -un)
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$user'\"" | grep -q 1 \
    || su postgres -c "createuser -s $user"
  psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='tqi_test'" | grep -q 1 \
    || createdb tqi_test
fi
