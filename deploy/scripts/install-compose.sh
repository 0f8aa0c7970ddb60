#!/usr/bin/env bash
# Build the Docker Compose CLI (pinned) from the Go module proxy into .local/downloads/bin/docker-compose.
# `docker-compose config` validates and renders deploy/docker-compose.yml without a Docker engine,
# which is all the tests need. Idempotent. A cold build downloads ~300 modules and takes ~3 minutes.
#
# `go install github.com/docker/compose/v2/cmd@...` is refused because compose's go.mod carries
# `exclude` directives, so the module is fetched with `go mod download` and built as the main module.
set -euo pipefail
cd "$(dirname "$0")/../.."

COMPOSE_VERSION="${COMPOSE_VERSION:-v2.40.3}"
BIN_DIR="${STACK_DOWNLOADS:-$PWD/.local/downloads}/bin"
TARGET="$BIN_DIR/docker-compose"
MARKER="$BIN_DIR/.docker-compose-$COMPOSE_VERSION"

if [ -x "$TARGET" ] && [ -e "$MARKER" ]; then
  echo "docker-compose $COMPOSE_VERSION already at $TARGET"
  exit 0
fi
command -v go >/dev/null || { echo "error: Go is needed to build docker-compose (Debian: apt-get install golang)" >&2; exit 1; }

module="github.com/docker/compose/v2@${COMPOSE_VERSION}"
src_dir="$(go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$src_dir" ] || { echo "error: could not download $module" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$src_dir/." "$work/"
chmod -R u+w "$work"
mkdir -p "$BIN_DIR"
echo "Building docker-compose $COMPOSE_VERSION into $BIN_DIR"
(cd "$work" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}" \
  -o "$TARGET" ./cmd)
rm -f "$BIN_DIR"/.docker-compose-*
touch "$MARKER"
"$TARGET" version
