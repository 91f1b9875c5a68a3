//! The deployment files agree with the code: every setting docker-compose.yml
//! gives is a real configuration key with a valid value, every service
//! running the newsworker image can build it, and what they run exists in
//! the image the Dockerfile makes.

use newsworker::config::Config;

fn repo(path: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + path).unwrap()
}

/// `(service, lines)` of the compose file's `services:` section.
fn services(compose: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut inside = false;
    for line in compose.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.starts_with("services:");
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(name) = line
            .strip_prefix("  ")
            .filter(|l| !l.starts_with(' ') && l.ends_with(':'))
        {
            out.push((name.trim_end_matches(':').to_string(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut() {
            lines.push(line.to_string());
        }
    }
    out
}

#[test]
fn compose_settings_are_real_keys_with_valid_values() {
    let compose = repo("docker-compose.yml");
    let mut env: Vec<(String, String)> = Vec::new();
    for line in compose.lines() {
        let t = line.trim();
        let Some((name, value)) = t.split_once(": ") else {
            continue;
        };
        if name.starts_with("NEWSWORKER__") || name == "NATS_URL" {
            env.push((name.to_string(), value.trim_matches('"').to_string()));
        }
    }
    assert!(env.len() >= 4, "{env:?}");
    for (name, value) in &env {
        let one = vec![(name.clone(), value.clone())];
        if let Err(e) = Config::load_from(None, one) {
            panic!("docker-compose.yml sets {name}={value}: {e}");
        }
    }
}

#[test]
fn compose_services_build_the_image_they_run_and_run_what_it_holds() {
    let compose = repo("docker-compose.yml");
    let dockerfile = repo("Dockerfile");
    let services = services(&compose);
    let ours: Vec<&(String, Vec<String>)> = services
        .iter()
        .filter(|(_, lines)| lines.iter().any(|l| l.trim() == "image: newsworker:latest"))
        .collect();
    assert!(ours.len() >= 3, "{services:?}");
    for (name, lines) in ours {
        assert!(
            lines.iter().any(|l| l.trim() == "build: ."),
            "service {name} runs newsworker:latest but cannot build it"
        );
        for l in lines {
            for path in l
                .split('"')
                .filter(|p| p.starts_with("/usr/") || p.starts_with("/etc/newsworker"))
            {
                assert!(
                    dockerfile.contains(path),
                    "service {name} uses {path}, which the Dockerfile does not put in the image"
                );
            }
        }
    }
    // The Dockerfile puts nothing in the image that nothing reads.
    assert!(
        !dockerfile.contains("COPY config/"),
        "a config file in the image is read by nothing"
    );
    assert!(dockerfile.contains("HEALTHCHECK"));
}
