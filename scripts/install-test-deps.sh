#!/usr/bin/env bash
# Debian packages the tests drive as real clients, installed only when absent.
# Dovecot and Postfix are the classic stack that `lanpost import` reads from and `lanpost export`
# writes for: the tests run their own instances in temp folders, so the packages' own daemons are
# kept from starting (policy-rc.d) and Postfix gets no configuration of its own.
set -euo pipefail
packages=(swaks libnet-ssleay-perl dnsutils bind9-utils python3 curl openssl fetchmail getmail6 chromium isync python3-dkim dovecot-core dovecot-imapd postfix)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
