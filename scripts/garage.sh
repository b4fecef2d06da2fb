#!/usr/bin/env bash
# A one-node Garage (an S3-compatible object store) for the photo store
# tests, started in the background with its data in a temporary folder.
#
#   eval "$(bash scripts/garage.sh)"     # starts it, exports NONGSAN_TEST_S3_*
#
# Garage is built from the crates registry the first time (about ten
# minutes on two cores) into $NONGSAN_TOOLS (default ~/.cache/nongsan-tools),
# where later runs find it. Prints `export …` lines on stdout, everything
# else on stderr. The ports are 39000–39003, away from Garage's defaults.
set -euo pipefail

GARAGE_VERSION=2.5.0
tools="${NONGSAN_TOOLS:-$HOME/.cache/nongsan-tools}"
garage="$tools/garage-$GARAGE_VERSION/bin/garage"
if [ ! -x "$garage" ]; then
  echo "building Garage $GARAGE_VERSION into $tools (first time only)" >&2
  # sqlite only: no LMDB to build, the metadata of a test store is small.
  CARGO_TARGET_DIR="$tools/target" cargo install --quiet --locked "garage@$GARAGE_VERSION" \
    --no-default-features --features bundled-libs,sqlite --root "$tools/garage-$GARAGE_VERSION" >&2
  rm -rf "$tools/target"
fi

dir="${NONGSAN_GARAGE_DIR:-$(mktemp -d /tmp/nongsan-garage.XXXXXX)}"
mkdir -p "$dir/meta" "$dir/data"
cat > "$dir/garage.toml" <<EOF
metadata_dir = "$dir/meta"
data_dir = "$dir/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:39001"
rpc_public_addr = "127.0.0.1:39001"
rpc_secret = "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:39000"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:39003"
EOF
g() { "$garage" -c "$dir/garage.toml" "$@"; }

# A store left from an earlier run on this machine: stop it first.
pkill -f "garage -c /tmp/nongsan-garage" 2>/dev/null || true
sleep 0.5
nohup "$garage" -c "$dir/garage.toml" server > "$dir/garage.log" 2>&1 &
for _ in $(seq 1 50); do
  g status >/dev/null 2>&1 && break
  sleep 0.2
done
g status >/dev/null || { cat "$dir/garage.log" >&2; echo "Garage did not start" >&2; exit 1; }

node="$(g node id -q 2>/dev/null | cut -d@ -f1)"
g layout assign -z dc1 -c 1G "$node" >> "$dir/setup.log"
g layout apply --version 1 >> "$dir/setup.log"

# A fixed key, so the variables below are known before Garage is asked.
key_id="GK$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
secret="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
g key import --yes -n nongsan-tests "$key_id" "$secret" >> "$dir/setup.log"
g bucket create nongsan-tests >> "$dir/setup.log"
g bucket allow --read --write --owner nongsan-tests --key nongsan-tests >> "$dir/setup.log"

echo "Garage is up: S3 at http://127.0.0.1:39000, data in $dir" >&2
cat <<EOF
export NONGSAN_TEST_S3_ENDPOINT=http://127.0.0.1:39000
export NONGSAN_TEST_S3_BUCKET=nongsan-tests
export NONGSAN_TEST_S3_REGION=garage
export NONGSAN_TEST_S3_ACCESS_KEY_ID=$key_id
export NONGSAN_TEST_S3_SECRET_ACCESS_KEY=$secret
EOF
