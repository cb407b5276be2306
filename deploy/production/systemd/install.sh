#!/bin/sh
# Installs the hub's systemd units, system user, folders and settings file.
#
#   deploy/production/systemd/install.sh [--root DIR] [--app-dir DIR]
#
# --root DIR     install into DIR instead of / (a scratch root, an image being built);
#                nothing outside DIR is touched, and no service is started.
# --app-dir DIR  where the hub is checked out with its .venv (default /opt/familienhub);
#                written into the units' WorkingDirectory and ExecStart.
# The settings file /etc/familienhub/familienhub.env is created from the example only when
# missing (mode 0640): fill in its secrets, then
#   systemctl enable --now familienhub-api familienhub-worker familienhub-events familienhub-beat
set -eu

root=/
app_dir=/opt/familienhub
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root="$2"; shift 2 ;;
        --app-dir) app_dir="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=${root%/}

install -d -m 0755 "$root/etc/systemd/system" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d"
install -d -m 0750 "$root/etc/familienhub"
for unit in familienhub-api familienhub-worker familienhub-events familienhub-beat; do
    sed "s#/opt/familienhub#$app_dir#g" "$here/$unit.service" > "$root/etc/systemd/system/$unit.service"
    chmod 0644 "$root/etc/systemd/system/$unit.service"
done
install -m 0644 "$here/familienhub.sysusers" "$root/usr/lib/sysusers.d/familienhub.conf"
install -m 0644 "$here/familienhub.tmpfiles" "$root/usr/lib/tmpfiles.d/familienhub.conf"
if [ ! -e "$root/etc/familienhub/familienhub.env" ]; then
    install -m 0640 "$here/../familienhub.env.example" "$root/etc/familienhub/familienhub.env"
fi

# the user and the folders, created the way the system will create them at boot
if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers --root="${root:-/}" "$root/usr/lib/sysusers.d/familienhub.conf"
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --root="${root:-/}" --create "$root/usr/lib/tmpfiles.d/familienhub.conf"
fi
chgrp familienhub "$root/etc/familienhub" "$root/etc/familienhub/familienhub.env" 2>/dev/null || true

if [ -z "$root" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
fi
echo "installed into ${root:-/}: units familienhub-{api,worker,events,beat}.service (app in $app_dir)"
