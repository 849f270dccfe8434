#!/usr/bin/env bash
# Local stack without Docker: a single-node Apache Kafka 4.x broker (KRaft combined mode, jars
# from Maven Central), Apicurio Registry (Maven distribution, used through its Confluent-compatible
# API) and the embedded ClickHouse endpoint (twinflow's own `clickhouse` command).
#
#   bash infra/local/stack.sh fetch    # download what is missing (Maven Central); no-op when present
#   bash infra/local/stack.sh up       # fetch, start and wait until all three are healthy
#   bash infra/local/stack.sh status   # state of each service
#   bash infra/local/stack.sh down     # stop all three (SIGTERM, then SIGKILL after a timeout)
#
# Everything (jars, data, logs, pid files) lives under .stack/ (gitignored). Every service binds
# 127.0.0.1 on a non-default port, so a developer's own Kafka, registry or ClickHouse is untouched:
#
#   Kafka       PLAINTEXT 127.0.0.1:19092, CONTROLLER 127.0.0.1:19093, SASL_PLAINTEXT 127.0.0.1:19094
#               (mechanism PLAIN, user twinflow / twinflow-local-sasl: a test fixture, not a secret)
#   Apicurio    http://127.0.0.1:18081/apis/ccompat/v7 (management 127.0.0.1:19000)
#   ClickHouse  http://127.0.0.1:18123 (embedded chdb engine)
#
# Ports and the folder can be overridden with the environment variables below.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK="${TWINFLOW_STACK_DIR:-$ROOT/.stack}"
LOGS="$STACK/logs"
RUN="$STACK/run"

KAFKA_VERSION=4.3.1 # keep in step with infra/local/kafka/pom.xml
KAFKA_PORT="${STACK_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_SASL_PORT="${STACK_KAFKA_SASL_PORT:-19094}"
APICURIO_VERSION=3.3.3
APICURIO_ARTIFACT="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
APICURIO_PORT="${STACK_APICURIO_PORT:-18081}"
APICURIO_MANAGEMENT_PORT="${STACK_APICURIO_MANAGEMENT_PORT:-19000}"
CLICKHOUSE_PORT="${STACK_CLICKHOUSE_PORT:-18123}"
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

READY_TIMEOUT="${STACK_READY_TIMEOUT:-120}" # seconds, per service
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"    # seconds before SIGKILL

KAFKA_DIR="$STACK/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_CONFIG="$KAFKA_DIR/config/server.properties"
KAFKA_DATA="$KAFKA_DIR/data"
APICURIO_DIR="$STACK/apicurio"
APICURIO_DIST="$APICURIO_DIR/dist"
CLICKHOUSE_DATA="$STACK/clickhouse"
CLI_MAIN="$ROOT/dist/runtime/cli/main.js"

SERVICES=(kafka apicurio clickhouse)

say() { printf 'stack: %s\n' "$*"; }
die() {
  printf 'stack: error: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------- prerequisites

# Major version of a java binary ("17", "25"); empty when it does not run. The JDK's release file
# answers without starting a JVM; asking the JVM is the fallback.
java_major() {
  local release version
  release="$(dirname "$(dirname "$(readlink -f "$1")")")/release"
  if [ -f "$release" ]; then
    version="$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$release")"
  else
    version="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9.]*\).*/\1/p')"
  fi
  printf '%s' "$version" | sed 's/^1\.//; s/\..*//'
}

# The java for Kafka: JAVA_HOME's, else the one on PATH; Kafka 4.x brokers need Java 17+.
kafka_java() {
  local java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
  [ -n "$java" ] && [ -x "$java" ] || java="$(command -v java || true)"
  [ -n "$java" ] || die "Java not found: Kafka needs Java 17 or newer on PATH (or JAVA_HOME). On Debian: apt-get install -y openjdk-17-jre-headless"
  local major
  major="$(java_major "$java")"
  [ -n "$major" ] && [ "$major" -ge 17 ] ||
    die "Kafka $KAFKA_VERSION needs Java 17 or newer; $java is version '${major:-unknown}'"
  printf '%s' "$java"
}

