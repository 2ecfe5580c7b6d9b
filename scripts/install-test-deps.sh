#!/usr/bin/env bash
# Debian packages the tests drive as real clients, installed only when absent.
set -euo pipefail
packages=(swaks libnet-ssleay-perl dnsutils bind9-utils python3 curl openssl fetchmail getmail6 chromium isync python3-dkim)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
