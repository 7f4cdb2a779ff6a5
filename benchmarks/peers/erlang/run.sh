#!/usr/bin/env bash
# benchmarks/peers/erlang/run.sh KEY [options] — W1-W4 of WORKLOADS.md on Erlang/OTP distribution
# (rpc:multicall, gen_server:abcast); benchmarks/run KEY --peer erlang comes here. Five nodes on
# 127.0.0.1, each its own OS process, distribution over TCP with default settings and a random
# cookie; the fifth is the driver, which prints the workload's one line on stdout (everything
# else goes to stderr). Needs bash 4.4+. Options as hyphae's: --warmup N, --calls N, --callers N (W2), --msgs N (W3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
usage() {
  echo "usage: benchmarks/run W1|W2|W3|W4 --peer erlang [--warmup N] [--calls N] [--callers N] [--msgs N]" >&2
  exit 2
}
key="${1:-}"
[[ $# -gt 0 ]] && shift
case "$key" in W1|W2|W3|W4) ;; *) usage ;; esac
opts=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --peer) [[ "${2:-}" == erlang ]] || usage; shift 2 ;;
    --warmup|--calls|--callers|--msgs) [[ "${2:-}" =~ ^[0-9]+$ ]] || usage; opts+=("${1#--}=$2"); shift 2 ;;
    *) usage ;;
  esac
done
command -v erl >/dev/null && command -v erlc >/dev/null || "$here/install.sh"

ebin="$(mktemp -d "${TMPDIR:-/tmp}/hyphae-peer-erlang.XXXXXX")"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$ebin"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

erlc -o "$ebin" "$here/hyphae_peer_bench.erl" >&2
cookie="c$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
run="$$"
driver="n0_$run@127.0.0.1"
others=()
# Extra erl flags for all five nodes, for diagnosis only (the figures are taken with defaults):
# HYPHAE_BENCH_ERL_OPTS="-kernel prevent_overlapping_partitions false"
read -r -a extra <<< "${HYPHAE_BENCH_ERL_OPTS:-}"
# erl execs erlexec, which execs beam.smp: $! is the node's OS process.
for k in 1 2 3 4; do
  name="n${k}_$run@127.0.0.1"
  others+=("$name")
  erl -noshell -name "$name" -setcookie "$cookie" -pa "$ebin" "${extra[@]}" -run hyphae_peer_bench node "$driver" </dev/null >&2 &
  pids+=("$!")
done
csv="$(IFS=,; echo "${others[*]}")"
# The driver's stdout carries the result line only: its log reports (global's, in W4) go to stderr.
stderr_logger='[{handler,default,logger_std_h,#{config => #{type => standard_error}}}]'
erl -noshell -name "$driver" -setcookie "$cookie" -pa "$ebin" -kernel logger "$stderr_logger" "${extra[@]}" -run hyphae_peer_bench main "$key" "$csv" "${opts[@]}" </dev/null &
pids+=("$!")
rc=0
wait "$!" || rc=$?
exit "$rc"
