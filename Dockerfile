# newsworker image: built in a Rust stage; the runtime image carries only the
# binary (its defaults are built in), on distroless (glibc, CA certificates,
# no shell, no package manager), running as a non-root user. Configure it
# with NEWSWORKER__SECTION__KEY environment variables, or mount a file with
# the keys you change and pass it: `run --config /etc/newsworker/newsworker.toml`.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin newsworker \
 && strip target/release/newsworker

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/newsworker /usr/local/bin/newsworker
# /metrics, /healthz, /readyz (http.listen)
EXPOSE 9464
# Healthy while the worker answers /healthz (no shell in the image: the
# binary asks itself).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/newsworker", "healthcheck"]
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/newsworker"]
CMD ["run"]
