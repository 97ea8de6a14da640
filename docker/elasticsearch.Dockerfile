# Elasticsearch with the project's catalog-analysis plugin, the same major and plugin as
# `make services-up` runs locally (see scripts/es-analysis-plugin).
ARG ES_VERSION=8.19.21
FROM docker.elastic.co/elasticsearch/elasticsearch:${ES_VERSION} AS elasticsearch

FROM eclipse-temurin:17-jdk AS plugin
ARG ES_VERSION=8.19.21
COPY --from=elasticsearch /usr/share/elasticsearch/lib /es/lib
COPY scripts/es-analysis-plugin /src
RUN /src/build.sh /es "${ES_VERSION}" /out

FROM elasticsearch
COPY --from=plugin /out/catalog-analysis.zip /tmp/catalog-analysis.zip
RUN bin/elasticsearch-plugin install --batch file:///tmp/catalog-analysis.zip
