#!/bin/sh
# shellcheck disable=SC2086 # JVM options split into words on purpose (set -f below)
# Entrypoint of csrflow's Kafka image: one broker in KRaft mode (broker and controller in one
# process), from the Maven Central jars ./csrflow up runs.
#
#   (no arguments) | broker   writes /var/lib/kafka/server.properties, formats /var/lib/kafka/data
#                             on the first start (cluster id CLUSTER_ID, or a random one) and runs
#                             the broker. Every KAFKA_* variable is a setting, named as the
#                             apache/kafka image names them (KAFKA_ADVERTISED_LISTENERS is
#                             advertised.listeners; __ is _, ___ is -) and put over the defaults below.
#   ready BOOTSTRAP [SECONDS] waits until a producer can write to BOOTSTRAP (kafka-local's tool).
#   topics BOOTSTRAP [PARTITIONS]  creates csrflow's topics and dead-letter topics if missing.
#
# JVM options: JAVA_OPTS, then JAVA_OPTS_APPEND. Writes only under /var/lib/kafka (a volume or tmpfs).
set -eu
# JAVA_OPTS and JAVA_OPTS_APPEND are split into words on purpose; no word of them is a file pattern.
set -f

home=/opt/kafka
dir=/var/lib/kafka

case "${1:-broker}" in
  ready|topics)
    exec java ${JAVA_OPTS:-} ${JAVA_OPTS_APPEND:-} -Dlog4j2.configurationFile="$home/config/log4j2-tools.yaml" \
      -jar "$home/kafka-local.jar" "$@" ;;
  broker) ;;
  *) echo "usage: [broker] | ready BOOTSTRAP [SECONDS] | topics BOOTSTRAP [PARTITIONS]" >&2; exit 2 ;;
esac

host="$(cat /proc/sys/kernel/hostname)"
config="$dir/server.properties"
{
  cat <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://$host:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=6
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES
  # Later lines win when the broker reads the file.
  env | sed -n 's/^KAFKA_\([A-Z0-9_]*\)=/\1=/p' | while IFS= read -r line; do
    name="${line%%=*}"
    case "$name" in
      # The variables of Kafka's own scripts, not settings.
      HEAP_OPTS|OPTS|LOG4J_OPTS|JVM_PERFORMANCE_OPTS|GC_LOG_OPTS|JMX_OPTS|DEBUG) continue ;;
    esac
    key="$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')"
    printf '%s=%s\n' "$key" "${line#*=}"
  done
} >"$config"

if [ ! -f "$dir/data/meta.properties" ]; then
  cluster_id="${CLUSTER_ID:-$(java -cp "$home/kafka-libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)}"
  java ${JAVA_OPTS:-} ${JAVA_OPTS_APPEND:-} -Dlog4j2.configurationFile="$home/config/log4j2-tools.yaml" \
    -cp "$home/kafka-libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$config"
fi
exec java ${JAVA_OPTS:-} ${JAVA_OPTS_APPEND:-} -Dlog4j2.configurationFile="$home/config/log4j2-broker.yaml" \
  -cp "$home/kafka-libs/*" kafka.Kafka "$config"
