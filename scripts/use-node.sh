# Source this file (bash) to run the project on the Node it needs: package.json's `engines`
# (Node 24 LTS). When the machine's `node` already satisfies it, nothing changes. Otherwise the
# exact version in .nvmrc is taken from the npm registry, where it is published as the package
# `node-<os>-<arch>` (bin/node plus the headers in include/node), unpacked once into `.node/`
# (gitignored), put first on PATH, and `npm_config_nodedir` points node-gyp at its headers so
# native modules (better-sqlite3) are built for it without downloading anything else.
# Needs: bash, tar, and a working `npm` on PATH for the first fetch (any Node ≥ 18 runs it);
# building better-sqlite3 needs python3, make and a C++ compiler. Used by bin/npm and .ci/run.

_un_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# the oldest Node package.json accepts, as "major minor" (engines is "^24.15.0")
_un_min=$(sed -n 's/.*"node": *"^\([0-9]*\)\.\([0-9]*\).*/\1 \2/p' "$_un_root/package.json" | head -n 1)
if [ -z "$_un_min" ]; then
  echo "scripts/use-node.sh: cannot read engines.node (^major.minor.patch) from package.json" >&2
  return 1 2>/dev/null || exit 1
fi

# 0 when the `node` on PATH is within engines (same major, minor at least the minimum)
_un_fits() {
  local have
  have=$(node -p 'process.versions.node' 2>/dev/null) || return 1
  set -- $_un_min "${have%%.*}" "$(echo "$have" | cut -d. -f2)"
  [ "$3" -eq "$1" ] && [ "$4" -ge "$2" ]
}

if ! _un_fits; then
  # npm run by the fetched Node would look for its global npmrc beside that Node; keep the
  # machine's (it may name the CA bundle of a proxy, or a registry mirror)
  if [ -z "${npm_config_globalconfig:-}" ] && _un_global=$(npm config get globalconfig 2>/dev/null) && [ -f "$_un_global" ]; then
    export npm_config_globalconfig="$_un_global"
  fi
  _un_version=$(tr -d ' \nv' < "$_un_root/.nvmrc")
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) _un_platform=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) _un_platform=linux-arm64 ;;
    Darwin-x86_64) _un_platform=darwin-x64 ;;
    Darwin-arm64) _un_platform=darwin-arm64 ;;
    *) echo "scripts/use-node.sh: no Node package for $(uname -s)-$(uname -m); install Node $_un_version yourself" >&2
       return 1 2>/dev/null || exit 1 ;;
  esac
  _un_dir="$_un_root/.node/node-v$_un_version-$_un_platform"
  if [ ! -x "$_un_dir/bin/node" ] || [ ! -f "$_un_dir/include/node/node_version.h" ]; then
    echo "scripts/use-node.sh: $(node -v 2>/dev/null || echo 'no node') on PATH; fetching Node $_un_version (npm package node-$_un_platform) into .node/" >&2
    mkdir -p "$_un_root/.node"
    rm -rf "$_un_dir" "$_un_dir.tmp"
    mkdir -p "$_un_dir.tmp"
    # from inside .node/, so that npm reads no project settings; the tarball's files are under package/
    _un_tgz=$(cd "$_un_root/.node" && npm pack "node-$_un_platform@$_un_version" --silent --json 2>/dev/null | sed -n 's/.*"filename": *"\([^"]*\)".*/\1/p' | head -n 1)
    if [ -z "$_un_tgz" ] || ! tar -xzf "$_un_root/.node/$_un_tgz" -C "$_un_dir.tmp" --strip-components=1; then
      echo "scripts/use-node.sh: could not fetch node-$_un_platform@$_un_version from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    fi
    rm -f "$_un_root/.node/$_un_tgz"
    mv "$_un_dir.tmp" "$_un_dir"
  fi
  export PATH="$_un_dir/bin:$PATH"
  export npm_config_nodedir="$_un_dir"
  if ! _un_fits; then
    echo "scripts/use-node.sh: $_un_dir/bin/node does not run here" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
unset -f _un_fits
unset _un_root _un_min _un_version _un_platform _un_dir _un_tgz _un_global
