# codetask-worker images, two targets cut from one build stage:
#
#   docker build -t codetask-worker .                              # production (the last stage, `worker`)
#   docker build --target simulator -t codetask-iics-sim .         # the Informatica simulator, for trials only
#
# The production image holds codetask-worker only. Both run as 10001:10001 (numeric, so Kubernetes'
# runAsNonRoot accepts it); a secret file given to the worker (--password-file, --session-id-file) must be
# readable by that user, e.g. mode 0400 owned by 10001 (Kubernetes: a secret volume with defaultMode 0400 and
# fsGroup 10001, or 0440). The image serves the operations endpoint on 0.0.0.0:9464 (CODETASK_HTTP_ADDRESS), so
# Prometheus can scrape /metrics from outside the container; the HEALTHCHECK curls /healthz there. librdkafka comes from Ubuntu 24.04 (2.3.0), checked against the supported
# minimum in both stages. scripts/check-deploy-files checks this file against the code.
ARG SWIFT_VERSION=6.3.1
# Keep equal to Librdkafka.minimumVersion (Sources/Kafka/Librdkafka.swift).
ARG RDKAFKA_MINIMUM=2.2.0

# ---- build: dependencies first, then one `swift build` per product -------------------------------------
FROM swift:${SWIFT_VERSION}-noble AS build
ARG RDKAFKA_MINIMUM
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev pkg-config \
    && rm -rf /var/lib/apt/lists/* \
    && have=$(pkg-config --modversion rdkafka) \
    && { dpkg --compare-versions "$have" ge "$RDKAFKA_MINIMUM" \
         || { echo "librdkafka-dev $have is older than $RDKAFKA_MINIMUM" >&2; exit 1; }; }
WORKDIR /src
# Package versions are pinned to deploy/package-versions.txt, the versions the commit was tested with: after a
# first resolve, deploy/pin-package-versions resolves each listed package at its version, and
# deploy/check-package-versions confirms the whole graph (a pin that cannot hold fails the build, naming it). A
# newer in-range release of any package therefore changes nothing. This layer changes only with the manifest or
# the pins, so source edits do not fetch the packages again.
COPY Package.swift Package.resolve[d] ./
COPY deploy/package-versions.txt deploy/check-package-versions deploy/pin-package-versions ./deploy/
RUN swift package resolve && sh deploy/pin-package-versions deploy/package-versions.txt \
    && sh deploy/check-package-versions Package.resolved deploy/package-versions.txt
# The manifest names the test targets too, so their folders must exist; nothing in them is built.
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product codetask-worker \
    && install -D "$(swift build -c release --show-bin-path)/codetask-worker" /out/codetask-worker

# ---- build-simulator: the simulator, on top of the worker's build (shared modules are not rebuilt) ------
FROM build AS build-simulator
RUN swift build -c release --product iics-sim \
    && install -D "$(swift build -c release --show-bin-path)/iics-sim" /out-simulator/iics-sim

# ---- simulator: iics-sim alone, with curl for the compose health check ----------------------------------
FROM swift:${SWIFT_VERSION}-noble-slim AS simulator
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=build-simulator /out-simulator/iics-sim /usr/local/bin/iics-sim
USER 10001:10001
EXPOSE 8089
ENTRYPOINT ["iics-sim"]
CMD ["--host", "0.0.0.0", "--port", "8089"]

# ---- worker: the production image (the default target) -------------------------------------------------
FROM swift:${SWIFT_VERSION}-noble-slim AS worker
ARG RDKAFKA_MINIMUM
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && have=$(dpkg-query -W -f='${Version}' librdkafka1) \
    && { dpkg --compare-versions "$have" ge "$RDKAFKA_MINIMUM" \
         || { echo "librdkafka1 $have is older than $RDKAFKA_MINIMUM" >&2; exit 1; }; }
COPY --from=build /out/codetask-worker /usr/local/bin/codetask-worker
ENV CODETASK_HTTP_ADDRESS=0.0.0.0:9464
USER 10001:10001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["codetask-worker"]
CMD ["run"]
