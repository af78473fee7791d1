#!/usr/bin/env bash
# The benchmark behind `make bench` (SPEC section 10): starts omnivibe-server
# with durability full on a scratch database, seeds it, drives every mode of
# omnivibe-loadgen against it, measures the ceilings in the same run (a bare
# Beast server for reads, raw SQLite for writes), the feed, memory and replay,
# and writes the figures into docs/PERFORMANCE.md between the markers
# `<!-- bench:begin -->` and `<!-- bench:end -->` (the analysis around them is
# kept).
#
# Bounded: about 6 minutes with the defaults (10 at most). Environment knobs:
#   BENCH_SECONDS  seconds per measurement (default 5)
#   BENCH_ROUNDS   alternating server/bare rounds for reads (default 3)
#   BENCH_OUT      the report to update (default docs/PERFORMANCE.md)
#   BENCH_MILLION  events of the large log for replay and startup (default
#                  1000000; 0 skips it: about 2 minutes and 600 MB of disk)
#   BENCH_POSTGRESQL  0 skips the runs on PostgreSQL (scripts/bench_postgresql.sh)
#
# Nothing here is a test: `make test` never depends on timing.

set -euo pipefail

BUILD=${1:-build}
BIN=$BUILD/bin
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
OUT=${BENCH_OUT:-docs/PERFORMANCE.md}
MILLION=${BENCH_MILLION:-1000000}
LEVELS=(8 64 256)
SCRATCH=$BUILD/bench
RESULTS=$SCRATCH/results

for tool in omnivibe-server omnivibe-loadgen omnivibe-bare-server omnivibe-sqlite-ceiling; do
    [[ -x $BIN/$tool ]] || { echo "bench: $BIN/$tool is missing; run make build" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "bench: jq is needed (apt-get install jq)" >&2; exit 2; }

rm -rf "$SCRATCH"
mkdir -p "$RESULTS"
# A thousand subscribers and 256 connections need descriptors on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

SERVER_PID=
BARE_PID=
# shellcheck source=scripts/bench_postgresql.sh
source "$(dirname "$0")/bench_postgresql.sh"

