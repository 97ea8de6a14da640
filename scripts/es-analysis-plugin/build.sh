#!/usr/bin/env bash
# Builds the catalog-analysis Elasticsearch plugin zip from src/ against the jars of an
# Elasticsearch distribution. Used by scripts/services.sh and by the Elasticsearch image in
# docker/elasticsearch.Dockerfile, so both run the same plugin.
# Usage: build.sh ES_HOME ES_VERSION OUT_DIR   (writes OUT_DIR/catalog-analysis.zip)
set -euo pipefail
es_home=$1 es_version=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
javac=${JAVA_HOME:+$JAVA_HOME/bin/}javac
jar=${JAVA_HOME:+$JAVA_HOME/bin/}jar

rm -rf "$out"
mkdir -p "$out/classes" "$out/bundle"
mapfile -t sources < <(find "$here/src" -name '*.java')
"$javac" --release 17 -proc:none -Xlint:all -Werror -cp "$es_home/lib/*" -d "$out/classes" "${sources[@]}"
"$jar" --create --file "$out/bundle/catalog-analysis.jar" -C "$out/classes" .
cat >"$out/bundle/plugin-descriptor.properties" <<DESCRIPTOR
description=Catalog analysis token filters (ASCII folding, English possessive, Porter stem, edge n-grams)
version=1.0.0
name=catalog-analysis
classname=catalog.analysis.CatalogAnalysisPlugin
java.version=17
elasticsearch.version=$es_version
DESCRIPTOR
"$jar" --create --no-manifest --file "$out/catalog-analysis.zip" -C "$out/bundle" .
