//! TLS to a stand-in, as a function on Lambda reaches AWS or a team's API: a local TLS endpoint
//! in front of a plain HTTP stand-in (the benchmark's counting proxy, the legacy user API), so
//! that a function's first call pays a real handshake and certificate check, and later calls
//! reuse the connection.
//!
//! The run makes its own chain shaped like an AWS endpoint's (a root, an intermediate, a leaf
//! for `127.0.0.1`, RSA 2048 throughout, the server presenting leaf and intermediate), and each
//! runtime trusts the root the way it trusts a system CA: the Rust functions and the Python
//! peers read a bundle of the machine's CA certificates with the run's root appended
//! (`SSL_CERT_FILE`, read by rustls-native-certs; `AWS_CA_BUNDLE`, read by botocore in place of
//! its own bundle), so they parse as many roots as they would on Lambda; Node.js keeps its
//! built-in roots and adds the run's (`NODE_EXTRA_CA_CERTS`).

use std::io::BufReader;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::{Acceptor, HttpRequest, write_answer};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Where a Linux machine keeps its CA bundle: Debian's, then Amazon Linux's (Lambda's).
const SYSTEM_BUNDLES: [&str; 2] = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"];

/// The run's certificates, and the files the subjects trust them by.
#[derive(Debug)]
pub struct Tls {
    dir: PathBuf,
    /// The run's root alone (for Node.js, which adds it to its own roots).
    root_pem: PathBuf,
    /// The machine's CA bundle with the run's root appended.
    bundle: PathBuf,
    /// How many CA certificates the bundle holds, the run's included.
    pub bundle_roots: usize,
    config: Arc<rustls::ServerConfig>,
}

/// Tells apart the chains one process makes.
static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn rsa_key() -> Result<KeyPair, String> {
    KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(|e| format!("RSA key: {e}"))
}

fn ca_params(name: &str) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(params)
}

impl Tls {
    /// Makes the chain and writes the trust files into a fresh temporary folder.
    pub fn make() -> Result<Tls, String> {
        let root = CertifiedIssuer::self_signed(ca_params("cognito-reset test root")?, rsa_key()?)
            .map_err(|e| format!("root certificate: {e}"))?;
        let intermediate = CertifiedIssuer::signed_by(ca_params("cognito-reset test intermediate")?, rsa_key()?, &root)
            .map_err(|e| format!("intermediate certificate: {e}"))?;
        let mut leaf_params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).map_err(|e| e.to_string())?;
        leaf_params.distinguished_name.push(DnType::CommonName, "127.0.0.1");
        let leaf_key = rsa_key()?;
        let leaf = leaf_params
            .signed_by(&leaf_key, &intermediate)
            .map_err(|e| format!("leaf certificate: {e}"))?;
        let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), intermediate.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let config =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .map_err(|e| format!("server configuration: {e}"))?;

        let dir = std::env::temp_dir().join(format!(
            "cognito-reset-tls-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let root_pem = dir.join("root.pem");
        std::fs::write(&root_pem, root.pem()).map_err(|e| format!("{}: {e}", root_pem.display()))?;
        let system = SYSTEM_BUNDLES
            .iter()
            .map(Path::new)
            .find_map(|p| std::fs::read_to_string(p).ok())
            .ok_or_else(|| {
                format!(
                    "no CA bundle at {} (Debian: apt-get install ca-certificates)",
                    SYSTEM_BUNDLES.join(" or ")
                )
            })?;
        let bundle_text = format!("{}\n{}", system.trim_end(), root.pem());
        let bundle = dir.join("bundle.pem");
        std::fs::write(&bundle, &bundle_text).map_err(|e| format!("{}: {e}", bundle.display()))?;
        Ok(Tls {
            dir,
            root_pem,
            bundle,
            bundle_roots: bundle_text.matches("-----BEGIN CERTIFICATE-----").count(),
            config: Arc::new(config),
        })
    }

    /// The PEM file of the run's root alone.
    pub fn root_pem(&self) -> &Path {
        &self.root_pem
    }

    /// The environment that makes each runtime trust the run's root as a system CA.
    pub fn trust_env(&self) -> Vec<(String, String)> {
        let bundle = self.bundle.display().to_string();
        vec![
            ("SSL_CERT_FILE".into(), bundle.clone()),
            ("AWS_CA_BUNDLE".into(), bundle),
            ("NODE_EXTRA_CA_CERTS".into(), self.root_pem.display().to_string()),
        ]
    }
}

