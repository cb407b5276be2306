#!/bin/sh
# Install Debian's WordPress, PHP CLI and MariaDB for the live WordPress connector test
# (tests/support/wordpress.py calls this). Idempotent: does nothing when all is there.
# Needs root, as on CI. Other setup scripts may run apt at the same time: wait for the locks.
set -eu

missing=""
[ -f /usr/share/wordpress/wp-includes/version.php ] || missing="$missing wordpress"
command -v php >/dev/null 2>&1 || missing="$missing php-cli"
php -m 2>/dev/null | grep -qi '^mysqli$' || missing="$missing php-mysql"
[ -x /usr/sbin/mariadbd ] || command -v mariadbd >/dev/null 2>&1 || missing="$missing mariadb-server"
command -v mariadb-install-db >/dev/null 2>&1 || missing="$missing mariadb-server"

[ -z "$missing" ] && exit 0

echo "install-packages.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 "$@" >&2; }
for attempt in 1 2 3; do
  apt_get update && break
  [ "$attempt" = 3 ] && exit 1
  sleep 10
done
apt_get install -y --no-install-recommends wordpress php-cli php-mysql mariadb-server
