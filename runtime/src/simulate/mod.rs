//! OSS, locally (feature `simulate`): the callback an upload triggers, sent to your server
//! and judged the way OSS judges it, without uploading anything.
//!
//! The simulator checks the callback parameter as OSS does on upload (a bad one refuses the
//! upload with 400), renders the body from the object's metadata and the custom variables,
//! signs it with its own key (pin [`SIMULATOR_PUBLIC_KEY_PEM`] in the server under test),
//! POSTs it with the headers OSS sends to each URL in order until one accepts, within 5 s,
//! reads the answer off the wire itself, and judges it with the catalog's validator. The
//! result is what the uploader would receive: 200 with the server's body, or 203 with the XML
//! error, plus every rule's result.
//!
//! ```no_run
//! # async fn demo() {
//! use oss_callback::callback::{CallbackParameter, CallbackVariables};
//! use oss_callback::simulate::{ObjectInfo, Simulator};
//!
//! let param = CallbackParameter::new(
//!     "http://127.0.0.1:8080/oss/callback",
//!     "bucket=${bucket}&object=${object}&size=${size}&uid=${x:uid}",
//! );
//! let vars = CallbackVariables::new().set("uid", 42).unwrap();
//! let object = ObjectInfo::new("photos", "2024/cat.jpg").size(1024);
//! let simulation = Simulator::new().upload(&param, &vars, &object).await;
//! if let Some(failure) = &simulation.failure {
//!     println!("{}: {}", failure.id(), failure.cause());
//! }
//! # }
//! ```
//!
//! Where real OSS differs: it refuses private callback addresses (the simulator warns instead,
//! so that local servers can be tested), and its own key signs the callbacks.

mod exchange;
mod key;
mod object;
mod outcome;
mod replay;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use self::exchange::{Received, Target, exchange};
use self::key::SimulatorSigner;
pub use self::key::{SIMULATOR_PUBLIC_KEY_PEM, simulator_key};
pub use self::object::{ImageInfo, ObjectInfo};
pub use self::outcome::{Attempt, Simulation, error_xml};
use self::replay::judged;
use crate::callback::{
    CallbackParameter, CallbackVariables, ParameterError, PrivateAddresses, render_body,
};
use crate::catalog::CallbackFailed;
use crate::judge::Limits;
use crate::verify::string_to_sign;
use oss_callback_catalog::is_bucket_name;

/// The key URL OSS names in `x-oss-pub-key-url` (the simulator sends it too unless
/// [`Simulator::key_url`] names another; its signatures verify only with its own key).
const OSS_KEY_URL: &str = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem";

/// The EC a 203 body carries when its entry documents none of its own (current OSS bodies
/// always carry one: the one of every `Error status` message).
pub const CALLBACK_FAILED_EC: &str = "0007-00000203";

/// Acts as OSS after an upload.
pub struct Simulator {
    signer: SimulatorSigner,
    limits: Limits,
    injected: Option<CallbackFailed>,
    key_url: String,
    private: PrivateAddresses,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("limits", &self.limits)
            .field("injected", &self.injected)
            .field("key_url", &self.key_url)
            .field("private", &self.private)
            .finish_non_exhaustive()
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator::new()
    }
}

impl Simulator {
    /// A simulator with OSS's limits (5 s, 1 MiB) and its own key.
    #[must_use]
    pub fn new() -> Simulator {
        Simulator {
            signer: SimulatorSigner::new(),
            limits: Limits::OSS,
            injected: None,
            key_url: OSS_KEY_URL.to_owned(),
            private: PrivateAddresses::Allow,
        }
    }

    /// Whether a callback URL that resolves to a loopback or private address is refused as
    /// OSS refuses it (400, "Private address is forbidden to callback.", before any
    /// connection), or called with a warning (the default, for local work).
    #[must_use]
    pub fn private_addresses(mut self, private: PrivateAddresses) -> Self {
        self.private = private;
        self
    }

    /// Names `url` in `x-oss-pub-key-url` instead of OSS's key URL, e.g. a URL that serves
    /// [`SIMULATOR_PUBLIC_KEY_PEM`], so that servers which download the named key verify.
    #[must_use]
    pub fn key_url(mut self, url: impl Into<String>) -> Self {
        self.key_url = url.into();
        self
    }

    /// Other limits (e.g. a shorter timeout in tests).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Answers every upload with `failure` without calling the server: for the failures only
    /// OSS causes (`TooManyCallbackRequests`, `GetImageInfoFailed`), to test uploader code.
    #[must_use]
    pub fn inject(mut self, failure: CallbackFailed) -> Self {
        self.injected = Some(failure);
        self
    }

