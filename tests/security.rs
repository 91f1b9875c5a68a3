//! Authentication and TLS against nats-servers configured for each:
//! user/password, token, nkey, a credentials file (operator mode with JWTs
//! made here), and TLS with a CA made here. Each works with the right
//! secret; the wrong one fails with a clear error and a non-zero exit; no
//! secret ever appears in the output or the logs.

use std::path::Path;

use base64::Engine as _;

use crate::common::{command, NatsServer};

/// A server started with `conf` (written to a file in `dir`).
fn server(dir: &Path, conf: &str) -> NatsServer {
    let file = dir.join("nats.conf");
    std::fs::write(&file, conf).unwrap();
    NatsServer::start_with(&["-c", file.to_str().unwrap()])
}

/// Runs `newsworker provision` with `env` at trace logging; returns (ok,
/// everything it printed).
fn provision(url: &str, env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = command(url);
    cmd.arg("provision")
        .env("NEWSWORKER__LOG__LEVEL", "trace")
        .env("NEWSWORKER__NATS__CONNECT_TIMEOUT", "3s");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The right secret connects and provisions; the wrong one fails, exits
/// non-zero and says why; neither run prints a secret.
fn check(url: &str, right: &[(&str, &str)], wrong: &[(&str, &str)], secrets: &[&str], cause: &str) {
    let (ok, text) = provision(url, right);
    assert!(ok, "the right credentials must work:\n{text}");
    assert!(text.contains("created stream NEWS_RAW"), "{text}");
    let (ok, failure) = provision(url, wrong);
    assert!(!ok, "the wrong credentials must fail:\n{failure}");
    assert!(
        failure.to_lowercase().contains(cause),
        "the error must say {cause:?}:\n{failure}"
    );
    for s in secrets {
        assert!(
            !text.contains(s) && !failure.contains(s),
            "secret {s:?} printed:\n{text}\n{failure}"
        );
    }
}

#[test]
fn user_and_password() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(
        dir.path(),
        r#"authorization { user: "worker", password: "pa55-w0rd-right" }"#,
    );
    check(
        &s.url,
        &[
            ("NEWSWORKER__NATS__USER", "worker"),
            ("NEWSWORKER__NATS__PASSWORD", "pa55-w0rd-right"),
        ],
        &[
            ("NEWSWORKER__NATS__USER", "worker"),
            ("NEWSWORKER__NATS__PASSWORD", "pa55-w0rd-wrong"),
        ],
        &["pa55-w0rd-right", "pa55-w0rd-wrong"],
        "authorization",
    );
}

#[test]
fn user_and_password_in_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(
        dir.path(),
        r#"authorization { user: "worker", password: "url-s3cret-right" }"#,
    );
    let port = s.url.rsplit(':').next().unwrap();
    let right = format!("nats://worker:url-s3cret-right@127.0.0.1:{port}");
    let wrong = format!("nats://worker:url-s3cret-wrong@127.0.0.1:{port}");
    check(
        &right,
        &[],
        &[("NATS_URL", wrong.as_str())],
        &["url-s3cret-right", "url-s3cret-wrong"],
        "authorization",
    );
}

#[test]
fn token() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(
        dir.path(),
        r#"authorization { token: "t0ken-right-value" }"#,
    );
    check(
        &s.url,
        &[("NEWSWORKER__NATS__TOKEN", "t0ken-right-value")],
        &[("NEWSWORKER__NATS__TOKEN", "t0ken-wrong-value")],
        &["t0ken-right-value", "t0ken-wrong-value"],
        "authorization",
    );
}

