#!/usr/bin/env bash
# Run chosen mutmut mutants one by one against the tests mutmut maps to them (mutmut tests-for-mutant),
# without mutmut's forked runner (on this machine it hung on every mutant that raises; bench/MUTATION.md).
# Usage (after one `mutmut run` has generated mutants/ and its stats):
#   bench/run_mutants.sh NAME... > results.tsv     # one line per mutant: name<TAB>killed|survived|timeout|no tests|error RC
# (MUTANT_UNDER_TEST= NAME... with an empty name runs the unmutated code: every line must say survived)
set -u
cd "$(dirname "$0")/.."
for m in "$@"; do
  mapfile -t tests < <(.venv/bin/mutmut tests-for-mutant "$m" 2>/dev/null)  # test ids may hold spaces
  if [ ${#tests[@]} -eq 0 ]; then printf '%s\tno tests\n' "$m"; continue; fi
  (cd mutants && MUTANT_UNDER_TEST="$m" timeout 300 nice -n 10 ../.venv/bin/python -m pytest -x -q \
      -p no:cacheprovider -o addopts= -m "not browser and not spark" "${tests[@]}" >/dev/null 2>&1)
  case $? in 0) r=survived ;; 1) r=killed ;; 124) r=timeout ;; *) r="error $?" ;; esac
  printf '%s\t%s\n' "$m" "$r"
done
