//! The mock's own two-level CA (rcgen): a root whose key is discarded once it has signed a
//! name-constrained intermediate, kept in `--ca-dir`; leaves are made in memory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SerialNumber,
};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::sign::CertifiedKey;
use x509_parser::extensions::GeneralName;

use crate::core::Error;
use crate::core::error::io_reason;

pub const CA_FILE: &str = "ca.pem";
pub const INTERMEDIATE_FILE: &str = "intermediate.pem";
pub const INTERMEDIATE_KEY_FILE: &str = "intermediate-key.pem";
pub const BUNDLE_FILE: &str = "bundle.pem";
/// A directory for `PHP_INI_SCAN_DIR`: PHP's curl and streams ignore `SSL_CERT_FILE`.
pub const PHP_DIR: &str = "php";

/// The CA's lifetime: long enough to be trusted once and forgotten.
const CA_DAYS: u64 = 3650;
/// A leaf lives as long as the process; a year covers any run.
const LEAF_DAYS: u64 = 365;
const DAY: Duration = Duration::from_secs(86_400);

/// The intermediate that signs leaves, loaded or made in `dir`.
pub(crate) struct Ca {
    dir: PathBuf,
    intermediate: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Ca {
    /// Loads the CA in `dir`, or makes one when none of its files exist. Anything else (a file
    /// missing, unreadable, corrupt, or an intermediate that does not permit every host) is an
    /// error naming the file: a silently new CA would be one no client trusts.
    /// A new intermediate permits `permit`; a loaded one must permit every host in `need`.
    pub(crate) fn open(dir: &Path, permit: &[&str], need: &[&str]) -> Result<Ca, Error> {
        let files = [CA_FILE, INTERMEDIATE_FILE, INTERMEDIATE_KEY_FILE];
        let present: Vec<bool> = files
            .iter()
            .map(|f| std::fs::symlink_metadata(dir.join(f)).is_ok())
            .collect();
        if present.iter().all(|p| !p) {
            match create(dir, permit) {
                Ok(()) => {}
                // Another process made it first: use theirs.
                Err(Made::Raced) => {}
                Err(Made::Failed(e)) => return Err(e),
            }
        } else if let Some(i) = present.iter().position(|p| !p) {
            return Err(bad(
                &dir.join(files[i]),
                "is missing while the other CA files are there",
            ));
        }
        load(dir, need)
    }

    pub(crate) fn ca_path(&self) -> PathBuf {
        self.dir.join(CA_FILE)
    }

    pub(crate) fn bundle_path(&self) -> PathBuf {
        self.dir.join(BUNDLE_FILE)
    }

    pub(crate) fn php_dir(&self) -> PathBuf {
        self.dir.join(PHP_DIR)
    }

    /// `php/wxlogin.ini`, pointing PHP's curl and OpenSSL streams at `bundle.pem`.
    pub(crate) fn write_php_ini(&self) -> Result<(), Error> {
        let bundle = self.bundle_path();
        let text = format!(
            "; wxlogin mock CA: PHP's curl and streams ignore SSL_CERT_FILE\n\
             curl.cainfo=\"{0}\"\nopenssl.cafile=\"{0}\"\n",
            bundle.display()
        );
        let dir = self.php_dir();
        let path = dir.join("wxlogin.ini");
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(());
        }
        make_dir(&dir)
            .and_then(|()| write_replace(&path, text.as_bytes(), 0o644))
            .map_err(|e| {
                Error::input(
                    "--ca-dir",
                    format!("cannot write {}: {}", path.display(), io_reason(&e)),
                    "give a --ca-dir in a writable directory",
                )
            })
    }

