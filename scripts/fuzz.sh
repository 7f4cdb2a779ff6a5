#!/usr/bin/env bash
# Fuzzes every Jazzer @FuzzTest in the tree for its maxDuration, one Maven run per target
# (Jazzer fuzzes a single test per JVM). Plain `mvn verify` only replays the checked-in
# corpora; this really fuzzes. A crash makes the run fail and Jazzer writes the input under
# src/test/resources/<package>/<Class>Inputs/<method>/, where it then replays in every build.
#   scripts/fuzz.sh            every target
#   scripts/fuzz.sh Gossip     only targets whose class name contains "Gossip"
#   FUZZ_SECONDS=120 scripts/fuzz.sh Gossip   fuzz longer than the default
# Each target fuzzes FUZZ_SECONDS (default 15). The 13 targets took 659 s in all on 2 shared
# cores at load 11-22 (Maven and Jazzer start-up is most of each target's ~50 s); on an idle
# machine the start-up is a fraction of that. The @FuzzTest maxDuration is what
# an IDE run uses; here it is overridden through the libFuzzer arguments Jazzer's JUnit
# integration takes from jazzer.internal.arg.N (arg.0 is argv[0]; a later flag wins).
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"
seconds="${FUZZ_SECONDS:-15}"
start=$SECONDS
failed=()
count=0
while IFS= read -r file; do
  module="${file%%/src/test/*}"
  class="$(basename "$file" .java)"
  [[ -n "$filter" && "$class" != *"$filter"* ]] && continue
  # the first method declared after each @FuzzTest, whatever annotations come between
  for method in $(awk '/@FuzzTest/ { want = 1 } want && match($0, /void [A-Za-z0-9_]+/) { print substr($0, RSTART + 5, RLENGTH - 5); want = 0 }' "$file"); do
    count=$((count + 1))
    echo "fuzz: $module $class#$method"
    if ! JAZZER_FUZZ=1 mvn -B -q -pl "$module" -am test -Dtest="$class#$method" \
        -Dsurefire.failIfNoSpecifiedTests=false -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
        -Djazzer.internal.arg.0=fuzz.sh "-Djazzer.internal.arg.1=-max_total_time=$seconds"; then
      failed+=("$class#$method")
    fi
  done
done < <(grep -rl --include='*.java' '@FuzzTest' . | grep '/src/test/' | sed 's|^\./||' | sort)
echo "fuzz: $count target(s) of ${seconds} s in $((SECONDS - start)) s, ${#failed[@]} failed ${failed[*]:-}"
[[ ${#failed[@]} -eq 0 ]]
