#!/usr/bin/env bash
# Start the machine's PostgreSQL cluster and make a test role and database; print the URL for the tests.
set -euo pipefail
version=$(ls /etc/postgresql | sort -V | tail -n 1)
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true  # "already running" is fine
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done >&2
as_pg() { su postgres -c "$1"; }
as_pg "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='docsend'\"" | grep -q 1 \
  || as_pg "psql -qc \"CREATE ROLE docsend LOGIN PASSWORD 'docsend' CREATEDB\""
as_pg "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='docsend_test'\"" | grep -q 1 \
  || as_pg "createdb -O docsend docsend_test"
echo "postgresql://docsend:docsend@127.0.0.1:5432/docsend_test"
