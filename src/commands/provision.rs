//! `newsworker provision`: creates the streams and the consumer, or checks
//! that the existing ones match the configuration.

use crate::config::Config;

/// Prints what was created and every difference found; fails when an
/// existing object differs (newsworker never reconfigures one).
pub async fn run(cfg: &Config) -> anyhow::Result<()> {
    let client = crate::nats::connect(cfg).await?;
    let js = crate::nats::jetstream(client, cfg);
    let report = match crate::nats::provision(&js, cfg).await {
        Ok((_, report)) => report,
        Err(e) => {
            // Without JetStream at all, say so and what to do.
            crate::nats::require_jetstream(&js, cfg).await?;
            return Err(e);
        }
    };
    for line in &report.actions {
        println!("{line}");
    }
    for line in &report.mismatches {
        println!("MISMATCH: {line}");
    }
    if report.mismatches.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{} existing objects differ from the configuration; newsworker does not reconfigure them (edit or delete them, or change the configuration)",
            report.mismatches.len()
        )
    }
}
