# Sourced by .ci/run (or by hand: `source .ci/postgres.sh && pg_start`): a throwaway PostgreSQL
# on loopback, in a temporary directory, run by an unprivileged user, stopped on exit.
# Exports TOLLGATE_POSTGRES_URL for the tollgate-store-postgres tests.

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
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-h 127.0.0.1 -p $port -k $PG_DIR -c max_connections=200" start >/dev/null
  export TOLLGATE_POSTGRES_URL="postgres://tollgate@127.0.0.1:$port/postgres"
  PG_CTL=("${run[@]}" "$bin/pg_ctl")
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_CTL[@]}" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=
  fi
}