#[test]
fn nkey() {
    let dir = tempfile::tempdir().unwrap();
    let user = nkeys::KeyPair::new_user();
    let stranger = nkeys::KeyPair::new_user();
    let s = server(
        dir.path(),
        &format!(
            "authorization {{ users: [ {{ nkey: \"{}\" }} ] }}",
            user.public_key()
        ),
    );
    let (seed, other) = (user.seed().unwrap(), stranger.seed().unwrap());
    check(
        &s.url,
        &[("NEWSWORKER__NATS__NKEY", seed.as_str())],
        &[("NEWSWORKER__NATS__NKEY", other.as_str())],
        &[&seed, &other],
        "authorization",
    );
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A NATS JWT (v2) for `subject`, signed by `issuer`.
fn jwt(issuer: &nkeys::KeyPair, subject: &str, nats: serde_json::Value) -> String {
    let header = b64(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let claims = serde_json::json!({
        "jti": format!("T{}", subject),
        "iat": 1_700_000_000,
        "iss": issuer.public_key(),
        "name": "test",
        "sub": subject,
        "nats": nats,
    });
    let body = b64(claims.to_string().as_bytes());
    let signature = issuer.sign(format!("{header}.{body}").as_bytes()).unwrap();
    format!("{header}.{body}.{}", b64(&signature))
}

fn creds(user_jwt: &str, seed: &str) -> String {
    format!(
        "-----BEGIN NATS USER JWT-----\n{user_jwt}\n------END NATS USER JWT------\n\n\
         ************************* IMPORTANT *************************\n\
         NKEY Seed printed below can be used to sign and prove identity.\n\n\
         -----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n"
    )
}

#[test]
fn credentials_file() {
    let dir = tempfile::tempdir().unwrap();
    let operator = nkeys::KeyPair::new_operator();
    let account = nkeys::KeyPair::new_account();
    let user = nkeys::KeyPair::new_user();
    let operator_jwt = jwt(
        &operator,
        &operator.public_key(),
        serde_json::json!({"type": "operator", "version": 2}),
    );
    let limits = serde_json::json!({
        "subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1, "wildcards": true,
        "conn": -1, "leaf": -1, "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1
    });
    let account_jwt = jwt(
        &operator,
        &account.public_key(),
        serde_json::json!({"type": "account", "version": 2, "limits": limits}),
    );
    let user_claims = serde_json::json!({"type": "user", "version": 2, "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1});
    let user_jwt = jwt(&account, &user.public_key(), user_claims.clone());
    // The wrong file: a user of an account the server does not know.
    let rogue = nkeys::KeyPair::new_account();
    let rogue_user = nkeys::KeyPair::new_user();
    let rogue_jwt = jwt(&rogue, &rogue_user.public_key(), user_claims);
    let (seed, rogue_seed) = (user.seed().unwrap(), rogue_user.seed().unwrap());
    let right = dir.path().join("right.creds");
    let wrong = dir.path().join("wrong.creds");
    std::fs::write(&right, creds(&user_jwt, &seed)).unwrap();
    std::fs::write(&wrong, creds(&rogue_jwt, &rogue_seed)).unwrap();
    // JetStream in operator mode needs a system account.
    let system = nkeys::KeyPair::new_account();
    let system_jwt = jwt(
        &operator,
        &system.public_key(),
        serde_json::json!({"type": "account", "version": 2}),
    );
    let s = server(
        dir.path(),
        &format!(
            "operator: \"{operator_jwt}\"\nsystem_account: {sys}\nresolver: MEMORY\nresolver_preload: {{ {acc}: \"{account_jwt}\", {sys}: \"{system_jwt}\" }}\n",
            acc = account.public_key(),
            sys = system.public_key(),
        ),
    );
    check(
        &s.url,
        &[(
            "NEWSWORKER__NATS__CREDENTIALS_FILE",
            right.to_str().unwrap(),
        )],
        &[(
            "NEWSWORKER__NATS__CREDENTIALS_FILE",
            wrong.to_str().unwrap(),
        )],
        &[&seed, &rogue_seed],
        "authorization",
    );
    // A missing file is named.
    let (ok, text) = provision(
        &s.url,
        &[(
            "NEWSWORKER__NATS__CREDENTIALS_FILE",
            "/nonexistent/worker.creds",
        )],
    );
    assert!(!ok && text.contains("/nonexistent/worker.creds"), "{text}");
}

#[test]
fn tls_with_a_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "newsworker test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap()
            .signed_by(&server_key, &ca, &ca_key)
            .unwrap();
    // Another CA, which did not sign the server's certificate.
    let other_key = rcgen::KeyPair::generate().unwrap();
    let mut other_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    other_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let other = other_params.self_signed(&other_key).unwrap();
    let write = |name: &str, pem: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, pem).unwrap();
        p.to_str().unwrap().to_string()
    };
    let ca_file = write("ca.pem", ca.pem());
    let other_file = write("other-ca.pem", other.pem());
    let cert_file = write("server.pem", server_cert.pem());
    let key_file = write("server-key.pem", server_key.serialize_pem());
    let s = server(
        dir.path(),
        &format!("tls {{ cert_file: \"{cert_file}\", key_file: \"{key_file}\" }}"),
    );
    check(
        &s.url,
        &[("NEWSWORKER__NATS__TLS_CA_FILE", ca_file.as_str())],
        &[("NEWSWORKER__NATS__TLS_CA_FILE", other_file.as_str())],
        &[],
        "certificate",
    );
    // Without TLS configured, the client is told the server wants it.
    let (ok, text) = provision(&s.url, &[]);
    assert!(!ok, "{text}");
}

#[test]
fn user_and_password_in_a_url_without_a_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let s = server(
        dir.path(),
        r#"authorization { user: "alice", password: "S3cr3tPW-right" }"#,
    );
    let port = s.url.rsplit(':').next().unwrap();
    let right = format!("alice:S3cr3tPW-right@127.0.0.1:{port}");
    let wrong = format!("alice:S3cr3tPW-wrong@127.0.0.1:{port}");
    check(
        &right,
        &[],
        &[("NATS_URL", wrong.as_str())],
        &["S3cr3tPW-right", "S3cr3tPW-wrong"],
        "authorization",
    );
    // Nothing listening: the connection error names the address, not the
    // password.
    let nobody = format!(
        "alice:S3cr3tPW-gone@127.0.0.1:{}",
        crate::common::free_port()
    );
    let (ok, text) = provision(&nobody, &[("NEWSWORKER__NATS__CONNECT_TIMEOUT", "1s")]);
    assert!(!ok);
    assert!(text.contains("127.0.0.1"), "{text}");
    assert!(!text.contains("S3cr3tPW"), "{text}");
}

#[test]
fn a_secret_of_the_wrong_type_in_the_config_file_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    for key in ["token", "password"] {
        let file = dir.path().join(format!("{key}.toml"));
        std::fs::write(&file, format!("[nats]\n{key} = 918273645\n")).unwrap();
        let out = command("nats://127.0.0.1:1")
            .args(["provision", "--config", file.to_str().unwrap()])
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success());
        assert!(text.contains(&format!("nats.{key}")), "{text}");
        assert!(text.contains("quoted string"), "{text}");
        assert!(!text.contains("918273645"), "{text}");
    }
}
