#!/usr/bin/env bash
# Builds the stock-analysis Elasticsearch plugin zip from src/ against the jars of an
# Elasticsearch distribution, for the local distribution only (official images already have
# these filters in their analysis-common module).
# Usage: build.sh ES_HOME ES_VERSION OUT_DIR   (writes OUT_DIR/stock-analysis.zip)
# Needs JAVA_HOME: a JDK 21+, as Elasticsearch 9 is.
set -euo pipefail
es_home=$1 es_version=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$out"
mkdir -p "$out/classes" "$out/bundle"
mapfile -t sources < <(find "$here/src" -name '*.java')
classpath=$(find "$es_home/lib" -maxdepth 1 -name '*.jar' | sort | paste -sd:)
"$JAVA_HOME/bin/javac" --release 21 -proc:none -encoding UTF-8 -Xlint:all,-serial -Werror \
    -cp "$classpath" -d "$out/classes" "${sources[@]}"
"$JAVA_HOME/bin/jar" --create --file "$out/bundle/stock-analysis.jar" -C "$out/classes" .
cat >"$out/bundle/plugin-descriptor.properties" <<DESCRIPTOR
description=The stock analysis-common token filters the catalog index uses (asciifolding, stemmer, stemmer_override, edge_ngram, dictionary_decompounder, remove_duplicates, word_delimiter_graph, flatten_graph, elision, german_normalization; the whitespace tokenizer)
version=1.0.0
name=stock-analysis
classname=catalog.analysis.StockAnalysisPlugin
java.version=21
elasticsearch.version=$es_version
DESCRIPTOR
"$JAVA_HOME/bin/jar" --create --no-manifest --file "$out/stock-analysis.zip" -C "$out/bundle" .