cleanup() {
    pg_cleanup
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [[ -n $BARE_PID ]] && kill "$BARE_PID" 2>/dev/null && wait "$BARE_PID" 2>/dev/null
    rm -f "$SCRATCH"/*.db "$SCRATCH"/*.db-wal "$SCRATCH"/*.db-shm "$SCRATCH"/*.lock
    return 0
}
trap cleanup EXIT

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Waits for "listening on http://127.0.0.1:PORT" in a log; prints PORT.
wait_port() {
    local file=$1 pid=$2
    for _ in $(seq 1 1500); do
        if grep -qo 'listening on http://127\.0\.0\.1:[0-9]*' "$file" 2>/dev/null; then
            grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$file" | head -1 | sed 's/.*://'
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; return 1; }
        sleep 0.02
    done
    return 1
}

start_server() {
    local log_file=$1 db=${2:-$SCRATCH/bench.db}
    shift $(( $# < 2 ? $# : 2 ))
    # 10,000 idle subscribers plus the writers exceed the default cap of 10,000 connections.
    "$BIN/omnivibe-server" --db "$db" --uploads "$SCRATCH/uploads" --port 0 \
        --durability full --max-connections 12000 "$@" >"$log_file" 2>&1 &
    SERVER_PID=$!
    PORT=$(wait_port "$log_file" "$SERVER_PID")
}

stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=
}

# kB of a /proc/PID/status field (VmRSS, VmHWM).
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# Samples VmRSS every 0.2 s into a file until stopped.
SAMPLER_PID=
start_rss_sampler() {
    local file=$1
    ( while kill -0 "$SERVER_PID" 2>/dev/null; do proc_kb "$SERVER_PID" VmRSS; sleep 0.2; done ) \
        >"$file" 2>/dev/null &
    SAMPLER_PID=$!
}
stop_rss_sampler() { kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; }
max_of() { sort -n "$1" | tail -1; }

# Runs the load generator; its JSON report lands in $RESULTS/NAME.json and
# its exit status in $RESULTS/NAME.rc (1 = some requests failed: recorded, not fatal).
lg() {
    local name=$1 port=$2
    shift 2
    local rc=0
    log "loadgen $name: $*"
    timeout 300 "$BIN/omnivibe-loadgen" --port "$port" --json "$@" \
        >"$RESULTS/$name.json" 2>"$RESULTS/$name.err" || rc=$?
    echo "$rc" >"$RESULTS/$name.rc"
    if [[ $rc -ne 0 && $rc -ne 1 && $rc -ne 3 ]]; then
        echo "bench: loadgen $name failed ($rc):" >&2
        cat "$RESULTS/$name.err" >&2
        exit 1
    fi
    return 0
}
field() { jq -r "$2 // empty" "$RESULTS/$1.json" 2>/dev/null; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fmt0() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
fmt1() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
fmt2() { awk -v v="$1" 'BEGIN { printf "%.2f", v }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

BENCH_START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the servers -----------------------------------------------------------------
log "starting omnivibe-server (durability full) on $SCRATCH/bench.db"
start_server "$SCRATCH/server.log"
"$BIN/omnivibe-bare-server" --port 0 >"$SCRATCH/bare.log" 2>&1 &
BARE_PID=$!
BARE_PORT=$(wait_port "$SCRATCH/bare.log" "$BARE_PID")
sleep 1
RSS_START=$(proc_kb "$SERVER_PID" VmRSS)

# --- seed ------------------------------------------------------------------------
lg seed "$PORT" --mode seed --clients 100 --requests 10000 --connections 64
FIRST_ID=$(field seed .facts.first_campaign_id)
LAST_ID=$(field seed .facts.last_campaign_id)
[[ -n $FIRST_ID && -n $LAST_ID ]] || { echo "bench: seeding failed" >&2; cat "$RESULTS/seed.json" >&2; exit 1; }
IDS="$FIRST_ID-$LAST_ID"
sleep 1
RSS_IDLE=$(proc_kb "$SERVER_PID" VmRSS)

# --- reads, alternating with the bare server so both see the same machine ---------
for c in "${LEVELS[@]}"; do
    for r in $(seq 1 "$ROUNDS"); do
        lg "bare_get_c${c}_r${r}" "$BARE_PORT" --mode get --id-range "$IDS" --connections "$c" \
            --duration "$SECONDS_PER_RUN"
        lg "get_c${c}_r${r}" "$PORT" --mode get --id-range "$IDS" --connections "$c" \
            --duration "$SECONDS_PER_RUN"
        lg "list_c${c}_r${r}" "$PORT" --mode list --connections "$c" --duration "$SECONDS_PER_RUN"
    done
done
RSS_AFTER_READS=$(proc_kb "$SERVER_PID" VmRSS)

# --- GET by id with the response cache off: every request reads the tables --------
# The runs above repeat ids at a head that does not move, so most of their GETs
# are answered from the response cache; this server, on a copy, has none.
sqlite3 "$SCRATCH/bench.db" "VACUUM INTO '$SCRATCH/nocache.db'"
MAIN_SERVER_PID=$SERVER_PID MAIN_PORT=$PORT
start_server "$SCRATCH/nocache.log" "$SCRATCH/nocache.db" --response-cache-mb 0
for r in $(seq 1 "$ROUNDS"); do
    lg "bare_get_nocache_r${r}" "$BARE_PORT" --mode get --id-range "$IDS" --connections 64 \
        --duration "$SECONDS_PER_RUN"
    lg "get_nocache_r${r}" "$PORT" --mode get --id-range "$IDS" --connections 64 \
        --duration "$SECONDS_PER_RUN"
done
stop_server
SERVER_PID=$MAIN_SERVER_PID PORT=$MAIN_PORT

# --- writes ----------------------------------------------------------------------
lg mixed_c64 "$PORT" --mode mixed --read-ratio 0.9 --id-range "$IDS" --connections 64 \
    --duration "$SECONDS_PER_RUN"
for c in "${LEVELS[@]}"; do
    lg "patch_c${c}" "$PORT" --mode patch --id-range "$IDS" --connections "$c" \
        --duration "$SECONDS_PER_RUN"
done
# The write ceiling, raw SQLite with the same durability, measured right before
# the creates and (group commit only) right after, as the disk is shared too.
log "sqlite ceiling (64 threads, 3 s per measurement)"
"$BIN/omnivibe-sqlite-ceiling" --db "$SCRATCH/ceiling.db" --threads 64 --seconds 3 --json \
    >"$RESULTS/sqlite.json"
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
BATCHES_BEFORE=$(metric omnivibe_writer_batches_total)
COMMANDS_BEFORE=$(metric omnivibe_writer_commands_total)
start_rss_sampler "$RESULTS/rss_writes.txt"
for c in "${LEVELS[@]}"; do
    lg "create_c${c}" "$PORT" --mode create --connections "$c" --duration "$SECONDS_PER_RUN"
done
stop_rss_sampler
BATCHES=$(awk -v a="$BATCHES_BEFORE" -v b="$(metric omnivibe_writer_batches_total)" 'BEGIN { print b - a }')
COMMANDS=$(awk -v a="$COMMANDS_BEFORE" -v b="$(metric omnivibe_writer_commands_total)" 'BEGIN { print b - a }')
MAX_BATCH=$(metric omnivibe_writer_max_batch_size)
"$BIN/omnivibe-sqlite-ceiling" --db "$SCRATCH/ceiling.db" --threads 64 --seconds 3 --json \
    --only group_commit >"$RESULTS/sqlite_after.json"
GROUP_COMMIT=$(jq -s '(.[0].group_commit.rows_per_second + .[1].group_commit.rows_per_second) / 2' \
    "$RESULTS/sqlite.json" "$RESULTS/sqlite_after.json")
RSS_WRITES_MAX=$(max_of "$RESULTS/rss_writes.txt")
HWM_AFTER_WRITES=$(proc_kb "$SERVER_PID" VmHWM)

# --- the change feed ---------------------------------------------------------------
lg feed "$PORT" --mode feed --subscribers 1000 --rate 200 --connections 4 \
    --duration 10 --drain 15
FEED_RC=$(cat "$RESULTS/feed.rc")
if [[ $FEED_RC -ne 3 ]]; then
    start_rss_sampler "$RESULTS/rss_idle_feed.txt"
    lg feed_idle "$PORT" --mode feed --subscribers 10000 --rate 2 --requests 4 --connections 1 \
        --drain 30
    stop_rss_sampler
    RSS_IDLE_FEED_MAX=$(max_of "$RESULTS/rss_idle_feed.txt")
fi
HWM_END=$(proc_kb "$SERVER_PID" VmHWM)

# --- stop; startup with the log as it is; replay -----------------------------------
stop_server
MAIN_PORT=$PORT
bench_postgresql
PORT=$MAIN_PORT
SERVER_LOG_LINES=$(wc -l <"$SCRATCH/server.log")
EVENTS=$(sqlite3 "$SCRATCH/bench.db" 'SELECT max(seq) FROM events')
T0=$(date +%s.%N)
start_server "$SCRATCH/restart.log"
T1=$(date +%s.%N)
STARTUP=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')
stop_server
REPLAY_LINE=""
if [[ -x $BIN/omnivibe-replay ]]; then
    log "omnivibe-replay over $EVENTS events"
    T0=$(date +%s.%N)
    REPLAY_LINE=$("$BIN/omnivibe-replay" --db "$SCRATCH/bench.db" 2>&1 | tail -1) || REPLAY_LINE="failed: $REPLAY_LINE"
    T1=$(date +%s.%N)
    REPLAY_SECONDS=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')
fi
# --- a large log: replay rate and startup at SPEC section 10's size ------------------
# omnivibe-bench-log writes a log shaped like real use (creates, updates,
# storyboard edits, deletes); the replay projects it, then the server starts on it.
BIG_LINE=""
if [[ $MILLION -gt 0 && -x $BIN/omnivibe-bench-log && -x $BIN/omnivibe-replay ]]; then
    log "writing a log of $MILLION events"
    "$BIN/omnivibe-bench-log" --db "$SCRATCH/million.db" --events "$MILLION" >"$RESULTS/million_log.txt" 2>&1
    BIG_EVENTS=$(sqlite3 "$SCRATCH/million.db" 'SELECT max(seq) FROM events')
    BIG_MB=$(du -m "$SCRATCH/million.db" | cut -f1)
    log "omnivibe-replay over $BIG_EVENTS events"
    T0=$(date +%s.%N)
    BIG_LINE=$("$BIN/omnivibe-replay" --db "$SCRATCH/million.db" 2>&1 | tail -1) || BIG_LINE="failed: $BIG_LINE"
    T1=$(date +%s.%N)
    BIG_REPLAY_SECONDS=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')
    T0=$(date +%s.%N)
    start_server "$SCRATCH/million.log" "$SCRATCH/million.db"
    T1=$(date +%s.%N)
    BIG_STARTUP=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')
    sleep 1
    BIG_RSS=$(proc_kb "$SERVER_PID" VmRSS)
    # How the figures scale with the size of the database: the 64-connection
    # runs again on the large one, beside the bare server.
    BIG_CAMPAIGNS=$(sqlite3 "$SCRATCH/million.db" 'SELECT count(*) FROM campaigns')
    BIG_ROWS=$(sqlite3 "$SCRATCH/million.db" 'SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM campaigns) + (SELECT count(*) FROM content_schedule) + (SELECT count(*) FROM storyboard_blocks) + (SELECT count(*) FROM generated_scripts)')
    BIG_IDS=$(sqlite3 "$SCRATCH/million.db" "SELECT min(id) || '-' || max(id) FROM campaigns")
    lg big_bare_get "$BARE_PORT" --mode get --id-range "$BIG_IDS" --connections 64 --duration "$SECONDS_PER_RUN"
    lg big_get "$PORT" --mode get --id-range "$BIG_IDS" --connections 64 --duration "$SECONDS_PER_RUN"
    lg big_list "$PORT" --mode list --connections 64 --duration "$SECONDS_PER_RUN"
    lg big_create "$PORT" --mode create --connections 64 --duration "$SECONDS_PER_RUN"
    stop_server
    rm -f "$SCRATCH"/million.db*
fi
kill "$BARE_PID" 2>/dev/null; wait "$BARE_PID" 2>/dev/null || true
BARE_PID=

# --- instructions per request: deterministic, unlike any timing on a shared machine --
# The server runs under callgrind with one network thread; after a warm-up the
# counters are zeroed, N requests are sent, and the counters dumped. The count
# covers every thread of the server (user space; the kernel's share is not in it).
CALLGRIND_MODES=()
if command -v valgrind >/dev/null && command -v callgrind_control >/dev/null; then
    cp "$SCRATCH/bench.db" "$SCRATCH/callgrind.db"
    valgrind --tool=callgrind --callgrind-out-file="$RESULTS/callgrind.out" \
        "$BIN/omnivibe-server" --db "$SCRATCH/callgrind.db" --uploads "$SCRATCH/uploads" \
        --port 0 --threads 1 --durability full --log-level warn >"$SCRATCH/callgrind.log" 2>&1 &
    SERVER_PID=$!
    CG_PORT=$(wait_port "$SCRATCH/callgrind.log" "$SERVER_PID")
    cg_mode() {
        local name=$1 n=$2
        shift 2
        "$BIN/omnivibe-loadgen" --port "$CG_PORT" --json --requests 50 "$@" >/dev/null || true
        callgrind_control -z "$SERVER_PID" >/dev/null
        lg "callgrind_$name" "$CG_PORT" --requests "$n" "$@"
        callgrind_control -d "$SERVER_PID" >/dev/null
        local dump
        dump=$(ls -t "$RESULTS"/callgrind.out.* | head -1)
        mv "$dump" "$RESULTS/callgrind_$name.out"
        callgrind_annotate "$RESULTS/callgrind_$name.out" 2>/dev/null |
            awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' >"$RESULTS/callgrind_$name.ir"
        CALLGRIND_MODES+=("$name")
    }
    log "callgrind: instructions per request"
    cg_mode get 2000 --mode get --id-range "$IDS" --connections 4
    cg_mode list 300 --mode list --connections 4
    cg_mode create 2000 --mode create --connections 64
    cg_mode patch 2000 --mode patch --id-range "$IDS" --connections 64
    stop_server
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
BENCH_SECONDS_TOTAL=$(( $(date +%s) - BENCH_START ))

# --- the report ------------------------------------------------------------------
log "writing $OUT"
report() {
    local cpu mem
    cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
    mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    echo "## Figures of the last run"
    echo
    echo "Generated by \`make bench\` (scripts/bench.sh); do not edit by hand."
    echo
    echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- Machine: $(nproc) cores ($cpu), $mem memory, $(uname -sr), database on $(df -T "$SCRATCH" | awk 'NR == 2 { print $2 }')"
    echo "- Load average before / after: $LOAD_BEFORE / $LOAD_AFTER; the whole run took ${BENCH_SECONDS_TOTAL} s"
    echo "- omnivibe-server: \`--durability full\`, one network thread per core, request log at info level"
    echo "  ($SERVER_LOG_LINES lines written); the load generator runs on the same machine (1 thread)."
    echo "- Each measurement lasts ${SECONDS_PER_RUN} s; reads alternate with the bare server for $ROUNDS rounds"
    echo "  and the medians are shown, ratios being the median of the per-round ratios."
    echo
    echo "### Writes (durable: WAL, synchronous=FULL)"
    echo
    echo "| mode | connections | requests/s | p50 ms | p99 ms | max ms | errors | of SQLite group-commit ceiling |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    local gc=$GROUP_COMMIT
    row_w() {
        local name=$1 label=$2 c=$3
        echo "| $label | $c | $(fmt0 "$(field "$name" .requests_per_second)") | $(fmt2 "$(field "$name" .latency_ms.p50)") | $(fmt2 "$(field "$name" .latency_ms.p99)") | $(fmt2 "$(field "$name" .latency_ms.max)") | $(field "$name" .errors) | $(pct "$(field "$name" .requests_per_second)" "$gc") |"
    }
    for c in "${LEVELS[@]}"; do row_w "create_c$c" "POST /campaigns" "$c"; done
    for c in "${LEVELS[@]}"; do row_w "patch_c$c" "PATCH /campaigns/{id}" "$c"; done
    row_w mixed_c64 "mixed 90% GET / 10% PATCH" 64
    echo "| seed (10,000 POST after 100 clients) | 64 | $(fmt0 "$(field seed .requests_per_second)") | $(fmt2 "$(field seed .latency_ms.p50)") | $(fmt2 "$(field seed .latency_ms.p99)") | $(fmt2 "$(field seed .latency_ms.max)") | $(field seed .errors) | $(pct "$(field seed .requests_per_second)" "$gc") |"
    echo
    echo "The last column divides by the group-commit ceiling below (mean of its measurements right"
    echo "before and right after the creates: $(fmt0 "$gc") rows/s). During the create runs the writer"
    echo "committed $(fmt0 "$COMMANDS") commands in $(fmt0 "$BATCHES") transactions: $(awk -v c="$COMMANDS" -v b="$BATCHES" 'BEGIN { if (b > 0) printf "%.1f", c / b; else print "n/a" }') commands per"
    echo "commit on average, $(fmt0 "$MAX_BATCH") at most (group commit)."
    echo
    echo "Ceiling, raw SQLite in the same run (\`omnivibe-sqlite-ceiling --threads 64 --seconds 3\`), event-sized rows:"
    echo
    echo "| SQLite, synchronous=FULL | rows/s | rows per transaction |"
    echo "|---|---:|---:|"
    for m in single threads group_commit batched; do
        local what
        case $m in
            single) what="one row per transaction, one connection (fsync-bound)" ;;
            threads) what="one row per transaction, 64 threads with a connection each" ;;
            group_commit) what="64 producers waiting on one batching writer (group commit)" ;;
            batched) what="1,000 rows per transaction, one connection" ;;
        esac
        echo "| $what | $(fmt0 "$(jq -r ".$m.rows_per_second" "$RESULTS/sqlite.json")") | $(fmt1 "$(jq -r ".$m.rows_per_transaction" "$RESULTS/sqlite.json")") |"
    done
    echo
    echo "### Reads (against the bare Beast server in the same run)"
    echo
    echo "| request | connections | omnivibe requests/s | bare requests/s | ratio | p50 ms | p99 ms | errors | target |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    # One row: the medians over the rounds of runs "<name>_r<round>" against "<bare>_r<round>".
    read_row() {
        local name=$1 bare_name=$2 label=$3 c=$4 target=$5
        local srv bare ratio p50 p99 errs
        srv=$(for r in $(seq 1 "$ROUNDS"); do field "${name}_r$r" .requests_per_second; done | median)
        bare=$(for r in $(seq 1 "$ROUNDS"); do field "${bare_name}_r$r" .requests_per_second; done | median)
        ratio=$(for r in $(seq 1 "$ROUNDS"); do
            awk -v a="$(field "${name}_r$r" .requests_per_second)" \
                -v b="$(field "${bare_name}_r$r" .requests_per_second)" 'BEGIN { if (b > 0) print a / b; else print 0 }'
        done | median)
        p50=$(for r in $(seq 1 "$ROUNDS"); do field "${name}_r$r" .latency_ms.p50; done | median)
        p99=$(for r in $(seq 1 "$ROUNDS"); do field "${name}_r$r" .latency_ms.p99; done | median)
        errs=$(for r in $(seq 1 "$ROUNDS"); do field "${name}_r$r" .errors; done | awk '{ s += $1 } END { print s + 0 }')
        echo "| $label | $c | $(fmt0 "$srv") | $(fmt0 "$bare") | $(awk -v v="$ratio" 'BEGIN { printf "%.0f%%", 100 * v }') | $(fmt2 "$p50") | $(fmt2 "$p99") | $errs | $target |"
    }
    for c in "${LEVELS[@]}"; do read_row "get_c$c" "bare_get_c$c" "GET /campaigns/{id}" "$c" "≥ 60%"; done
    for c in "${LEVELS[@]}"; do read_row "list_c$c" "bare_get_c$c" "GET /campaigns?page_size=20" "$c" "≥ 40%"; done
    read_row get_nocache bare_get_nocache "GET /campaigns/{id}, response cache off" 64 ""
    echo
    echo "The GET runs repeat ids at a log head that does not move, so most of their answers come"
    echo "from the response cache (a hit reads no table); the last row is a server on a copy of the"
    echo "database started with \`--response-cache-mb 0\`, where every GET reads its snapshot."
    echo
    report_postgresql
    echo "### Change feed"
    echo
    if [[ $FEED_RC -eq 3 ]]; then
        echo "Skipped: this server answers 404 for \`GET /api/v1/changes\` (the feed is not part of"
        echo "this build). \`omnivibe-loadgen --mode feed\` said: $(jq -r '.error // "?"' "$RESULTS/feed.json")"
    else
        local f=".feed"
        echo "1,000 subscribers on \`/api/v1/changes\`, 4 writers creating campaigns at 200 events/s for 10 s:"
        echo
        echo "| connected | events written | deliveries expected | delivered | deliveries/s | missed | duplicated | out of order | resets | p50 ms | p99 ms | max ms |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        echo "| $(field feed $f.connected) | $(field feed $f.events_written) | $(field feed $f.expected) | $(field feed $f.delivered) | $(fmt0 "$(field feed $f.deliveries_per_second)") | $(field feed $f.missed) | $(field feed $f.duplicated) | $(field feed $f.out_of_order) | $(field feed $f.resets) | $(fmt2 "$(field feed $f.latency_from_commit_ms.p50)") | $(fmt2 "$(field feed $f.latency_from_commit_ms.p99)") | $(fmt2 "$(field feed $f.latency_from_commit_ms.max)") |"
        echo
        echo "Latency is from the event's commit timestamp (\`at\`, milliseconds) to its arrival at"
        echo "a subscriber; from the writer's request it was p50 $(fmt2 "$(field feed $f.latency_from_write_ms.p50)") ms,"
        echo "p99 $(fmt2 "$(field feed $f.latency_from_write_ms.p99)") ms. Writes during the run: $(fmt0 "$(field feed .requests_per_second)")/s,"
        echo "p99 $(fmt2 "$(field feed .latency_ms.p99)") ms. 10,000 idle subscribers: $(field feed_idle $f.connected) connected;"
        echo "of the $(field feed_idle $f.events_written) events then written, $(field feed_idle $f.delivered) of $(field feed_idle $f.expected) deliveries arrived"
        echo "($(field feed_idle $f.missed) missed, $(field feed_idle $f.duplicated) duplicated); server RSS at most $(mb "$RSS_IDLE_FEED_MAX") MB (target < 200 MB)."
    fi
    echo
    if [[ ${#CALLGRIND_MODES[@]} -gt 0 ]]; then
        echo "### Instructions per request (callgrind)"
        echo
        echo "Deterministic, so comparable between runs and machines where timings are not: the"
        echo "server under callgrind with one network thread, on a copy of the benchmark database."
        echo
        echo "| request | connections | requests | instructions per request |"
        echo "|---|---:|---:|---:|"
        for m in "${CALLGRIND_MODES[@]}"; do
            local label conns n ir
            case $m in
                get) label="GET /campaigns/{id}"; conns=4 ;;
                list) label="GET /campaigns?page_size=20"; conns=4 ;;
                create) label="POST /campaigns"; conns=64 ;;
                patch) label="PATCH /campaigns/{id}"; conns=64 ;;
            esac
            n=$(field "callgrind_$m" .ok)
            ir=$(cat "$RESULTS/callgrind_$m.ir")
            echo "| $label | $conns | $n | $(awk -v a="$ir" -v n="$n" 'BEGIN { if (n > 0) printf "%.0f", a / n; else print "n/a" }') |"
        done
        echo
    fi
    echo "### Memory (server VmRSS)"
    echo
    echo "| moment | RSS MB | target |"
    echo "|---|---:|---:|"
    echo "| just started, empty database | $(mb "$RSS_START") | |"
    echo "| idle after seeding 10,000 campaigns | $(mb "$RSS_IDLE") | < 60 MB |"
    echo "| after the read runs | $(mb "$RSS_AFTER_READS") | |"
    echo "| under write load (create at 8/64/256 connections), highest sample | $(mb "$RSS_WRITES_MAX") | < 150 MB |"
    echo "| high-water mark after the writes (VmHWM) | $(mb "$HWM_AFTER_WRITES") | |"
    echo "| high-water mark at the end of the run (VmHWM) | $(mb "$HWM_END") | |"
    echo
    echo "### Startup and replay"
    echo
    echo "- Restart with $EVENTS events and current projections (no replay): ${STARTUP} s to listening (target < 1 s, at 1,000,000 events)."
    if [[ -n $REPLAY_LINE ]]; then
        echo "- \`omnivibe-replay --db\` over the same $EVENTS events: ${REPLAY_SECONDS} s wall; the tool said: \"$REPLAY_LINE\" (target ≥ 200,000 events/s)."
    else
        echo "- Replay not measured: \`omnivibe-replay\` is not part of this build."
    fi
    if [[ -n $BIG_LINE ]]; then
        echo "- A log of $BIG_EVENTS events ($BIG_MB MB, \`omnivibe-bench-log\`): \`omnivibe-replay --db\` took ${BIG_REPLAY_SECONDS} s wall; the tool said: \"$BIG_LINE\" (target ≥ 200,000 events/s)."
        echo "- The server started on it in ${BIG_STARTUP} s to listening (target < 1 s), at $(mb "$BIG_RSS") MB RSS idle."
        echo
        echo "### Database size"
        echo
        echo "The 64-connection runs on the benchmark database and again on the large log's"
        echo "(${BIG_EVENTS} events; ${BIG_ROWS} rows in the read tables, ${BIG_CAMPAIGNS} of them campaigns), each beside the bare server:"
        echo
        echo "| request | $EVENTS events, 10,000 campaigns | ratio to bare | $BIG_EVENTS events | ratio to bare |"
        echo "|---|---:|---:|---:|---:|"
        local small_get small_list small_bare
        small_get=$(for r in $(seq 1 "$ROUNDS"); do field "get_c64_r$r" .requests_per_second; done | median)
        small_list=$(for r in $(seq 1 "$ROUNDS"); do field "list_c64_r$r" .requests_per_second; done | median)
        small_bare=$(for r in $(seq 1 "$ROUNDS"); do field "bare_get_c64_r$r" .requests_per_second; done | median)
        local big_bare
        big_bare=$(field big_bare_get .requests_per_second)
        echo "| GET /campaigns/{id} | $(fmt0 "$small_get")/s | $(pct "$small_get" "$small_bare") | $(fmt0 "$(field big_get .requests_per_second)")/s | $(pct "$(field big_get .requests_per_second)" "$big_bare") |"
        echo "| GET /campaigns?page_size=20 | $(fmt0 "$small_list")/s | $(pct "$small_list" "$small_bare") | $(fmt0 "$(field big_list .requests_per_second)")/s | $(pct "$(field big_list .requests_per_second)" "$big_bare") |"
        echo "| POST /campaigns (p99) | $(fmt0 "$(field create_c64 .requests_per_second)")/s ($(fmt2 "$(field create_c64 .latency_ms.p99)") ms) | | $(fmt0 "$(field big_create .requests_per_second)")/s ($(fmt2 "$(field big_create .latency_ms.p99)") ms) | |"
    fi
    echo
    echo "### Commands"
    echo
    echo '```sh'
    echo "omnivibe-server --db SCRATCH/bench.db --port 0 --durability full"
    echo "omnivibe-bare-server --port 0"
    echo "omnivibe-loadgen --mode seed --clients 100 --requests 10000 --connections 64"
    echo "omnivibe-loadgen --mode get  --id-range $IDS --connections C --duration $SECONDS_PER_RUN   # C = 8, 64, 256; also against the bare server"
    echo "omnivibe-loadgen --mode list --connections C --duration $SECONDS_PER_RUN"
    echo "omnivibe-server --db SCRATCH/nocache.db --response-cache-mb 0   # a copy (VACUUM INTO); get at 64 connections"
    echo "omnivibe-loadgen --mode mixed --read-ratio 0.9 --id-range $IDS --connections 64 --duration $SECONDS_PER_RUN"
    echo "omnivibe-loadgen --mode patch --id-range $IDS --connections C --duration $SECONDS_PER_RUN"
    echo "omnivibe-loadgen --mode create --connections C --duration $SECONDS_PER_RUN"
    echo "omnivibe-sqlite-ceiling --db SCRATCH/ceiling.db --threads 64 --seconds 3   # and --only group_commit after the creates"
    echo "omnivibe-loadgen --mode feed --subscribers 1000 --rate 200 --connections 4 --duration 10 --drain 15"
    echo "omnivibe-loadgen --mode feed --subscribers 10000 --rate 2 --requests 4 --connections 1 --drain 30"
    echo "omnivibe-loadgen --mode feed --port B --write-port A --subscribers 200 --rate 200 --connections 4 --duration $SECONDS_PER_RUN --drain 15   # two instances on one PostgreSQL; also with subscribers and writes on A"
    echo "omnivibe-bench-log --db SCRATCH/million.db --events $MILLION; omnivibe-replay --db SCRATCH/million.db; omnivibe-server --db SCRATCH/million.db"
    echo "omnivibe-loadgen --mode get|list|create --connections 64 ...   # on the large database too, beside the bare server"
    echo "valgrind --tool=callgrind omnivibe-server --threads 1 ...   # then get, list, create, patch with --requests N"
    echo '```'
}

report >"$RESULTS/report.md"
if [[ -f $OUT ]] && grep -q '<!-- bench:begin -->' "$OUT" && grep -q '<!-- bench:end -->' "$OUT"; then
    awk -v gen="$RESULTS/report.md" '
        /<!-- bench:begin -->/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
        /<!-- bench:end -->/ { skip = 0 }
        !skip { print }' "$OUT" >"$OUT.tmp"
    mv "$OUT.tmp" "$OUT"
else
    { echo "# Performance"; echo; echo "<!-- bench:begin -->"; cat "$RESULTS/report.md"; echo "<!-- bench:end -->"; } >"$OUT"
fi
log "done in ${BENCH_SECONDS_TOTAL} s; raw reports in $RESULTS"