impl Drop for Tls {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A TLS endpoint on loopback that hands each request to a plain HTTP stand-in (the counting
/// proxy) and keeps the client's connection open, as AWS endpoints do.
#[derive(Debug)]
pub struct TlsFront {
    _acceptor: Acceptor,
    /// `https://127.0.0.1:<port>`.
    pub endpoint: String,
    /// When set, a kept connection's next request is not answered: the connection is closed
    /// once it is written, as a server that closed an idle connection while the client's
    /// process was frozen looks to the client when it thaws.
    hang_up: Arc<AtomicBool>,
    hang_ups: Arc<AtomicUsize>,
}

impl TlsFront {
    pub fn start(tls: &Tls, target: &str) -> TlsFront {
        let config = Arc::clone(&tls.config);
        let target = target.to_owned();
        let hang_up = Arc::new(AtomicBool::new(false));
        let hang_ups = Arc::new(AtomicUsize::new(0));
        let (hanging, hung) = (Arc::clone(&hang_up), Arc::clone(&hang_ups));
        let acceptor = Acceptor::start(move |conn: TcpStream| {
            let Ok(session) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                return;
            };
            let mut reader = BufReader::new(rustls::StreamOwned::new(session, conn));
            let mut answered = 0;
            // A failed handshake or a closed connection ends the loop; the client sees it.
            while let Ok(Some(req)) = HttpRequest::read_next(&mut reader) {
                if answered > 0 && hanging.load(Ordering::SeqCst) {
                    hung.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                let (status, headers, body) = req.forward(&target);
                if write_answer(reader.get_mut(), status, &headers, &body, true).is_err() {
                    break;
                }
                answered += 1;
            }
        });
        TlsFront {
            endpoint: format!("https://127.0.0.1:{}", acceptor.port),
            _acceptor: acceptor,
            hang_up,
            hang_ups,
        }
    }

    /// From now on a kept connection's next request is not answered: the front closes the
    /// connection once the request is written (`false`: kept connections are answered again).
    pub fn hang_up_kept(&self, on: bool) {
        self.hang_up.store(on, Ordering::SeqCst);
    }

    /// How many requests on kept connections the front has hung up on.
    pub fn hang_ups(&self) -> usize {
        self.hang_ups.load(Ordering::SeqCst)
    }
}

/// A client that trusts the run's root alone (`trust: true`) or nothing.
fn client(tls: &Tls, trust: bool) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    if trust {
        let pem = std::fs::read(&tls.root_pem).map_err(|e| format!("{}: {e}", tls.root_pem.display()))?;
        let der = rustls::pki_types::pem::PemObject::from_pem_slice(&pem).map_err(|e| format!("root: {e}"))?;
        roots.add(der).map_err(|e| format!("root: {e}"))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Sends one empty `POST` per path on one TLS connection to `endpoint`; returns the answers.
fn exchange(endpoint: &str, client: Arc<rustls::ClientConfig>, paths: &[&str]) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").map_err(std::io::Error::other)?;
    let session = rustls::ClientConnection::new(client, name).map_err(std::io::Error::other)?;
    let tcp = TcpStream::connect(endpoint.trim_start_matches("https://"))?;
    let mut stream = rustls::StreamOwned::new(session, tcp);
    let mut answers = String::new();
    for path in paths {
        write!(stream, "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n")?;
        stream.flush()?;
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf)?;
        answers.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    Ok(answers)
}

impl TlsFront {
    /// One handshake and one request before any timing, so that no subject pays for the
    /// server's first (its own first random bytes and key schedule).
    pub fn warm(&self, tls: &Tls) -> Result<(), String> {
        let answers =
            exchange(&self.endpoint, client(tls, true)?, &["/"]).map_err(|e| format!("{}: {e}", self.endpoint))?;
        if answers.starts_with("HTTP/1.1") {
            Ok(())
        } else {
            Err(format!("{}: not an HTTP answer", self.endpoint))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The front answers over TLS with the run's chain on one kept-alive connection, the
    /// bundle holds the run's root, and a client that does not trust the root refuses it.
    #[test]
    fn a_client_trusting_the_runs_root_gets_the_stand_ins_answers_on_one_connection_and_others_are_refused() {
        let stand_in = Acceptor::start(|conn: TcpStream| {
            if let Ok(req) = HttpRequest::read(&conn) {
                let body = format!("{} {}", req.method, req.path);
                let _ = crate::write_response(&conn, 200, &[], body.as_bytes());
            }
        });
        let tls = Tls::make().expect("certificates");
        assert!(tls.bundle_roots > 1, "the machine's roots and the run's");
        let bundle = std::fs::read_to_string(&tls.bundle).expect("bundle");
        let root = std::fs::read_to_string(&tls.root_pem).expect("root");
        assert!(bundle.ends_with(&root), "the bundle ends with the run's root");
        let front = TlsFront::start(&tls, &format!("http://127.0.0.1:{}", stand_in.port));

        let answers = exchange(
            &front.endpoint,
            client(&tls, true).expect("client"),
            &["/first", "/second"],
        )
        .expect("two requests on one TLS connection");
        assert!(
            answers.contains("POST /first") && answers.contains("POST /second"),
            "{answers}"
        );
        assert!(answers.contains("connection: keep-alive"), "{answers}");

        let refused = exchange(&front.endpoint, client(&tls, false).expect("client"), &["/first"]);
        assert!(
            refused.is_err(),
            "a client without the run's root must refuse the endpoint"
        );
    }
}
