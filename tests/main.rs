//! Integration tests: the binary against real nats-servers started per test,
//! and the library on fixture pages (scripts).

mod common;

mod boilerplate;
mod chaos;
mod cli_config;
mod cluster;
mod core_mode;
mod crash;
mod delivery;
mod deploy;
mod evaluate;
mod hostile;
mod hostile_peers;
mod jetstream_flow;
mod languages;
mod layout;
mod metrics;
mod offline;
mod permissions;
mod properties;
mod realworld;
mod reliability;
mod replay;
mod schemas;
mod scripts;
mod security;
mod shutdown;
mod status;
mod templates;
