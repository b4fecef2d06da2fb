# syntax=docker/dockerfile:1
#
# The nongsan server as a small image: built in the official Rust image,
# run in debian:bookworm-slim with only libpq5 and CA certificates, as a
# non-root user whose data (SQLite, master key file, local photos) lives in
# the /data volume.
#
#   docker build -t nongsan .
#   docker run -p 8080:8080 -v nongsan-data:/data nongsan serve --demo
#
# Checked here with hadolint and by reading (scripts/check-deploy-files.sh);
# no image has been built on our machines (no Docker engine runs there).

# --- skeleton: what decides the dependency build, and nothing else --------
# The manifests, the lock file, and each target's root file replaced by an
# empty program. A source edit leaves this stage's output byte-for-byte the
# same, so the dependency layer below stays cached; a new dependency or a
# new crate rebuilds it.
FROM rust:1-bookworm AS skeleton
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY . .
RUN mkdir /skeleton \
 && find . \( -name Cargo.toml -o -name Cargo.lock \) -not -path './target/*' -print0 \
      | xargs -0 -I{} cp --parents {} /skeleton/ \
 && find crates tests \( -path '*/src/lib.rs' -o -path '*/src/main.rs' -o -path '*/src/bin/*.rs' \
      -o -name build.rs -o -path '*/benches/*.rs' -o -path tests/main.rs \) -print0 \
      | while IFS= read -r -d '' f; do \
          mkdir -p "/skeleton/$(dirname "$f")" && echo 'fn main() {}' > "/skeleton/$f"; \
        done

# --- builder -----------------------------------------------------------------
FROM rust:1-bookworm AS builder
# libpq-dev links diesel's PostgreSQL backend (the Rust image usually has it;
# installing it says so). Not pinned: bookworm's security updates replace
# the version, and a pin would break the build when they do.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies only: every crate of the lock file compiled against the
# empty workspace crates. Cached until a manifest or Cargo.lock changes.
COPY --from=skeleton /skeleton/ ./
RUN cargo build --release --locked -p server
# The real sources. COPY keeps the files' own times, which may be older than
# the stubs just compiled: touch them, or cargo would keep the stub binary.
COPY . .
RUN find crates tests migrations -type f -exec touch {} + \
 && cargo build --release --locked -p server \
 && cp target/release/nongsan /usr/local/bin/nongsan

# --- runtime -----------------------------------------------------------------
FROM debian:bookworm-slim
# libpq5 for PostgreSQL, ca-certificates for an S3 photo store over HTTPS.
# SQLite and the web pages are inside the binary.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# A fixed numeric id, so that a volume prepared elsewhere (or an
# orchestrator's runAsNonRoot check) can name it. /data is 0700: the
# database and the master key file are the operator's alone.
RUN groupadd --system --gid 10001 nongsan \
 && useradd --system --uid 10001 --gid nongsan --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin nongsan \
 && mkdir -p /data \
 && chown nongsan:nongsan /data \
 && chmod 0700 /data
COPY --from=builder /usr/local/bin/nongsan /usr/local/bin/nongsan
ENV NONGSAN_DATA_DIR=/data \
    NONGSAN_BIND=0.0.0.0:8080
USER 10001:10001
# A new named volume is filled from the image, so it starts owned by
# nongsan; a bind mount must be made writable by uid 10001 beforehand.
VOLUME ["/data"]
EXPOSE 8080
# The binary has no health-check command and the image has no curl: bash
# (part of every Debian image) speaks HTTP/1.0 to /healthz over /dev/tcp on
# the port NONGSAN_BIND names, and only a 200 (the database answered) passes.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/${NONGSAN_BIND##*:}\" && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["nongsan"]
CMD ["serve"]
