# Shared by scripts/run and scripts/test: install what building and testing need, once.
# Tools go to a directory outside the checkout so a fresh clone reuses them.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${ASSENT_TOOLS_DIR:-$HOME/.cache/assent/tools}"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"
TERSER_VERSION="5.51.4"
CARGO_FUZZ_VERSION="0.13.2"
SCHEMATHESIS_VERSION="4.32.5"
export PATH="$TOOLS_DIR/bin:$TOOLS_DIR/npm/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION into $TOOLS_DIR (about 8 minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked --root "$TOOLS_DIR"
  fi
}

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local want
  want="$(grep -A1 '^name = "wasm-bindgen"$' "$REPO_ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want"; then
    say "installing wasm-bindgen-cli $want into $TOOLS_DIR (about 3 minutes, once)"
    cargo install wasm-bindgen-cli --version "$want" --root "$TOOLS_DIR"
  fi
}

# The build's npm tools live in one prefix; installing one (re)installs both at their pins.
install_npm_tools() {
  mkdir -p "$TOOLS_DIR/npm"
  npm install --no-audit --no-fund --prefix "$TOOLS_DIR/npm" "binaryen@$BINARYEN_VERSION" "terser@$TERSER_VERSION" >/dev/null
}

ensure_wasm_opt() {
  if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
    install_npm_tools
  fi
}

ensure_terser() {
  if ! terser --version 2>/dev/null | grep -q "$TERSER_VERSION"; then
    say "installing terser $TERSER_VERSION (npm) to minify the loader"
    install_npm_tools
  fi
}

ensure_node() {
  if ! command -v npm >/dev/null; then
    say "installing Node.js and npm (Debian packages)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
}

# The banner is built on nightly when this machine has one: build-std with size-optimized
# std and immediate-abort panics make it ~20% smaller. The rest of the workspace stays stable.
ensure_nightly_for_banner() {
  if [ "${ASSENT_BANNER_STABLE:-}" = 1 ] || ! rustup toolchain list | grep -q '^nightly'; then
    say "building the banner on stable (no nightly toolchain): it works, but is ~20% larger"
    BANNER_NIGHTLY=0
    return
  fi
  BANNER_NIGHTLY=1
  if ! rustup +nightly component list --installed | grep -q '^rust-src'; then
    say "adding rust-src to the nightly toolchain (for the banner's build-std)"
    rustup component add rust-src --toolchain nightly || BANNER_NIGHTLY=0
  fi
  if ! rustup +nightly target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target to the nightly toolchain"
    rustup +nightly target add wasm32-unknown-unknown || BANNER_NIGHTLY=0
  fi
  if [ "$BANNER_NIGHTLY" = 0 ]; then
    say "could not complete the nightly toolchain: building the banner on stable (~20% larger)"
  fi
}

# The fuzz targets (fuzz/) need cargo-fuzz and a nightly toolchain (libFuzzer's coverage
# instrumentation is unstable). FUZZ_NIGHTLY=0 when this machine has no nightly.
ensure_cargo_fuzz() {
  FUZZ_NIGHTLY=1
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "no nightly toolchain: the fuzz targets cannot be built"
    FUZZ_NIGHTLY=0
    return
  fi
  if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION"; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS_DIR (about 2 minutes, once)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$TOOLS_DIR"
  fi
}

# Schemathesis (PyPI) in its own virtualenv under the tools directory, run as $SCHEMATHESIS
# (its Python stays off PATH).
SCHEMATHESIS="$TOOLS_DIR/schemathesis/bin/schemathesis"
ensure_schemathesis() {
  local venv="$TOOLS_DIR/schemathesis"
  if ! "$SCHEMATHESIS" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into $venv"
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

ensure_build_tools() {
  ensure_node
  ensure_wasm_target
  ensure_nightly_for_banner
  ensure_trunk
  ensure_wasm_bindgen
  ensure_wasm_opt
  ensure_terser
}

ensure_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

ensure_e2e_packages() {
  local stamp="$REPO_ROOT/e2e/node_modules/.assent-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$REPO_ROOT/e2e/package-lock.json" "$stamp"; then
    say "installing the browser-test npm packages"
    (cd "$REPO_ROOT/e2e" && npm ci --no-audit --no-fund >/dev/null)
    cp "$REPO_ROOT/e2e/package-lock.json" "$stamp"
  fi
}

build_frontend() {
  say "building the banner (trunk build --release)"
  (
    cd "$REPO_ROOT"
    # The banner's three builds (every first visit downloads one): on nightly's size recipe
    # where the machine has it.
    if [ "${BANNER_NIGHTLY:-0}" = 1 ]; then
      export RUSTUP_TOOLCHAIN=nightly \
        CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
        CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
        CARGO_UNSTABLE_PANIC_IMMEDIATE_ABORT=true \
        CARGO_PROFILE_WASM_RELEASE_PANIC=immediate-abort \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zlocation-detail=none"
      # Trunk runs offline: std's own dependencies must be in the registry cache first.
      cargo fetch -q -Zbuild-std --target wasm32-unknown-unknown
    fi
    trunk build --release >/dev/null
    say "building the banner's first-visit bundle (trunk build --release app/first-visit.html)"
    trunk build app/first-visit.html --release --dist dist/first-visit --public-url /assets/first-visit/ >/dev/null
    say "building the banner with its IAB TCF layer (trunk build --release app/banner-tcf.html)"
    trunk build app/banner-tcf.html --release --dist dist/banner-tcf --public-url /assets/banner-tcf/ >/dev/null
  )
  say "building the privacy-settings page (trunk build --release app/settings.html)"
  (cd "$REPO_ROOT" && trunk build app/settings.html --release --dist dist/settings --public-url /assets/settings/ >/dev/null)
  say "building the site owners' dashboard (trunk build --release app/admin.html)"
  (cd "$REPO_ROOT" && trunk build app/admin.html --release --dist dist/admin --public-url /assets/admin/ >/dev/null)
  # wasm-bindgen's JS glue, minified (export and import names are kept: the wasm links by them).
  local glue
  for glue in "$REPO_ROOT"/dist/banner/assent-banner-*.js "$REPO_ROOT"/dist/banner-tcf/assent-banner-*.js \
    "$REPO_ROOT"/dist/first-visit/assent-first-visit-*.js \
    "$REPO_ROOT"/dist/settings/assent-settings-*.js \
    "$REPO_ROOT"/dist/admin/assent-admin-*.js; do
    terser "$glue" --module --compress --mangle -o "$glue.min" && mv "$glue.min" "$glue"
  done
  # The loader is sent on every page view: minified (the server falls back to the source).
  mkdir -p "$REPO_ROOT/dist/loader"
  terser "$REPO_ROOT/public/embed.js" --compress --mangle -o "$REPO_ROOT/dist/loader/embed.js"
  # Precompressed copies: the server sends .br / .gz to browsers that accept them.
  node -e '
    const fs = require("fs"), zlib = require("zlib"), path = require("path");
    for (const dir of process.argv.slice(1)) {
      for (const f of fs.readdirSync(dir).filter((f) => /\.(js|wasm)$/.test(f))) {
        const raw = fs.readFileSync(path.join(dir, f));
        fs.writeFileSync(path.join(dir, f + ".br"), zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
        fs.writeFileSync(path.join(dir, f + ".gz"), zlib.gzipSync(raw, { level: 9 }));
      }
    }' "$REPO_ROOT/dist/banner" "$REPO_ROOT/dist/first-visit" "$REPO_ROOT/dist/banner-tcf" "$REPO_ROOT/dist/settings" "$REPO_ROOT/dist/admin"
}
