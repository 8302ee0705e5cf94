# Sourced by .ci/run (or by hand: `source .ci/postgres.sh && pg_start`): a throwaway PostgreSQL
# on loopback, in a temporary directory, run by an unprivileged user, stopped on exit.
# Exports TOLLGATE_POSTGRES_URL for the tollgate-store-postgres tests: TLS with a throwaway CA,
# `sslmode=verify-full`, so that every test connects as a cluster's nodes should. The CA's
# certificate is TOLLGATE_POSTGRES_CA; a second, unrelated one is TOLLGATE_POSTGRES_OTHER_CA
# (for the tests that a wrong CA is refused).

pg_bin() {
  local found
  found=$(command -v initdb 2>/dev/null || true)
  if [ -n "$found" ]; then dirname "$(readlink -f "$found")"; return; fi
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && echo "$found"
}

pg_start() {
  local bin
  bin=$(pg_bin)
  if [ -z "$bin" ]; then
    echo "PostgreSQL is missing: installing Debian's package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
  fi
  [ -n "$bin" ] || { echo "no PostgreSQL binaries after installing"; return 1; }

  PG_DIR=$(mktemp -d /tmp/tollgate-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root.
    local user=postgres
    id "$user" >/dev/null 2>&1 || { user=tollgate-ci; id "$user" >/dev/null 2>&1 || useradd -r -M "$user"; }
    chown "$user" "$PG_DIR"
    run=(runuser -u "$user" --)
  fi
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U tollgate --no-sync -E UTF8 >/dev/null
  pg_certificates "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown -R "$user" "$PG_DIR"; fi
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-h 127.0.0.1 -p $port -k $PG_DIR -c max_connections=200 -c ssl=on \
        -c ssl_cert_file=$PG_DIR/server.crt -c ssl_key_file=$PG_DIR/server.key" start >/dev/null
  export TOLLGATE_POSTGRES_CA="$PG_DIR/ca.crt"
  export TOLLGATE_POSTGRES_OTHER_CA="$PG_DIR/other-ca.crt"
  export TOLLGATE_POSTGRES_URL="postgres://tollgate@127.0.0.1:$port/postgres?sslmode=verify-full&sslrootcert=$TOLLGATE_POSTGRES_CA"
  PG_CTL=("${run[@]}" "$bin/pg_ctl")
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

# A CA, a server certificate it issued for 127.0.0.1 and localhost, and an unrelated CA.
pg_certificates() {
  local dir=$1
  (
    cd "$dir"
    for ca in ca other-ca; do
      openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca.key" -out "$ca.crt" -days 2 \
        -subj "/CN=tollgate throwaway $ca" 2>/dev/null
    done
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
      -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.crt 2>/dev/null
    chmod 600 server.key
  )
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_CTL[@]}" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=
  fi
}
