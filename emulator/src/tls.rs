//! HTTPS: a certificate chain and its private key, read from PEM files (`--tls-cert`,
//! `--tls-key`). Mobile SDKs refuse plain HTTP by default.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A server certificate and key, ready to serve HTTPS with (HTTP/1.1 only, as OSS).
///
/// ```no_run
/// use oss_callback_emulator::{Config, Tls};
/// let tls = Tls::from_pem_files("cert.pem".as_ref(), "key.pem".as_ref())?;
/// let config = Config { tls: Some(tls), ..Config::default() };
/// # Ok::<(), oss_callback_emulator::TlsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tls {
    pub(crate) config: Arc<rustls::ServerConfig>,
}

/// Why the certificate or key cannot be served with.
#[derive(Debug)]
pub enum TlsError {
    /// A file cannot be read, or holds no PEM block of the expected kind.
    File {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// rustls refuses the pair (a key that does not match the certificate, an unsupported
    /// key type).
    Pair(rustls::Error),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::File { what, path, reason } => {
                write!(f, "the TLS {what} file {}: {reason}", path.display())
            }
            TlsError::Pair(err) => write!(f, "the TLS certificate and key: {err}"),
        }
    }
}

impl std::error::Error for TlsError {}

impl Tls {
    /// Reads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or
    /// SEC1).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Tls, TlsError> {
        let chain = read(cert, "certificate", |bytes| {
            CertificateDer::pem_slice_iter(bytes).collect::<Result<Vec<_>, _>>()
        })?;
        if chain.is_empty() {
            return Err(file_error(cert, "certificate", "no CERTIFICATE block"));
        }
        let key = read(key, "private key", PrivateKeyDer::from_pem_slice)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Pair)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(TlsError::Pair)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            config: Arc::new(config),
        })
    }

    /// The rustls configuration, e.g. for [`oss_callback::axum::ServeConfig::tls`].
    #[must_use]
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.config.clone()
    }
}

fn read<T>(
    path: &Path,
    what: &'static str,
    parse: impl FnOnce(&[u8]) -> Result<T, pem::Error>,
) -> Result<T, TlsError> {
    let bytes = std::fs::read(path).map_err(|err| file_error(path, what, &err.to_string()))?;
    parse(&bytes).map_err(|err| {
        let reason = match err {
            pem::Error::NoItemsFound => "no PEM block of that kind".to_owned(),
            err => format!("not valid PEM: {err}"),
        };
        file_error(path, what, &reason)
    })
}

fn file_error(path: &Path, what: &'static str, reason: &str) -> TlsError {
    TlsError::File {
        what,
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    }
}