    /// Simulates an upload of `object` with the callback `param` and the custom `vars`.
    pub async fn upload(
        &self,
        param: &CallbackParameter,
        vars: &CallbackVariables,
        object: &ObjectInfo,
    ) -> Simulation {
        self.run(param, vars, object, self.injected.as_ref()).await
    }

    /// Like [`upload`](Self::upload), answered with `failure` without calling the server
    /// (as [`inject`](Self::inject), for this upload only): a fault queue's next fault.
    pub async fn upload_failing(
        &self,
        param: &CallbackParameter,
        vars: &CallbackVariables,
        object: &ObjectInfo,
        failure: &CallbackFailed,
    ) -> Simulation {
        self.run(param, vars, object, Some(failure)).await
    }

    async fn run(
        &self,
        param: &CallbackParameter,
        vars: &CallbackVariables,
        object: &ObjectInfo,
        injected: Option<&CallbackFailed>,
    ) -> Simulation {
        let start = std::time::Instant::now();
        let request_id = new_request_id();
        let host_id = format!("{}.oss-simulator.invalid", object.bucket);
        let mut simulation = Simulation {
            request_id: request_id.clone(),
            http_status: 200,
            body: Vec::new(),
            failure: None,
            refused: None,
            attempts: Vec::new(),
            warnings: Vec::new(),
            elapsed: Duration::ZERO,
        };
        let prepared = prepare(param, object);
        let targets = match resolve(prepared, self.private, &mut simulation.warnings).await {
            Ok(targets) => targets,
            Err(err) => return refuse(simulation, err, &host_id),
        };
        if let Some(failure) = injected {
            return self.failed(simulation, failure.clone(), &host_id);
        }
        let body = match render(param, vars, object, &request_id) {
            Ok(body) => body,
            Err(err) => return refuse(simulation, err, &host_id),
        };
        for (url, target, addr) in &targets {
            let request = self.request(param, target, &body, &request_id, object);
            let received = exchange(target, *addr, &request, param.sni, &self.limits).await;
            let attempt = judged(url.clone(), request, &received, &self.limits);
            let accepted = attempt.verdict.is_accepted();
            simulation.attempts.push(attempt);
            if accepted {
                if let Received::Response(response) = &received {
                    simulation.body = response.body().to_vec();
                }
                simulation.elapsed = start.elapsed();
                return simulation;
            }
        }
        simulation.elapsed = start.elapsed();
        // OSS does not document which failure it reports when every URL fails: the last.
        let failure = simulation
            .attempts
            .last()
            .and_then(|attempt| attempt.verdict.error.clone())
            .unwrap_or(CallbackFailed::LegacyCallbackFailed);
        self.failed(simulation, failure, &host_id)
    }

    fn failed(
        &self,
        mut simulation: Simulation,
        failure: CallbackFailed,
        host_id: &str,
    ) -> Simulation {
        simulation.http_status = CallbackFailed::INFO.http_status;
        simulation.body = error_xml(
            CallbackFailed::INFO.code,
            &failure.to_string(),
            &simulation.request_id,
            host_id,
            // Current OSS bodies always carry an EC; entries only OSS causes have none of
            // their own documented, so they get the one of every `Error status` message.
            Some(failure.entry().ec.unwrap_or(CALLBACK_FAILED_EC)),
        )
        .into_bytes();
        simulation.failure = Some(failure);
        simulation
    }

    /// The exact request the simulator sends to the URL at `index` of `param` (no network:
    /// the URL is not resolved), e.g. to see what a server receives.
    pub fn render_request(
        &self,
        param: &CallbackParameter,
        vars: &CallbackVariables,
        object: &ObjectInfo,
        index: usize,
    ) -> Result<Vec<u8>, ParameterError> {
        let (_, target) = prepare(param, object)?
            .into_iter()
            .nth(index)
            .ok_or(ParameterError::MissingUrl)?;
        let request_id = new_request_id();
        let body = render(param, vars, object, &request_id)?;
        Ok(self.request(param, &target, &body, &request_id, object))
    }

    /// The request OSS sends: signed, `Connection: close`, with OSS's headers.
    fn request(
        &self,
        param: &CallbackParameter,
        target: &Target,
        body: &[u8],
        request_id: &str,
        object: &ObjectInfo,
    ) -> Vec<u8> {
        let authorization = self
            .signer
            .sign(&string_to_sign(&target.path_and_query, body));
        let host = param.host.clone().unwrap_or_else(|| target.host_header());
        let mut head = format!("POST {} HTTP/1.1\r\n", target.path_and_query);
        let mut header = |name: &str, value: &str| {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        };
        header("Host", &host);
        header("Content-Type", param.body_type.content_type());
        header("Content-Length", &body.len().to_string());
        header("Content-MD5", &BASE64.encode(md5::compute(body).0));
        header("Date", &httpdate::fmt_http_date(SystemTime::now()));
        header("User-Agent", "aliyun-oss-callback");
        header("Authorization", &authorization);
        header("x-oss-pub-key-url", &BASE64.encode(&self.key_url));
        header("x-oss-bucket", &object.bucket);
        header("x-oss-owner", "1234567890123456");
        header("x-oss-requester", "1234567890123456");
        header("x-oss-request-id", request_id);
        header("x-oss-signature-version", "1.0");
        header("x-oss-tag", "CALLBACK");
        for (name, value) in &param.additional_headers {
            header(name, value);
        }
        header("Connection", "close");
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        request
    }
}

