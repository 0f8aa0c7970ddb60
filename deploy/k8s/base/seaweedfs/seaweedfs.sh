#!/bin/sh
# SeaweedFS, the S3 store of the Iceberg warehouse: the same `weed server -s3` as the local stack.
# Shared by docker compose (mounted) and Kubernetes (a ConfigMap); runs in chrislusf/seaweedfs.
#
#   seaweedfs.sh serve          master + volume + filer + S3 gateway (:8333) in one process, data in
#                               /data. The S3 identity comes from S3_ACCESS_KEY_ID and
#                               S3_SECRET_ACCESS_KEY and may read, write, list and tag only the
#                               bucket S3_BUCKET. No anonymous access.
#   seaweedfs.sh ensure-bucket  one-shot: creates S3_BUCKET, owned by that identity, unless it is
#                               there; exits 0 only once the bucket is listed.
#
# SEAWEEDFS_HOST is the name the server is reachable by (its components register under it, and
# `weed shell` reaches the master and the filer through it); SEAWEEDFS_DIR is its data folder.
set -eu

bucket="${S3_BUCKET:-warehouse}"
host="${SEAWEEDFS_HOST:-seaweedfs}"
data="${SEAWEEDFS_DIR:-/data}"
identity="tmdb-warehouse"

serve() {
  : "${S3_ACCESS_KEY_ID:?set S3_ACCESS_KEY_ID (the warehouse identity)}"
  : "${S3_SECRET_ACCESS_KEY:?set S3_SECRET_ACCESS_KEY (the warehouse identity)}"
  for value in "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY" "$bucket"; do
    case "$value" in
      *[!A-Za-z0-9._~+/=-]*)
        echo "seaweedfs: S3 keys and the bucket name may hold only letters, digits and ._~+/=- (they are written into the S3 identities file)" >&2
        exit 64
        ;;
    esac
  done
  config="${TMPDIR:-/tmp}/seaweedfs-s3.json"
  umask 077
  cat > "$config" <<JSON
{
  "identities": [
    {
      "name": "${identity}",
      "credentials": [{"accessKey": "${S3_ACCESS_KEY_ID}", "secretKey": "${S3_SECRET_ACCESS_KEY}"}],
      "actions": ["Read:${bucket}", "Write:${bucket}", "List:${bucket}", "Tagging:${bucket}"]
    }
  ]
}
JSON
  # As the local stack (tmdb_pipeline/stack/s3.py) runs it, on SeaweedFS's default ports. SeaweedFS's
  # own Iceberg catalog and Lance server stay off: the catalog is iceberg-rest.
  exec weed -logtostderr=true server \
    -dir="$data" -volume.max=0 -master.volumeSizeLimitMB=1024 \
    -ip="$host" -ip.bind=0.0.0.0 \
    -filer -s3 -s3.port=8333 -s3.config="$config" -s3.port.iceberg=0 -s3.port.lance=0
}

weed_shell() {
  # `weed shell` exits 0 even when a command fails: callers check the outcome themselves
  echo "$1" | timeout 20 weed shell -master="${host}:9333" 2>&1 || true
}

has_bucket() {
  weed_shell "s3.bucket.list" | grep -Eq "^[[:space:]]*${bucket}[[:space:]]"
}

ensure_bucket() {
  tries=0
  until has_bucket; do
    tries=$((tries + 1))
    if [ "$tries" -gt 30 ]; then
      echo "seaweedfs: bucket ${bucket} still missing after 30 tries (is ${host}:9333 up?)" >&2
      exit 1
    fi
    weed_shell "s3.bucket.create -name ${bucket} -owner ${identity}"
    sleep 2
  done
  echo "seaweedfs: bucket ${bucket} is there (owner ${identity})"
}

case "${1:-}" in
  serve) serve ;;
  ensure-bucket) ensure_bucket ;;
  *)
    echo "usage: seaweedfs.sh serve|ensure-bucket" >&2
    exit 64
    ;;
esac
