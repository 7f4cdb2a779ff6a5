#!/usr/bin/env bash
# benchmarks/peers/erlang/install.sh — installs Erlang/OTP (erl, erlc, epmd) for the Erlang peer
# of W1-W4 (benchmarks/run W1 --peer erlang). Benchmarks only: the test suite never needs it.
# Does nothing when erl and erlc are on the PATH; otherwise needs root and apt-get (Debian 12
# ships erlang-base 1:25.2.3, i.e. OTP 25: erts, kernel, stdlib, compiler, epmd).
set -euo pipefail
if command -v erl >/dev/null && command -v erlc >/dev/null; then
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "install.sh: erl/erlc not found and not root: install Erlang/OTP 25 (Debian: apt-get install -y erlang-base) and run again" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "install.sh: erl/erlc not found and no apt-get here: install Erlang/OTP 25 by hand" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y erlang-base >&2 || { apt-get update >&2 && apt-get install -y erlang-base >&2; }
command -v erl >/dev/null && command -v erlc >/dev/null || { echo "install.sh: erlang-base installed but erl/erlc still missing" >&2; exit 1; }
