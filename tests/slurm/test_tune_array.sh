#!/usr/bin/env bash
# ctest `slurm_tune_array` (label slurm): a sharded tune as a 4-task job array on a local one-node
# Slurm cluster (scripts/slurm/local-cluster), emu backend, two problems. Shard 2 is cancelled with
# scancel before it runs and shard 1 while it runs, so the first merge never starts; resubmitting
# both (shard 1 resumes) runs them and a new merge, which also re-tests the leaders. The
# merged (problem, variant, disposition) rows must equal a single-process tune's, none twice. Skips
# (exit 77, with the reason) when the cluster cannot be started here.
#   test_tune_array.sh LUTGEMM_BINARY WORK_DIR
set -euo pipefail
lutgemm="$1"
work="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$work"
mkdir -p "$work"
export LUTGEMM_SLURM_DIR="$work/cluster"
# Ports of our own: another test run or a real slurmctld may hold the default ones.
export LUTGEMM_SLURMCTLD_PORT=$((20000 + RANDOM % 20000))
export LUTGEMM_SLURMD_PORT=$((LUTGEMM_SLURMCTLD_PORT + 1))
if ! started="$("$root/scripts/slurm/local-cluster" start 2>"$work/start.err")"; then
  echo "SKIPPED: the local Slurm cluster cannot start here: $(tail -n 1 "$work/start.err")"
  exit 77
fi
trap '"$root/scripts/slurm/local-cluster" stop' EXIT
eval "$started"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}
wait_gone() { # job id, seconds
  for _ in $(seq $(($2 * 5))); do
    [[ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]] && return 0
    sleep 0.2
  done
  fail "job $1 still queued after $2 s: $(squeue -j "$1" 2>&1)"
}

args=(--backend emu --target h100-sxm --shape 512x256 --shape 1024x256 --strategy random
  --budget 3 --seed 5 --param copies=1 --param build=direct)
run="$work/run"
out="$("$root/scripts/slurm/submit" --shards 4 --run-dir "$run" --gres none --lutgemm "$lutgemm" \
  --sbatch-arg --hold -- "${args[@]}")"
echo "$out"
array_job="$(sed -n 's/^array job: \([0-9]*\).*/\1/p' <<<"$out")"
merge_job="$(sed -n 's/^merge job: \([0-9]*\).*/\1/p' <<<"$out")"
[[ -n "$array_job" && -n "$merge_job" ]] || fail "submit printed no job ids"
grep -q "^merged database: $run/merged.db$" <<<"$out" || fail "submit did not name the database"
scancel "${array_job}_2"
scontrol release "$array_job"
# Shard 1 is cancelled while it runs: as soon as its run has begun in its database.
for _ in $(seq 1200); do
  [[ "$(sqlite3 "$run/shard-1.db" "SELECT count(*) FROM runs" 2>/dev/null)" == 1 ]] && break
  sleep 0.05
done
scancel "${array_job}_1"
wait_gone "$array_job" 120
[[ -e "$run/shard-0.db" && -e "$run/shard-3.db" ]] || fail "shards 0 and 3 wrote no database"
[[ ! -e "$run/shard-2.db" ]] || fail "the cancelled shard 2 ran"
[[ ! -e "$run/merged.db" ]] || fail "the merge ran although shard 2 was cancelled"
scancel "$merge_job" # its dependency can no longer be met
[[ "$(sqlite3 "$run/shard-1.db" "SELECT status FROM runs")" != completed ]] ||
  fail "shard 1 finished before scancel reached it"

# Both again: shard 1 resumes from its database, shard 2 starts; then one merge.
again="$("$root/scripts/slurm/submit" --resubmit 1,2 --run-dir "$run")"
echo "$again"
merge_job="$(sed -n 's/^merge job: \([0-9]*\).*/\1/p' <<<"$again")"
wait_gone "$merge_job" 120
[[ -e "$run/merged.db" ]] || fail "no merged database ($(cat "$run/merge.log" 2>/dev/null))"

"$lutgemm" tune "${args[@]}" --db "$work/whole.db" --quiet >/dev/null
# The final rows: a retryable one (the cancel killed a variant's host compile, which says nothing
# about the variant) stays as history, and the resume stored the variant's real result beside it.
query="SELECT p.key, v.label, m.disposition FROM measurements m JOIN problems p ON p.id =
  m.problem_id JOIN variants v ON v.id = m.variant_id WHERE m.phase = 'sweep' AND
  m.retryable = 0 ORDER BY 1, 2, 3"
expected="$(sqlite3 "$work/whole.db" "$query")"
merged="$(sqlite3 "$run/merged.db" "$query")"
[[ "$(wc -l <<<"$expected")" == 6 ]] || fail "the single-process tune has not 6 rows: $expected"
[[ "$merged" == "$expected" ]] || fail "merged rows differ:
$merged
--- single process:
$expected"
shards="$(sqlite3 "$run/merged.db" "SELECT group_concat(shard || ':' || status, ' ') FROM (SELECT
  shard, status FROM runs WHERE shard != '' ORDER BY shard, id)")"
[[ "$shards" == "0/4:completed 1/4:interrupted 1/4:completed 2/4:completed 3/4:completed" ]] ||
  fail "runs (shard:status) are '$shards'"
retests="$(sqlite3 "$run/merged.db" "SELECT count(*) FROM runs WHERE shard = '' AND status =
  'completed' AND command_line LIKE '%--retest-leaders%'")"
[[ "$retests" == 1 ]] || fail "the merge job re-tested the leaders $retests times, not once"
echo "slurm: 4 shards (one cancelled before, one while running; both resubmitted) merged = the"
echo "single-process tune (6 rows), leaders re-tested once"