/// What OSS checks on upload without the network: the parameter, the bucket name, and a
/// target for every URL.
fn prepare(
    param: &CallbackParameter,
    object: &ObjectInfo,
) -> Result<Vec<(String, Target)>, ParameterError> {
    param.check()?;
    if !is_bucket_name(&object.bucket) {
        return Err(ParameterError::InvalidBucketName {
            bucket: object.bucket.clone(),
        });
    }
    param
        .urls
        .iter()
        .map(|url| Ok((url.clone(), Target::new(url)?)))
        .collect()
}

/// Resolves every prepared URL, as OSS does on upload; a private address is a warning here,
/// where OSS refuses it.
async fn resolve(
    prepared: Result<Vec<(String, Target)>, ParameterError>,
    private: PrivateAddresses,
    warnings: &mut Vec<String>,
) -> Result<Vec<(String, Target, SocketAddr)>, ParameterError> {
    let mut targets = Vec::new();
    for (url, target) in prepared? {
        let not_found = || ParameterError::HostNotFound {
            host: target.host.clone(),
        };
        let addr = tokio::net::lookup_host((target.host.as_str(), target.port))
            .await
            .map_err(|_| not_found())?
            .next()
            .ok_or_else(not_found)?;
        if crate::callback::is_private_ip(addr.ip()) {
            if private == PrivateAddresses::Refuse {
                return Err(ParameterError::PrivateAddress { url });
            }
            warnings.push(format!(
                "{url}: {} is a private address; real OSS refuses it (EC 0007-00000008, `Private address is forbidden to callback.`)",
                addr.ip()
            ));
        }
        targets.push((url, target, addr));
    }
    Ok(targets)
}

/// The callback body OSS renders for this upload.
fn render(
    param: &CallbackParameter,
    vars: &CallbackVariables,
    object: &ObjectInfo,
    request_id: &str,
) -> Result<Vec<u8>, ParameterError> {
    render_body(&param.body, param.body_type, |var| {
        object.value_of(var, vars, request_id)
    })
    .map(String::into_bytes)
    .map_err(ParameterError::InvalidTemplate)
}

/// The upload refused with 400 `InvalidArgument`, as OSS does for a bad callback parameter.
fn refuse(mut simulation: Simulation, err: ParameterError, host_id: &str) -> Simulation {
    simulation.http_status = 400;
    // OSS's message verbatim when the catalog has the refusal.
    let message = err
        .refusal()
        .map_or_else(|| err.to_string(), |refusal| refusal.to_string());
    simulation.body = error_xml(
        "InvalidArgument",
        &message,
        &simulation.request_id,
        host_id,
        err.ec(),
    )
    .into_bytes();
    simulation.refused = Some(err);
    simulation
}

/// A request id shaped like OSS's (24 upper-case hex digits), unique in this process.
#[must_use]
pub fn new_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let digest = md5::compute(format!("{nanos}-{count}-{}", std::process::id()));
    digest.iter().take(12).map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::{error_xml, is_bucket_name, new_request_id};
    use crate::callback::is_private_ip as is_private;

    #[test]
    fn request_ids_are_24_upper_case_hex_digits() {
        let id = new_request_id();
        assert_eq!(id.len(), 24);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
        assert_ne!(id, new_request_id());
    }

    #[test]
    fn error_xml_escapes_every_value() {
        let xml = error_xml(
            "InvalidArgument",
            "a <b> & c",
            "ID",
            "host",
            Some("0007-00000003"),
        );
        assert!(
            xml.contains("<Message>a &lt;b&gt; &amp; c</Message>"),
            "{xml}"
        );
        assert!(xml.contains("<EC>0007-00000003</EC>"), "{xml}");
        assert!(!error_xml("X", "m", "ID", "h", None).contains("<EC>"));
    }

    #[test]
    fn private_addresses_are_those_oss_refuses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "172.32.0.1", "203.0.113.10", "2001:db8::1"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn bucket_names_are_what_oss_allows() {
        assert!(is_bucket_name("examplebucket"));
        assert!(is_bucket_name("a-1"));
        for bad in ["ab", "-ab", "ab-", "Upper", "a_b", &"a".repeat(64)] {
            assert!(!is_bucket_name(bad), "{bad}");
        }
    }
}
