#!/usr/bin/env bash
# Installs what is missing for this checkout: npm packages from the lockfile
# and, when run as root on Debian, the system packages the suites need.
# Sourced by bin/dev and bin/test; safe to run again at any time.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need_node_major=20
need_node_minor=19
if ! command -v node >/dev/null 2>&1; then
  echo "error: Node.js ${need_node_major}.${need_node_minor} or later is required and was not found." >&2
  exit 1
fi
node_version="$(node -p 'process.versions.node')"
IFS=. read -r major minor _ <<<"$node_version"
if (( major < need_node_major || (major == need_node_major && minor < need_node_minor) )); then
  echo "error: Node.js ${need_node_major}.${need_node_minor}+ is required; found ${node_version}." >&2
  exit 1
fi

# System packages, one per line in bin/debian-packages (comments allowed).
missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done < <(sed 's/#.*//' bin/debian-packages)
if (( ${#missing[@]} > 0 )); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: missing Debian packages (install them as root): ${missing[*]}" >&2
    echo "warning: the suites that need them will fail, not skip." >&2
  fi
fi

# npm packages: install from the lockfile when node_modules is absent or
# older than the lockfile.
stamp=node_modules/.package-lock.json
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  echo "installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
fi

# The Baileys patch runs after every install; again here (it is idempotent)
# for a node_modules installed before the patch existed.
node session-worker/scripts/patch-baileys.mjs
