#!/usr/bin/env bash
# The image's entrypoint (run under tini).
#   driver | executor   Spark on Kubernetes (the Spark operator starts pods with these arguments),
#                       following the contract of Spark's own kubernetes/dockerfiles/spark/entrypoint.sh
#   anything else       run as given, e.g. `tmdb-pipeline run --continuous`
set -euo pipefail

spark_classpath() {
  # pyspark's jars, the extra jars resolved at build time, Spark's conf dir when mounted
  local classpath="${SPARK_HOME}/jars/*" dir
  for dir in /opt/tmdb/downloads/spark-jars-*/; do
    classpath="${classpath}:${dir}*"
  done
  if [ -n "${SPARK_CONF_DIR:-}" ]; then classpath="${SPARK_CONF_DIR}:${classpath}"; fi
  if [ -n "${SPARK_EXTRA_CLASSPATH:-}" ]; then classpath="${classpath}:${SPARK_EXTRA_CLASSPATH}"; fi
  echo "${classpath}"
}

case "${1:-}" in
  driver)
    shift
    exec "${SPARK_HOME}/bin/spark-submit" \
      --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS}" \
      --deploy-mode client \
      "$@"
    ;;
  executor)
    shift
    # SPARK_JAVA_OPT_0, _1, ... in order
    mapfile -t java_opts < <(env | grep '^SPARK_JAVA_OPT_' | sort -t_ -k4 -n | sed 's/^[^=]*=//')
    exec "${JAVA_HOME}/bin/java" "${java_opts[@]}" \
      -Xms"${SPARK_EXECUTOR_MEMORY}" -Xmx"${SPARK_EXECUTOR_MEMORY}" \
      -cp "$(spark_classpath)" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "${SPARK_DRIVER_URL}" \
      --executor-id "${SPARK_EXECUTOR_ID}" \
      --cores "${SPARK_EXECUTOR_CORES}" \
      --app-id "${SPARK_APPLICATION_ID}" \
      --hostname "${SPARK_EXECUTOR_POD_IP}" \
      --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID}" \
      --podName "${SPARK_EXECUTOR_POD_NAME}"
    ;;
  "")
    exec tmdb-pipeline --help
    ;;
  *)
    exec "$@"
    ;;
esac