    /// A leaf for `names` (DNS names or IP addresses; the first is also the subject's CN),
    /// chained to the intermediate, ready for rustls.
    pub(crate) fn leaf(&self, names: &[&str]) -> Result<Arc<CertifiedKey>, Error> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(ca_error)?;
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .map_err(ca_error)?;
        params.distinguished_name = name(names.first().copied().unwrap_or("localhost"));
        // ExplicitNoCa writes CA:FALSE and a Subject Key Identifier; with the Authority Key
        // Identifier below, strict verifiers (Python 3.13's X509_STRICT) accept the leaf.
        params.is_ca = IsCa::ExplicitNoCa;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.serial_number = Some(serial());
        let now = rcgen::date_time_ymd(1970, 1, 1) + since_epoch();
        params.not_before = now - Duration::from_secs(3600);
        params.not_after = now + DAY * LEAF_DAYS as u32;
        let cert = params.signed_by(&key, &self.issuer).map_err(ca_error)?;
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signer = tokio_rustls::rustls::crypto::aws_lc_rs::sign::any_supported_type(&der)
            .map_err(|e| ca_error(format!("the leaf key is not usable: {e}")))?;
        Ok(Arc::new(CertifiedKey::new(
            vec![cert.der().clone(), self.intermediate.clone()],
            signer,
        )))
    }

    /// Writes `bundle.pem`: the system's trusted roots plus `ca.pem`, so a client told to use
    /// it still verifies every other host. Rewritten on each start, as the system's roots change.
    pub(crate) fn write_bundle(&self) -> Result<usize, Error> {
        let ca_path = self.ca_path();
        let ca = std::fs::read(&ca_path).map_err(|e| bad(&ca_path, &io_reason(&e)))?;
        let ca_der = CertificateDer::from_pem_slice(&ca)
            .map_err(|_| bad(&ca_path, "holds no PEM certificate"))?;
        // Honours SSL_CERT_FILE / SSL_CERT_DIR, which may point at this very bundle: duplicates
        // (and this CA) are skipped, so the bundle stays the same.
        let system = rustls_native_certs::load_native_certs();
        let mut seen = std::collections::HashSet::new();
        seen.insert(ca_der.as_ref().to_vec());
        let mut out = String::new();
        let mut roots = 0;
        for cert in &system.certs {
            if seen.insert(cert.as_ref().to_vec()) {
                out.push_str(&pem_encode(cert.as_ref()));
                roots += 1;
            }
        }
        out.push_str("# wxlogin mock CA\n");
        out.push_str(&String::from_utf8_lossy(&ca));
        let path = self.bundle_path();
        let same = std::fs::read(&path).is_ok_and(|old| old == out.as_bytes());
        if !same {
            write_replace(&path, out.as_bytes(), 0o644).map_err(|e| {
                Error::input(
                    "--ca-dir",
                    format!("cannot write {}: {}", path.display(), io_reason(&e)),
                    "give a --ca-dir in a writable directory",
                )
            })?;
        }
        Ok(roots)
    }
}

enum Made {
    /// The files appeared while we made ours.
    Raced,
    Failed(Error),
}

fn create(dir: &Path, hosts: &[&str]) -> Result<(), Made> {
    make_dir(dir).map_err(|e| {
        Made::Failed(Error::input(
            "--ca-dir",
            format!("cannot create {}: {}", dir.display(), io_reason(&e)),
            "give a --ca-dir in a writable directory",
        ))
    })?;
    let failed = |e| Made::Failed(ca_error(e));
    let now = rcgen::date_time_ymd(1970, 1, 1) + since_epoch();
    let not_after = now + DAY * CA_DAYS as u32;

    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(failed)?;
    let mut root = CertificateParams::default();
    root.distinguished_name = dn("wxlogin mock WeChat CA (local testing only)");
    root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.serial_number = Some(serial());
    root.not_before = now - DAY;
    root.not_after = not_after;
    let root_cert = root.self_signed(&root_key).map_err(failed)?;

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(failed)?;
    let mut inter = CertificateParams::default();
    inter.distinguished_name = dn("wxlogin mock WeChat intermediate (local testing only)");
    // pathlen:0 and name constraints: Java ignores constraints on a trust anchor but applies
    // them here, so trusting ca.pem can never vouch for another site.
    inter.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    inter.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    inter.name_constraints = Some(constraints(hosts));
    inter.use_authority_key_identifier_extension = true;
    inter.serial_number = Some(serial());
    inter.not_before = now - DAY;
    inter.not_after = not_after;
    let inter_cert = inter
        .signed_by(&key, &Issuer::new(root, root_key))
        .map_err(failed)?;
    // The root key went with the Issuer above: it is never written anywhere.

    // Key first, root last: a reader that sees ca.pem sees the rest. Each file appears whole
    // (written aside, then linked), and linking fails if another process got there first.
    let files = [
        (INTERMEDIATE_KEY_FILE, key.serialize_pem(), 0o600),
        (INTERMEDIATE_FILE, inter_cert.pem(), 0o644),
        (CA_FILE, root_cert.pem(), 0o644),
    ];
    for (file, text, mode) in files {
        let path = dir.join(file);
        match write_new(&path, text.as_bytes(), mode) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // Wait for the other process's last file, then load theirs.
                for _ in 0..50 {
                    if dir.join(CA_FILE).exists() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                return Err(Made::Raced);
            }
            Err(e) => {
                return Err(Made::Failed(Error::input(
                    "--ca-dir",
                    format!("cannot write {}: {}", path.display(), io_reason(&e)),
                    "give a --ca-dir in a writable directory",
                )));
            }
        }
    }
    Ok(())
}

