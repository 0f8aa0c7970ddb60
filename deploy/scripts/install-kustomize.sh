#!/usr/bin/env bash
# Build kustomize (pinned) from the Go module proxy into .local/downloads/bin/ (or $STACK_DOWNLOADS/bin).
# Idempotent: an existing binary of the pinned version is kept. Used by tests/unit/deploy when no
# kustomize is on PATH; `kubectl kustomize` (kustomize built into kubectl) is the other fallback.
set -euo pipefail
cd "$(dirname "$0")/../.."

# v5.8.3 needs Go >= 1.27; v5.8.2 builds with Go 1.26.
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"
BIN_DIR="${STACK_DOWNLOADS:-$PWD/.local/downloads}/bin"
TARGET="$BIN_DIR/kustomize"

if [ -x "$TARGET" ] && [ "$("$TARGET" version 2>/dev/null)" = "$KUSTOMIZE_VERSION" ]; then
  echo "kustomize $KUSTOMIZE_VERSION already at $TARGET"
  exit 0
fi
command -v go >/dev/null || { echo "error: Go is needed to build kustomize (Debian: apt-get install golang)" >&2; exit 1; }

mkdir -p "$BIN_DIR"
echo "Building kustomize $KUSTOMIZE_VERSION into $BIN_DIR"
GOBIN="$BIN_DIR" CGO_ENABLED=0 GOFLAGS="-trimpath" \
  go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
"$TARGET" version
