#!/usr/bin/env bash
# Fuzzes every Jazzer @FuzzTest in the tree for FUZZ_SECONDS each. Plain `mvn verify` only
# replays the checked-in corpora; this really fuzzes. A crash makes the run fail and Jazzer
# writes the input under src/test/resources/<package>/<Class>Inputs/<method>/, where it then
# replays in every build.
#   scripts/fuzz.sh            every target
#   scripts/fuzz.sh Gossip     only targets whose class name contains "Gossip"
#   FUZZ_SECONDS=120 scripts/fuzz.sh Gossip   fuzz longer than the default (15)
#   FUZZ_JOBS=2 scripts/fuzz.sh               two targets at a time (CI, on its otherwise idle cores)
# One Maven run compiles what the targets need (incremental: after a `mvn verify` there is
# little to do), writes each module's test class path to target/fuzz-classpath.txt (reactor
# siblings resolve to their target/classes and target/test-classes, nothing is installed) and
# fetches the JUnit console launcher into target/fuzz/. Then each target runs in a plain `java`
# from its module directory (Jazzer fuzzes a single test per JVM, and finds
# src/test/resources from the working directory), its output in target/fuzz/<Class>.<method>.log.
# (A Maven run per target cost ~3 s CPU of start-up and reactor work each; Jazzer's own start-up,
# ~12 s CPU a target, remains: see docs/decisions.md.)
# The @FuzzTest maxDuration is what an IDE run uses; here it is overridden through the
# libFuzzer arguments Jazzer's JUnit integration takes from jazzer.internal.arg.N (arg.0 is
# argv[0]; a later flag wins).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
filter="${1:-}"
seconds="${FUZZ_SECONDS:-15}"
start=$SECONDS

targets=()   # "module class method"
modules=()
while IFS= read -r file; do
  module="${file%%/src/test/*}"
  class="${file#"$module"/src/test/java/}"
  class="${class%.java}"
  class="${class//\//.}"
  [[ -n "$filter" && "${class##*.}" != *"$filter"* ]] && continue
  [[ " ${modules[*]} " == *" $module "* ]] || modules+=("$module")
  # the first method declared after each @FuzzTest, whatever annotations come between
  for method in $(awk '/@FuzzTest/ { want = 1 } want && match($0, /void [A-Za-z0-9_]+/) { print substr($0, RSTART + 5, RLENGTH - 5); want = 0 }' "$file"); do
    targets+=("$module $class $method")
  done
done < <(grep -rl --include='*.java' '@FuzzTest' . | grep '/src/test/' | sed 's|^\./||' | sort)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz: no @FuzzTest class matches '$filter'" >&2
  exit 1
fi

# The console launcher of the JUnit Platform the root pom pins (Platform 1.x goes with JUnit 5.x).
junit="$(sed -n 's|.*<junit.version>5\.\(.*\)</junit.version>.*|\1|p' pom.xml)"
launcher="$root/target/fuzz/junit-platform-console-standalone-1.$junit.jar"
echo "fuzz: preparing ${modules[*]}"
mvn -B -q -pl "$(IFS=,; echo "${modules[*]}")" -am test-compile \
  dependency:build-classpath -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test \
  dependency:copy "-Dartifact=org.junit.platform:junit-platform-console-standalone:1.$junit" \
  -DoutputDirectory="$root/target/fuzz"

# One target in a plain java; its verdict is the exit status (0 only if it really fuzzed).
fuzz_one() {
  local module="$1" class="$2" method="$3" log began done
  log="$root/target/fuzz/${class##*.}.$method.log"
  began=$SECONDS
  if (cd "$module" && JAZZER_FUZZ=1 java \
        -cp "target/test-classes:target/classes:$(< target/fuzz-classpath.txt):$launcher" \
        -Dbasedir="$PWD" -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
        -Djazzer.internal.arg.0=fuzz.sh "-Djazzer.internal.arg.1=-max_total_time=$seconds" \
        org.junit.platform.console.ConsoleLauncher execute --disable-banner --disable-ansi-colors \
        --details=summary --fail-if-no-tests \
        --select-class "$class" --include-methodname "${class//./\\.}#$method") > "$log" 2>&1 \
      && done="$(grep -m1 '^Done [0-9]* runs' "$log")"; then   # no summary: it did not fuzz
    echo "fuzz: $module ${class##*.}#$method: $done ($((SECONDS - began)) s)"
  else
    tail -n 60 "$log"
    echo "fuzz: $module ${class##*.}#$method FAILED ($((SECONDS - began)) s), full output in $log"
    return 1
  fi
}

# FUZZ_JOBS targets at a time (default 1). CI sets 2: after its build the two cores are idle,
# so each of two targets still has a core of its own, and Jazzer's start-up overlaps.
jobs_max="${FUZZ_JOBS:-1}"
verdicts="$root/target/fuzz/failed"
rm -rf "$verdicts" && mkdir -p "$verdicts"
for target in "${targets[@]}"; do
  read -r module class method <<< "$target"
  while (( $(jobs -rp | wc -l) >= jobs_max )); do wait -n || true; done
  (fuzz_one "$module" "$class" "$method" || touch "$verdicts/${class##*.}#$method") &
done
wait
failed=()
for f in "$verdicts"/*; do [[ -e "$f" ]] && failed+=("$(basename "$f")"); done
echo "fuzz: ${#targets[@]} target(s) of ${seconds} s in $((SECONDS - start)) s, ${#failed[@]} failed ${failed[*]:-}"
[[ ${#failed[@]} -eq 0 ]]
