# newsworker image: built in a Rust stage; the runtime image carries only the
# binary and its default configuration, on distroless (glibc, CA
# certificates, no shell, no package manager), running as a non-root user.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin newsworker \
 && strip target/release/newsworker

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/newsworker /usr/local/bin/newsworker
COPY config/default.toml /etc/newsworker/default.toml
# /metrics, /healthz, /readyz (http.listen)
EXPOSE 9464
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/newsworker"]
CMD ["run"]
