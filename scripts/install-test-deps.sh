#!/usr/bin/env bash
# Installs the system tools hyphae's tests use on a bare Debian machine, and nothing else:
#   dnsmasq   - a real DNS server the dns strategy's tests start on a loopback port
#   iproute2  - network namespaces, veth and bridges for the multi-host tests
#   openssl   - (present on most machines) inspecting the certificates tests make
# Safe to run again: it only installs what is missing. Without root it says what is missing
# and goes on; the tests that need the missing tool are then skipped with that reason, except
# under CI (CI=true), where they fail and name this script.
set -euo pipefail

need=()
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || need+=(iproute2)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${need[*]}; run as root (or apt-get install ${need[*]}) to run every test" >&2
  exit 0
fi
echo "install-test-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
