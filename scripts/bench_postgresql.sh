# Sourced by scripts/bench.sh: the same server on PostgreSQL, measured in the
# same run as the SQLite figures (SPEC section 12). A throwaway cluster is
# made in the bench's scratch folder (initdb as `nobody` when run as root,
# PostgreSQL's defaults otherwise: fsync, synchronous_commit and
# full_page_writes on, so `--durability full` means what it says), the
# database set up with scripts/postgresql-setup.sql, and the server driven
# with the seed, create, GET and list runs at 64 connections; then two
# instances on the same database, 32 connections each at the same time, and
# the cross-instance feed: 200 subscribers on instance B while writes at
# 200 events/s go through instance A (B learns of them by LISTEN/NOTIFY).
# BENCH_POSTGRESQL=0 skips it.

PG_DIR=
PG_PORT=
PG_AS=()

pg_cleanup() {
    [[ -n $PG_DIR && -d $PG_DIR/data ]] && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    [[ -n $PG_DIR ]] && rm -rf "$PG_DIR"
    return 0
}

pg_start_cluster() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [[ -x $PG_BIN/initdb ]] || { log "PostgreSQL is not installed: skipping its runs"; return 1; }
    PG_DIR=$(realpath "$(mktemp -d "$SCRATCH/pg.XXXXXX")")
    chmod 755 "$PG_DIR"
    if [[ $(id -u) == 0 ]]; then
        chown nobody "$PG_DIR"
        PG_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    fi
    "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    # A free port: PostgreSQL cannot pick one itself, so try a few at random.
    local started=
    for _ in 1 2 3 4 5; do
        PG_PORT=$((20000 + RANDOM % 30000))
        if "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c max_connections=200" \
            start >/dev/null 2>&1; then
            started=1
            break
        fi
    done
    [[ -n $started ]] || { cat "$PG_DIR/server.log" >&2; return 1; }
    psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c \
        "CREATE DATABASE omnivibe ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0" postgres &&
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d omnivibe \
        -f scripts/postgresql-setup.sql >/dev/null
}

bench_postgresql() {
    [[ ${BENCH_POSTGRESQL:-1} == 0 ]] && return 0
    log "PostgreSQL: a throwaway cluster in $SCRATCH"
    if ! pg_start_cluster; then pg_cleanup; return 0; fi
    local uri="postgresql://omnivibe_server@127.0.0.1:$PG_PORT/omnivibe"
    PG_SETTINGS=$(psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -d omnivibe -c \
        "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')")
    start_server "$SCRATCH/pg-server.log" "$uri"
    lg pg_seed "$PORT" --mode seed --clients 100 --requests 10000 --connections 64
    local first last
    first=$(field pg_seed .facts.first_campaign_id)
    last=$(field pg_seed .facts.last_campaign_id)
    lg pg_create_c64 "$PORT" --mode create --connections 64 --duration "$SECONDS_PER_RUN"
    lg pg_get_c64 "$PORT" --mode get --id-range "$first-$last" --connections 64 \
        --duration "$SECONDS_PER_RUN"
    lg pg_list_c64 "$PORT" --mode list --connections 64 --duration "$SECONDS_PER_RUN"
    stop_server
    start_server "$SCRATCH/pg-nocache.log" "$uri" --response-cache-mb 0
    lg pg_get_nocache "$PORT" --mode get --id-range "$first-$last" --connections 64 \
        --duration "$SECONDS_PER_RUN"
    stop_server

    # Two instances on the one database, driven at the same time: their
    # writers take turns under the advisory lock; reads scale with instances.
    start_server "$SCRATCH/pg-a.log" "$uri"
    local pid_a=$SERVER_PID port_a=$PORT
    start_server "$SCRATCH/pg-b.log" "$uri"
    local pid_b=$SERVER_PID port_b=$PORT
    local job_a job_b
    lg pg2_create_a "$port_a" --mode create --connections 32 --duration "$SECONDS_PER_RUN" &
    job_a=$!
    lg pg2_create_b "$port_b" --mode create --connections 32 --duration "$SECONDS_PER_RUN" &
    job_b=$!
    wait "$job_a" "$job_b"
    lg pg2_get_a "$port_a" --mode get --id-range "$first-$last" --connections 32 \
        --duration "$SECONDS_PER_RUN" &
    job_a=$!
    lg pg2_get_b "$port_b" --mode get --id-range "$first-$last" --connections 32 \
        --duration "$SECONDS_PER_RUN" &
    job_b=$!
    wait "$job_a" "$job_b"
    # The feed across instances (subscribers on B, writes through A), beside
    # the same run within one instance (both on A).
    lg pg2_feed_same "$port_a" --mode feed --subscribers 200 --rate 200 \
        --connections 4 --duration "$SECONDS_PER_RUN" --drain 15
    lg pg2_feed "$port_b" --mode feed --write-port "$port_a" --subscribers 200 --rate 200 \
        --connections 4 --duration "$SECONDS_PER_RUN" --drain 15
    SERVER_PID=$pid_b
    stop_server
    SERVER_PID=$pid_a
    stop_server
    pg_cleanup
}

