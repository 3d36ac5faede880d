# Shared pieces of the benchmark scripts: free ports, waiting for a server, stopping by PID, and
# running wrk with its numbers read back. Sourced, not run. Every server started here is recorded
# and stopped on exit.
BENCH_PIDS=()
bench_cleanup() {
    for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap bench_cleanup EXIT

bench_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_wait_port() { # port [seconds]
    local deadline=$((SECONDS + ${2:-20}))
    until (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || { echo "nothing listens on $1" >&2; return 1; }
        sleep 0.1
    done
}

bench_start() { # name command... : runs it in the background, logs to $BENCH_OUT/name.log
    local name=$1
    shift
    "$@" >"$BENCH_OUT/$name.log" 2>&1 &
    BENCH_PIDS+=($!)
}

# bench_wrk label url script -> prints "label|requests/s|p50 ms|p99 ms"; wrk's own output kept in $BENCH_OUT.
bench_wrk() {
    local label=$1 url=$2 script=$3
    local out="$BENCH_OUT/wrk-${label// /_}.txt"
    wrk -t "${BENCH_THREADS:-2}" -c "${BENCH_CONNECTIONS:-64}" -d "${BENCH_SECONDS:-10}s" --latency \
        -s "$script" "$url" >"$out" 2>&1
    /usr/bin/python3 - "$out" "$label" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(s):
    v, unit = re.match(r"([\d.]+)(us|ms|s)", s).groups()
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"(?m)^\s+50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"(?m)^\s+99%\s+(\S+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{sys.argv[2]}|{rps:.0f}|{p50:.2f}|{p99:.2f}|{errors.group(1) if errors else 0}")
PY
}
