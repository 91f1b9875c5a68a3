# newsworker image: built in a Rust stage, shipped as the binary and its
# default configuration on a slim base, running as a non-root user.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin newsworker \
 && strip target/release/newsworker

FROM debian:bookworm-slim
# ca-certificates: TLS to NATS servers with publicly signed certificates.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home newsworker
COPY --from=build /src/target/release/newsworker /usr/local/bin/newsworker
COPY config/default.toml /etc/newsworker/default.toml
USER 10001
ENTRYPOINT ["newsworker"]
CMD ["run"]
