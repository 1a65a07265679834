# codetask-worker container: a release build on Ubuntu 24.04 (librdkafka 2.3, above the 2.2 minimum),
# run as an unprivileged user on the slim Swift runtime image.
FROM swift:6.1-noble AS build
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product codetask-worker --product iics-sim \
    && mkdir /out && cp .build/release/codetask-worker .build/release/iics-sim /out/

FROM swift:6.1-noble-slim
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 codetask
COPY --from=build /out/ /usr/local/bin/
USER codetask
ENTRYPOINT ["codetask-worker"]
CMD ["run"]