# The java for Apicurio Registry 3.3, whose classes are compiled for Java 21: APICURIO_JAVA_HOME,
# JAVA_HOME or PATH when new enough, else the newest JDK under /usr/lib/jvm (these machines
# ship Temurin there beside the default OpenJDK 17).
apicurio_java() {
  local candidates=() java major best="" best_major=0
  [ -n "${APICURIO_JAVA_HOME:-}" ] && candidates+=("$APICURIO_JAVA_HOME/bin/java")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for java in /usr/lib/jvm/*/bin/java; do candidates+=("$java"); done
  for java in "${candidates[@]}"; do
    [ -x "$java" ] || continue
    major="$(java_major "$java")"
    [ -n "$major" ] || continue
    if [ "$major" -ge 21 ]; then
      printf '%s' "$java"
      return 0
    fi
    if [ "$major" -gt "$best_major" ]; then best="$java" best_major="$major"; fi
  done
  die "Apicurio Registry $APICURIO_VERSION needs Java 21 or newer; found ${best:-no java} ${best:+(version $best_major)}. Install a JDK 21+ and set APICURIO_JAVA_HOME to it."
}

need_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "Maven (mvn) not found: it fetches Kafka and Apicurio from Maven Central. On Debian: apt-get install -y maven"
}

need_curl() {
  command -v curl >/dev/null 2>&1 || die "curl not found: it health-checks Apicurio and ClickHouse. On Debian: apt-get install -y curl"
}

# ---------------------------------------------------------------- fetch

# A stamp records what was fetched, so a changed pom or version fetches again and an unchanged
# one costs nothing.
kafka_stamp() { printf '%s' "$(sha256sum "$ROOT/infra/local/kafka/pom.xml" | cut -c1-16)"; }

fetch_kafka() {
  local stamp
  stamp="$(kafka_stamp)"
  if [ -f "$KAFKA_LIBS/.fetched" ] && [ "$(cat "$KAFKA_LIBS/.fetched")" = "$stamp" ]; then return 0; fi
  need_mvn
  mkdir -p "$LOGS"
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS ..."
  local started=$SECONDS
  rm -rf "$KAFKA_LIBS"
  mkdir -p "$KAFKA_LIBS"
  if ! mvn -B -ntp -f "$ROOT/infra/local/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" >"$LOGS/fetch-kafka.log" 2>&1; then
    tail -n 30 "$LOGS/fetch-kafka.log" >&2
    die "Maven could not fetch Kafka's jars (full log: $LOGS/fetch-kafka.log)"
  fi
  printf '%s' "$stamp" >"$KAFKA_LIBS/.fetched"
  say "Kafka jars: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_LIBS" | cut -f1) in $((SECONDS - started))s"
}

fetch_apicurio() {
  if [ -f "$APICURIO_DIST/.fetched" ] && [ "$(cat "$APICURIO_DIST/.fetched")" = "$APICURIO_ARTIFACT" ]; then return 0; fi
  need_mvn
  mkdir -p "$LOGS"
  say "fetching Apicurio Registry $APICURIO_VERSION (~160 MB) from Maven Central into $APICURIO_DIST ..."
  local started=$SECONDS
  # Maven's stub project (no pom) writes the plugin's unpack markers under a literal
  # '${project.basedir}' folder in the working directory; a marker left there would skip the
  # next unpack, so it goes with the tree.
  local markers="$APICURIO_DIR/\${project.basedir}"
  rm -rf "$APICURIO_DIST" "$markers"
  mkdir -p "$APICURIO_DIST"
  # Run outside the repository so no pom lying around is picked up.
  if ! (cd "$APICURIO_DIR" && mvn -B -ntp "$DEPENDENCY_PLUGIN:unpack" -Dartifact="$APICURIO_ARTIFACT" \
    -DoutputDirectory="$APICURIO_DIST" >"$LOGS/fetch-apicurio.log" 2>&1); then
    rm -rf "$markers"
    tail -n 30 "$LOGS/fetch-apicurio.log" >&2
    die "Maven could not fetch $APICURIO_ARTIFACT (full log: $LOGS/fetch-apicurio.log)"
  fi
  rm -rf "$markers"
  [ -f "$APICURIO_DIST/quarkus-run.jar" ] || die "quarkus-run.jar missing from the unpacked $APICURIO_ARTIFACT in $APICURIO_DIST"
  printf '%s' "$APICURIO_ARTIFACT" >"$APICURIO_DIST/.fetched"
  say "Apicurio Registry: $(du -sh "$APICURIO_DIST" | cut -f1) in $((SECONDS - started))s"
}

build_cli() {
  [ -f "$CLI_MAIN" ] && return 0
  say "building twinflow (dist/ missing) for the ClickHouse endpoint ..."
  mkdir -p "$LOGS"
  if ! (cd "$ROOT" && npm run build >"$LOGS/build.log" 2>&1) || [ ! -f "$CLI_MAIN" ]; then
    tail -n 30 "$LOGS/build.log" >&2
    die "npm run build failed, so $CLI_MAIN is missing (full log: $LOGS/build.log)"
  fi
}

cmd_fetch() {
  fetch_kafka
  fetch_apicurio
  say "fetch: Kafka $KAFKA_VERSION and Apicurio Registry $APICURIO_VERSION present"
}

# ---------------------------------------------------------------- processes

pid_file() { printf '%s/%s.pid' "$RUN" "$1"; }

# A word of the command line that identifies each service's process, so a stale pid file whose
# pid was reused by another process is never signalled.
marker() {
  case "$1" in
  kafka) printf 'kafka.Kafka' ;;
  apicurio) printf 'quarkus-run.jar' ;;
  clickhouse) printf 'clickhouse' ;;
  esac
}

# Prints the pid of a running service, or fails.
running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(marker "$1")" || return 1
  printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts a command detached (own session, stdin from /dev/null, output to its log) so it outlives
# this script and holds no pipe of the caller open; the process writes its own pid before exec.
launch() {
  local name="$1" dir="$2"
  shift 2
  mkdir -p "$RUN" "$LOGS" "$dir"
  local log="$LOGS/$name.log" pidf
  pidf="$(pid_file "$name")"
  rm -f "$pidf"
  : >"$log"
  # exec all the way down: no shell of ours may stay behind holding the caller's stdout.
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@") </dev/null >>"$log" 2>&1 &
  local i
  for i in $(seq 1 50); do
    [ -s "$pidf" ] && return 0
    sleep 0.1
  done
  die "$name did not start (no pid file $pidf); log: $log"
}

fail_start() {
  local name="$1" why="$2" log="$LOGS/$1.log"
  printf 'stack: %s: %s; last lines of %s:\n' "$name" "$why" "$log" >&2
  tail -n 40 "$log" >&2 || true
  die "$name failed to start (stop the rest with: bash infra/local/stack.sh down)"
}

# Waits until `check` passes for a service, failing early if its process dies.
wait_ready() {
  local name="$1" check="$2" deadline=$((SECONDS + READY_TIMEOUT))
  while ! "$check"; do
    running_pid "$name" >/dev/null || fail_start "$name" "process exited before it was ready"
    [ "$SECONDS" -lt "$deadline" ] || fail_start "$name" "not ready after ${READY_TIMEOUT}s"
    sleep 0.5
  done
}

refuse_busy_port() {
  local name="$1" port="$2"
  if port_open "$port"; then
    die "$name: 127.0.0.1:$port is already in use by another process (not this stack's $name): stop it or set the STACK_*_PORT variables"
  fi
}

# ---------------------------------------------------------------- Kafka

write_kafka_config() {
  mkdir -p "$(dirname "$KAFKA_CONFIG")" "$KAFKA_DATA"
  cat >"$KAFKA_CONFIG" <<EOF
# Generated by infra/local/stack.sh: single-node KRaft (broker and controller in one process).
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
# A SASL listener for the tests of authentication failures (secrets kept out of logs): PLAIN, one
# user. No authorizer: an authenticated client may do what a PLAINTEXT one may.
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_twinflow="twinflow-local-sasl";
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
log.dirs=$KAFKA_DATA
num.partitions=1
auto.create.topics.enable=true
# One replica of everything: the defaults (3) would leave internal topics unavailable.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
# Consumers join at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
EOF
}

kafka_ready() { port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOGS/kafka.log"; }

start_kafka() {
  if running_pid kafka >/dev/null; then return 0; fi
  local java
  java="$(kafka_java)"
  write_kafka_config
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    # A cluster id is 16 random bytes in URL-safe base64 without padding (22 characters). It is
    # passed as --cluster-id=ID: one in 32 starts with '-', which the tool's argument parser
    # would take for an option after a separate -t.
    local id
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    mkdir -p "$LOGS"
    if ! "$java" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format --standalone --cluster-id="$id" \
      -c "$KAFKA_CONFIG" >"$LOGS/kafka-format.log" 2>&1; then
      cat "$LOGS/kafka-format.log" >&2
      die "formatting Kafka's storage in $KAFKA_DATA failed"
    fi
  fi
  launch kafka "$KAFKA_DIR" "$java" -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONFIG"
}

# ---------------------------------------------------------------- Apicurio

apicurio_url() { printf 'http://127.0.0.1:%s/apis/ccompat/v7' "$APICURIO_PORT"; }

apicurio_ready() {
  local body
  body="$(curl -s -m 2 "$(apicurio_url)/subjects" 2>/dev/null)" || return 1
  [[ "$body" == \[* ]]
}

start_apicurio() {
  if running_pid apicurio >/dev/null; then return 0; fi
  local java
  java="$(apicurio_java)"
  # The management interface defaults to port 9000 on all interfaces: move and bind it too.
  launch apicurio "$APICURIO_DIR" "$java" -Xms128m -Xmx768m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$APICURIO_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$APICURIO_MANAGEMENT_PORT" \
    -jar "$APICURIO_DIST/quarkus-run.jar"
}

# ---------------------------------------------------------------- ClickHouse

clickhouse_ready() { [ "$(curl -s -m 2 "http://127.0.0.1:$CLICKHOUSE_PORT/ping" 2>/dev/null)" = "Ok." ]; }

start_clickhouse() {
  if running_pid clickhouse >/dev/null; then return 0; fi
  build_cli
  launch clickhouse "$ROOT" "$(command -v node)" "$CLI_MAIN" clickhouse --data "$CLICKHOUSE_DATA" --port "$CLICKHOUSE_PORT"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local started=$SECONDS
  need_curl
  cmd_fetch
  # Refuse busy ports before starting anything, so a clash leaves nothing half started.
  running_pid kafka >/dev/null || {
    refuse_busy_port kafka "$KAFKA_PORT"
    refuse_busy_port "kafka controller" "$KAFKA_CONTROLLER_PORT"
    refuse_busy_port "kafka sasl" "$KAFKA_SASL_PORT"
  }
  running_pid apicurio >/dev/null || {
    refuse_busy_port apicurio "$APICURIO_PORT"
    refuse_busy_port "apicurio management" "$APICURIO_MANAGEMENT_PORT"
  }
  running_pid clickhouse >/dev/null || refuse_busy_port clickhouse "$CLICKHOUSE_PORT"
  # Start all three, then wait: their start-ups (Apicurio's is the longest) overlap.
  start_kafka
  start_apicurio
  start_clickhouse
  wait_ready kafka kafka_ready
  wait_ready apicurio apicurio_ready
  wait_ready clickhouse clickhouse_ready
  say "up in $((SECONDS - started))s"
  cmd_status
}

stop_service() {
  local name="$1" pid i
  if ! pid="$(running_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 $((STOP_TIMEOUT * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(pid_file "$name")"
  say "$name stopped"
}

cmd_down() {
  # The registry and the endpoint first, the broker last; each stops in the background so the
  # three shutdowns overlap.
  local name pids=()
  for name in clickhouse apicurio kafka; do
    stop_service "$name" &
    pids+=($!)
  done
  local rc=0 pid
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  return "$rc"
}

cmd_status() {
  local name pid state check url
  for name in "${SERVICES[@]}"; do
    case "$name" in
    kafka) check=kafka_ready url="127.0.0.1:$KAFKA_PORT" ;;
    apicurio) check=apicurio_ready url="$(apicurio_url)" ;;
    clickhouse) check=clickhouse_ready url="http://127.0.0.1:$CLICKHOUSE_PORT" ;;
    esac
    if pid="$(running_pid "$name")"; then
      if "$check"; then state="running (pid $pid) $url"; else state="starting (pid $pid), not ready: $url"; fi
    elif [ -f "$(pid_file "$name")" ]; then
      state="stopped (stale pid file)"
    else
      state="stopped"
    fi
    printf '  %-11s %s\n' "$name" "$state"
  done
}

case "${1:-}" in
fetch) cmd_fetch ;;
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
*)
  echo "usage: bash infra/local/stack.sh fetch|up|down|status" >&2
  exit 2
  ;;
esac
