//! TLS to the server, with rustls, chosen by the URL's `sslmode` as libpq chooses it:
//! `disable` (plain TCP), `require` (encrypted, the server not verified: it stops a passive
//! listener, not a man in the middle), `verify-full` (encrypted, the server's certificate
//! chained to `sslrootcert` and issued for the host connected to). `verify-full` is the default
//! for every host that is not this machine (loopback addresses, `localhost`, Unix sockets),
//! where plain TCP is the default.

use std::path::PathBuf;
use std::sync::Arc;

use postgres::config::Host;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;
use tollgate_store::StoreError;

/// How a connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP.
    Disable,
    /// TLS, without verifying the server.
    Require,
    /// TLS, the server's certificate verified against `sslrootcert` and the host name.
    VerifyFull,
}

/// What connects: the driver's configuration and the TLS to use.
pub(crate) struct Target {
    pub(crate) config: postgres::Config,
    pub(crate) tls: Option<MakeRustlsConnect>,
    pub(crate) mode: SslMode,
}

impl core::fmt::Debug for Target {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Target")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

fn invalid(what: String) -> StoreError {
    StoreError::Backend {
        context: "postgres: the connection URL",
        source: what.into(),
    }
}

/// The URL without `sslmode` and `sslrootcert` (which the driver does not take), and their
/// values. Both forms: `postgres://…?k=v&…` and `k=v k=v`.
fn split(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let mut take = |pair: &str| -> bool {
        match pair.split_once('=') {
            Some(("sslmode", v)) => mode = Some(v.to_owned()),
            Some(("sslrootcert", v)) => root = Some(v.to_owned()),
            _ => return true,
        }
        false
    };
    let rest = if let Some((base, query)) = url
        .split_once('?')
        .filter(|_| url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        let kept: Vec<&str> = query.split('&').filter(|p| take(p)).collect();
        if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        }
    } else if url.contains("://") {
        url.to_owned()
    } else {
        let kept: Vec<&str> = url.split_whitespace().filter(|p| take(p)).collect();
        kept.join(" ")
    };
    (rest, mode, root)
}

/// The same server, database `name` (for tests and tools that make databases).
#[must_use]
pub fn url_for_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

fn is_local(config: &postgres::Config) -> bool {
    config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => {
            name == "localhost"
                || name
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Host::Unix(_) => true,
    })
}