# The report's section: each PostgreSQL figure beside the SQLite one of this run.
report_postgresql() {
    [[ -f $RESULTS/pg_create_c64.json ]] || return 0
    echo "### PostgreSQL beside SQLite (64 connections, same run)"
    echo
    echo "The same server with \`--db postgresql://...\` on a throwaway PostgreSQL $("$PG_BIN/postgres" --version 2>/dev/null | awk '{ print $3 }') cluster on this"
    echo "machine ($PG_SETTINGS), \`--durability full\`."
    echo
    echo "| run | SQLite requests/s | PostgreSQL requests/s | PostgreSQL / SQLite | PostgreSQL p99 ms | errors |"
    echo "|---|---:|---:|---:|---:|---:|"
    local sqlite_get sqlite_list
    sqlite_get=$(for r in $(seq 1 "$ROUNDS"); do field "get_c64_r$r" .requests_per_second; done | median)
    sqlite_list=$(for r in $(seq 1 "$ROUNDS"); do field "list_c64_r$r" .requests_per_second; done | median)
    sqlite_nocache=$(for r in $(seq 1 "$ROUNDS"); do field "get_nocache_r$r" .requests_per_second; done | median)
    pg_row() {
        local label=$1 sqlite=$2 name=$3
        echo "| $label | $(fmt0 "$sqlite") | $(fmt0 "$(field "$name" .requests_per_second)") | $(pct "$(field "$name" .requests_per_second)" "$sqlite") | $(fmt2 "$(field "$name" .latency_ms.p99)") | $(field "$name" .errors) |"
    }
    pg_row "seed (POST, 10,000 campaigns)" "$(field seed .requests_per_second)" pg_seed
    pg_row "POST /campaigns (durable creates)" "$(field create_c64 .requests_per_second)" pg_create_c64
    pg_row "GET /campaigns/{id}" "$sqlite_get" pg_get_c64
    pg_row "GET /campaigns/{id}, response cache off" "$sqlite_nocache" pg_get_nocache
    pg_row "GET /campaigns (list)" "$sqlite_list" pg_list_c64
    echo
    [[ -f $RESULTS/pg2_create_a.json ]] || return 0
    echo "Two instances on the same PostgreSQL database, 32 connections each, driven at the same time"
    echo "(beside one instance at 64 connections above):"
    echo
    echo "| run | one instance requests/s | two instances requests/s (A + B) | two / one | p99 ms A / B | errors |"
    echo "|---|---:|---:|---:|---:|---:|"
    pair_row() {
        local label=$1 one=$2 a=$3 b=$4 sum
        sum=$(awk -v x="$(field "$a" .requests_per_second)" -v y="$(field "$b" .requests_per_second)" 'BEGIN { print x + y }')
        echo "| $label | $(fmt0 "$(field "$one" .requests_per_second)") | $(fmt0 "$sum") | $(pct "$sum" "$(field "$one" .requests_per_second)") | $(fmt2 "$(field "$a" .latency_ms.p99)") / $(fmt2 "$(field "$b" .latency_ms.p99)") | $(awk -v x="$(field "$a" .errors)" -v y="$(field "$b" .errors)" 'BEGIN { print x + y }') |"
    }
    pair_row "POST /campaigns (durable creates)" pg_create_c64 pg2_create_a pg2_create_b
    pair_row "GET /campaigns/{id}" pg_get_c64 pg2_get_a pg2_get_b
    echo
    if [[ -n $(field pg2_feed .feed.connected) ]]; then
        echo "The feed across instances: 200 subscribers on instance B, 4 writers creating campaigns"
        echo "through instance A at 200 events/s for $SECONDS_PER_RUN s, beside the same run with subscribers"
        echo "and writers on A (target across instances: every event once, in order, p99 from commit"
        echo "to delivery ≤ 150 ms):"
        echo
        echo "| run | connected | events written | delivered of expected | missed | duplicated | out of order | p50 ms | p99 ms | max ms | writes p99 ms |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        feed_row() {
            local label=$1 name=$2 f=.feed
            echo "| $label | $(field "$name" $f.connected) | $(field "$name" $f.events_written) | $(field "$name" $f.delivered) of $(field "$name" $f.expected) | $(field "$name" $f.missed) | $(field "$name" $f.duplicated) | $(field "$name" $f.out_of_order) | $(fmt2 "$(field "$name" $f.latency_from_commit_ms.p50)") | $(fmt2 "$(field "$name" $f.latency_from_commit_ms.p99)") | $(fmt2 "$(field "$name" $f.latency_from_commit_ms.max)") | $(fmt2 "$(field "$name" .latency_ms.p99)") |"
        }
        feed_row "within instance A" pg2_feed_same
        feed_row "written on A, delivered on B" pg2_feed
        echo
    elif [[ -f $RESULTS/pg2_feed.json ]]; then
        echo "The feed across instances did not run: $(jq -r '.error // "?"' "$RESULTS/pg2_feed.json")"
        echo
    fi
    echo "Both instances and the load generators share this machine's cores, so two instances here"
    echo "show the cost of sharing the writers' lock, not the gain of a second machine."
    echo
}
