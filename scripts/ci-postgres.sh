#!/usr/bin/env bash
# Gets the Debian PostgreSQL cluster ready for the portal store's integration tests and prints the
# admin URL they read, as a line for `eval`:
#
#   eval "$(scripts/ci-postgres.sh)"   # exports WAYGATE_TEST_DATABASE_URL
#
# Idempotent: creates the cluster only if there is none, starts it only if it is down, and (re)sets
# the `waygate` role. The server listens on 127.0.0.1 only. Needs root (apt-get install postgresql).
# Everything but the final export goes to stderr, so `eval` sees only that line.
set -euo pipefail

log() { echo "ci-postgres: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "run as root (it manages the system cluster through pg_ctlcluster)"
  exit 1
fi
if ! command -v pg_lsclusters >/dev/null; then
  log "PostgreSQL is not installed: apt-get install -y postgresql"
  exit 1
fi

# The newest installed server version; Debian 12 ships 15, others differ, so detect it.
version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
if [[ -z $version ]]; then
  log "no PostgreSQL server found under /usr/lib/postgresql"
  exit 1
fi
cluster=main

# Field of our cluster's line in pg_lsclusters (3 = port, 4 = status); empty when there is no cluster.
cluster_field() { pg_lsclusters --no-header | awk -v v="$version" -v c="$cluster" -v f="$1" '$1 == v && $2 == c { print $f }'; }

if [[ -z $(cluster_field 2) ]]; then
  log "creating cluster $version/$cluster"
  pg_createcluster "$version" "$cluster" >&2
fi

# Tests need no one else to reach this server. A drop-in in conf.d (which Debian's postgresql.conf
# includes last) rather than editing postgresql.conf, so the packaged file stays untouched; a changed
# drop-in needs a restart to take effect.
dropin=/etc/postgresql/$version/$cluster/conf.d/waygate-ci.conf
wanted="listen_addresses = '127.0.0.1'"
if [[ ! -f $dropin || $(cat "$dropin") != "$wanted" ]]; then
  echo "$wanted" >"$dropin"
  if [[ $(cluster_field 4) == online ]]; then
    log "restarting $version/$cluster to listen on 127.0.0.1 only"
    pg_ctlcluster "$version" "$cluster" restart >&2
  fi
fi

port=$(cluster_field 3)
if [[ $(cluster_field 4) != online ]]; then
  log "starting $version/$cluster on 127.0.0.1:$port"
  pg_ctlcluster "$version" "$cluster" start >&2
fi

for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
  log "the server did not come up; see /var/log/postgresql/postgresql-$version-$cluster.log"
  exit 1
fi

# CREATEDB because every test file creates (and drops) its own database. Debian's pg_hba.conf asks
# TCP clients on 127.0.0.1 for a password (scram-sha-256), so the role needs one.
runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 -d postgres >&2 <<'SQL'
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'waygate') THEN
    ALTER ROLE waygate LOGIN CREATEDB PASSWORD 'waygate';
  ELSE
    CREATE ROLE waygate LOGIN CREATEDB PASSWORD 'waygate';
  END IF;
END
$$;
SQL

log "PostgreSQL $version ready on 127.0.0.1:$port"
echo "export WAYGATE_TEST_DATABASE_URL=postgres://waygate:waygate@127.0.0.1:$port/postgres"