fn load(dir: &Path, hosts: &[&str]) -> Result<Ca, Error> {
    let read = |file: &str| {
        let path = dir.join(file);
        std::fs::read(&path)
            .map_err(|e| bad(&path, &io_reason(&e)))
            .map(|b| (path, b))
    };
    let (ca_path, ca_pem) = read(CA_FILE)?;
    let (inter_path, inter_pem) = read(INTERMEDIATE_FILE)?;
    let (key_path, key_pem) = read(INTERMEDIATE_KEY_FILE)?;

    let ca_der = CertificateDer::from_pem_slice(&ca_pem)
        .map_err(|_| bad(&ca_path, "holds no PEM certificate"))?;
    let inter_der = CertificateDer::from_pem_slice(&inter_pem)
        .map_err(|_| bad(&inter_path, "holds no PEM certificate"))?;
    let (_, ca) = x509_parser::parse_x509_certificate(&ca_der)
        .map_err(|_| bad(&ca_path, "is not a readable X.509 certificate"))?;
    let (_, inter) = x509_parser::parse_x509_certificate(&inter_der)
        .map_err(|_| bad(&inter_path, "is not a readable X.509 certificate"))?;
    if !ca.is_ca() {
        return Err(bad(&ca_path, "is not a CA certificate"));
    }
    if !inter.is_ca() {
        return Err(bad(&inter_path, "is not a CA certificate"));
    }
    if inter.verify_signature(Some(ca.public_key())).is_err() {
        return Err(bad(&inter_path, "was not signed by ca.pem"));
    }
    for (path, cert) in [(&ca_path, &ca), (&inter_path, &inter)] {
        if !cert.validity().is_valid() {
            return Err(bad(path, "is expired or not yet valid"));
        }
    }
    let permitted: Vec<String> = match inter.name_constraints() {
        Ok(Some(nc)) => nc
            .value
            .permitted_subtrees
            .iter()
            .flatten()
            .filter_map(|s| match s.base {
                GeneralName::DNSName(d) => Some(d.to_ascii_lowercase()),
                _ => None,
            })
            .collect(),
        _ => return Err(bad(&inter_path, "has no name constraints")),
    };
    if let Some(host) = hosts.iter().find(|h| !permitted.iter().any(|p| p == *h)) {
        return Err(bad(
            &inter_path,
            &format!("does not permit {host} (made by an older wxlogin)"),
        ));
    }

    let key_text =
        std::str::from_utf8(&key_pem).map_err(|_| bad(&key_path, "is not a PEM private key"))?;
    let key =
        KeyPair::from_pem(key_text).map_err(|_| bad(&key_path, "is not a PEM private key"))?;
    if rcgen::PublicKeyData::subject_public_key_info(&key) != inter.public_key().raw {
        return Err(bad(&key_path, "is not the key of intermediate.pem"));
    }
    let issuer = Issuer::from_ca_cert_der(&inter_der, key)
        .map_err(|_| bad(&inter_path, "is not a usable CA certificate"))?;
    Ok(Ca {
        dir: dir.to_path_buf(),
        intermediate: inter_der.into_owned(),
        issuer,
    })
}

/// The intermediate may vouch only for the intercepted hosts and loopback.
fn constraints(hosts: &[&str]) -> NameConstraints {
    let mut permitted: Vec<GeneralSubtree> = hosts
        .iter()
        .map(|h| GeneralSubtree::DnsName(h.to_string()))
        .collect();
    permitted.push(GeneralSubtree::DnsName("localhost".into()));
    permitted.push(GeneralSubtree::IpAddress(rcgen::CidrSubnet::V4(
        [127, 0, 0, 1],
        [255, 255, 255, 255],
    )));
    NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: Vec::new(),
    }
}

fn dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "wxlogin");
    dn.push(DnType::CommonName, common_name);
    dn
}

/// A leaf's subject: its first name only, which the name constraints permit.
fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

fn serial() -> SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    bytes[0] &= 0x7f; // positive
    SerialNumber::from_slice(&bytes)
}

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
}

fn make_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes `path` whole or not at all; fails with `AlreadyExists` if it is there.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let tmp = temp_beside(path);
    write_file(&tmp, bytes, mode)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// Replaces `path` whole.
fn write_replace(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let tmp = temp_beside(path);
    write_file(&tmp, bytes, mode)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn temp_beside(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("ca");
    path.with_file_name(format!(
        ".{name}.{}.{:x}",
        std::process::id(),
        rand::random::<u32>()
    ))
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn pem_encode(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 64);
    out.push_str("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A CA file that cannot be used: exit 3, naming the file, never a silent new CA.
fn bad(path: &Path, why: &str) -> Error {
    Error::input(
        "--ca-dir",
        format!("{} {why}", path.display()),
        format!(
            "restore the file, or move {} away to make a new CA (clients must then trust the \
             new ca.pem)",
            path.parent().unwrap_or(path).display()
        ),
    )
}

fn ca_error(e: impl std::fmt::Display) -> Error {
    Error::transport(
        format!("cannot make the mock's certificates: {e}"),
        "this is a bug; please report it",
    )
}