/// Reads `url`: the driver's configuration, and the TLS its `sslmode` asks for.
pub(crate) fn target(url: &str) -> Result<Target, StoreError> {
    let (rest, mode, root) = split(url);
    let mut config: postgres::Config = rest.parse().map_err(|e| StoreError::Backend {
        context: "postgres: not a connection URL",
        source: Box::new(e),
    })?;
    let mode = match mode.as_deref() {
        None if is_local(&config) => SslMode::Disable,
        None | Some("verify-full") => SslMode::VerifyFull,
        Some("require") => SslMode::Require,
        Some("disable") => SslMode::Disable,
        Some(other) => {
            return Err(invalid(format!(
                "sslmode={other} is not supported: use disable, require or verify-full"
            )));
        }
    };
    let tls = match mode {
        SslMode::Disable => {
            config.ssl_mode(postgres::config::SslMode::Disable);
            None
        }
        SslMode::Require => {
            config.ssl_mode(postgres::config::SslMode::Require);
            Some(MakeRustlsConnect::new(unverified()))
        }
        SslMode::VerifyFull => {
            config.ssl_mode(postgres::config::SslMode::Require);
            let root = root.ok_or_else(|| {
                invalid(
                    "sslmode=verify-full (the default for a server on another machine) needs \
                     sslrootcert=PATH, the certificate of the CA that issued the server's"
                        .into(),
                )
            })?;
            Some(MakeRustlsConnect::new(verified(&PathBuf::from(root))?))
        }
    };
    Ok(Target { config, tls, mode })
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn verified(root: &std::path::Path) -> Result<rustls::ClientConfig, StoreError> {
    let unreadable = |e: String| invalid(format!("sslrootcert={}: {e}", root.display()));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(root).map_err(|e| unreadable(e.to_string()))? {
        let cert = cert.map_err(|e| unreadable(e.to_string()))?;
        roots.add(cert).map_err(|e| unreadable(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(unreadable("no certificate in the file".into()));
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| unreadable(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

fn unverified() -> rustls::ClientConfig {
    let provider = provider();
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions();
    // The ring provider supports the default protocol versions.
    match config {
        Ok(config) => config
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyServer(provider)))
            .with_no_client_auth(),
        Err(_) => rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyServer(provider)))
            .with_no_client_auth(),
    }
}

/// `sslmode=require`: any certificate, but the handshake's signatures still checked.
#[derive(Debug)]
struct AnyServer(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyServer {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a test fails loudly on the first broken expectation"
    )]

    use super::*;

    #[test]
    fn the_url_loses_its_tls_parameters_and_keeps_the_rest() {
        let (rest, mode, root) = split(
            "postgres://u@db.example:5432/x?sslmode=verify-full&application_name=t&sslrootcert=/ca.pem",
        );
        assert_eq!(rest, "postgres://u@db.example:5432/x?application_name=t");
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root.as_deref(), Some("/ca.pem"));
        let (rest, mode, _) = split("host=db user=u sslmode=require");
        assert_eq!(
            (rest.as_str(), mode.as_deref()),
            ("host=db user=u", Some("require"))
        );
        assert_eq!(
            url_for_database(
                "postgres://u@h:1/postgres?sslmode=verify-full&sslrootcert=/a/b",
                "t"
            ),
            "postgres://u@h:1/t?sslmode=verify-full&sslrootcert=/a/b"
        );
    }

    #[test]
    fn verify_full_is_the_default_off_this_machine_and_needs_a_root() {
        assert_eq!(
            target("postgres://u@127.0.0.1/x").unwrap().mode,
            SslMode::Disable
        );
        assert_eq!(
            target("postgres://u@localhost/x").unwrap().mode,
            SslMode::Disable
        );
        let refused = target("postgres://u@db.example/x").unwrap_err();
        assert!(refused.source_text().contains("sslrootcert"), "{refused}");
        let refused = target("postgres://u@db.example/x?sslmode=prefer").unwrap_err();
        assert!(refused.source_text().contains("not supported"), "{refused}");
        assert_eq!(
            target("postgres://u@db.example/x?sslmode=require")
                .unwrap()
                .mode,
            SslMode::Require
        );
    }

    proptest::proptest! {
        /// Hostile text: the splitter never panics, and what it keeps is what it was given
        /// less the two TLS parameters.
        #[test]
        fn any_text_splits_without_panic(url in "\\PC{0,80}") {
            let (rest, mode, root) = split(&url);
            proptest::prop_assert!(rest.len() <= url.len());
            for value in [mode, root].into_iter().flatten() {
                proptest::prop_assert!(url.contains(&value));
            }
        }

        /// A URL with the TLS parameters among others, in any order: both are taken out, and
        /// every other parameter stays, in its order.
        #[test]
        fn tls_parameters_come_out_and_the_rest_stays(
            others in proptest::collection::vec("[a-z_]{1,8}=[a-z0-9]{0,8}", 0..4),
            at in 0usize..5,
            root_at in 0usize..5,
        ) {
            let others: Vec<String> = others
                .into_iter()
                .filter(|p| !p.starts_with("sslmode=") && !p.starts_with("sslrootcert="))
                .collect();
            let mut params = others.clone();
            params.insert(at.min(params.len()), "sslmode=verify-full".to_owned());
            params.insert(root_at.min(params.len()), "sslrootcert=/ca.pem".to_owned());
            let url = format!("postgres://u@db.example:5432/x?{}", params.join("&"));
            let (rest, mode, root) = split(&url);
            proptest::prop_assert_eq!(mode.as_deref(), Some("verify-full"));
            proptest::prop_assert_eq!(root.as_deref(), Some("/ca.pem"));
            let expected = if others.is_empty() {
                "postgres://u@db.example:5432/x".to_owned()
            } else {
                format!("postgres://u@db.example:5432/x?{}", others.join("&"))
            };
            proptest::prop_assert_eq!(rest, expected);
        }
    }

    trait SourceText {
        fn source_text(&self) -> String;
    }

    impl SourceText for StoreError {
        fn source_text(&self) -> String {
            std::error::Error::source(self)
                .map(ToString::to_string)
                .unwrap_or_default()
        }
    }
}
