//! Credentials: every request's AccessKey read from the V1 (`OSS ak:sig`) or V4
//! (`OSS4-HMAC-SHA256 Credential=...`) `Authorization` header or presigned query, and, when the
//! emulator is given a key pair, the signature checked as OSS checks it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use http::{HeaderMap, Method};
use sha1::Sha1;

#[cfg(test)]
use self::v4::hex;
use self::v4::{v4_signature, v4_string_to_sign};
use crate::responses::ErrorReply;

/// The one AccessKey pair the emulator accepts, when it checks signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// AccessKey ID.
    pub id: String,
    /// AccessKey secret.
    pub secret: String,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl std::str::FromStr for AccessKey {
    type Err = String;

    /// Reads `ID:SECRET`.
    fn from_str(text: &str) -> Result<AccessKey, String> {
        match text.split_once(':') {
            Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok(AccessKey {
                id: id.to_owned(),
                secret: secret.to_owned(),
            }),
            _ => Err("an access key is ID:SECRET, both non-empty".to_owned()),
        }
    }
}

/// The signature a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Credential {
    /// Anonymous.
    None,
    /// V1: HMAC-SHA1, base64.
    V1 {
        access_key_id: String,
        signature: String,
        /// `Expires` of a presigned URL (it takes the place of `Date`).
        expires: Option<String>,
    },
    /// V4: HMAC-SHA256, hex.
    V4 {
        access_key_id: String,
        /// `yyyymmdd/region/product/aliyun_v4_request`.
        scope: String,
        additional_headers: Vec<String>,
        signature: String,
        /// Whether it came in the query (presigned).
        in_query: bool,
        /// A presigned URL's end (`x-oss-date` + `x-oss-expires`), seconds since the epoch;
        /// `Some(0)` when they cannot be read (so it is expired).
        expires_at: Option<u64>,
    },
}

impl Credential {
    /// The AccessKey ID named, if any.
    pub(crate) fn access_key_id(&self) -> Option<&str> {
        match self {
            Credential::None => None,
            Credential::V1 { access_key_id, .. } | Credential::V4 { access_key_id, .. } => {
                Some(access_key_id)
            }
        }
    }
}

/// What a signature covers.
#[derive(Debug)]
pub(crate) struct Signed<'a> {
    pub(crate) method: &'a Method,
    pub(crate) headers: &'a HeaderMap,
    /// The raw query, as sent.
    pub(crate) raw_query: &'a str,
    /// The query, decoded.
    pub(crate) query: &'a [(String, String)],
    pub(crate) bucket: &'a str,
    pub(crate) key: &'a str,
}

impl Signed<'_> {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the credential of a request (header first, then the query).
pub(crate) fn credential(request: &Signed<'_>) -> Result<Credential, ErrorReply> {
    let authorization = request.header("authorization");
    if let Some(rest) = authorization.strip_prefix("OSS4-HMAC-SHA256 ") {
        return v4_header(rest);
    }
    if let Some(rest) = authorization.strip_prefix("OSS ") {
        let (id, signature) = rest
            .split_once(':')
            .ok_or_else(|| ErrorReply::invalid_argument("Authorization header is invalid."))?;
        return Ok(Credential::V1 {
            access_key_id: id.trim().to_owned(),
            signature: signature.trim().to_owned(),
            expires: None,
        });
    }
    if !authorization.is_empty() {
        return Err(ErrorReply::invalid_argument(
            "Authorization header is invalid.",
        ));
    }
    if let (Some(id), Some(signature)) =
        (request.param("OSSAccessKeyId"), request.param("Signature"))
    {
        return Ok(Credential::V1 {
            access_key_id: id.to_owned(),
            signature: signature.to_owned(),
            expires: request.param("Expires").map(str::to_owned),
        });
    }
    if let (Some(credential), Some(signature)) = (
        request.param("x-oss-credential"),
        request.param("x-oss-signature"),
    ) {
        let (id, scope) = credential
            .split_once('/')
            .ok_or_else(|| ErrorReply::invalid_argument("x-oss-credential is invalid."))?;
        return Ok(Credential::V4 {
            access_key_id: id.to_owned(),
            scope: scope.to_owned(),
            additional_headers: list(request.param("x-oss-additional-headers").unwrap_or("")),
            signature: signature.to_owned(),
            in_query: true,
            expires_at: request
                .param("x-oss-expires")
                .map(|expires| presigned_end(request.param("x-oss-date"), expires).unwrap_or(0)),
        });
    }
    Ok(Credential::None)
}

/// When a V4 presigned URL expires: its `x-oss-date` (`20240102T030405Z`) plus `x-oss-expires`
/// seconds.
fn presigned_end(date: Option<&str>, expires: &str) -> Option<u64> {
    let date = date?.as_bytes();
    let part = |range: std::ops::Range<usize>| std::str::from_utf8(date.get(range)?).ok();
    if date.len() != 16 || date.get(8) != Some(&b'T') || date.get(15) != Some(&b'Z') {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        part(0..4)?,
        part(4..6)?,
        part(6..8)?,
        part(9..11)?,
        part(11..13)?,
        part(13..15)?
    );
    let start = humantime::parse_rfc3339(&rfc3339).ok()?;
    let start = start.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    start.checked_add(expires.parse().ok()?)
}

/// `Credential=ak/scope,AdditionalHeaders=a;b,Signature=hex`.
fn v4_header(rest: &str) -> Result<Credential, ErrorReply> {
    let invalid = || ErrorReply::invalid_argument("Authorization header is invalid.");
    let mut credential = None;
    let mut additional = Vec::new();
    let mut signature = None;
    for field in rest.split(',') {
        let (name, value) = field.trim().split_once('=').ok_or_else(invalid)?;
        match name {
            "Credential" => credential = Some(value),
            "AdditionalHeaders" => additional = list(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    let (id, scope) = credential
        .and_then(|c| c.split_once('/'))
        .ok_or_else(invalid)?;
    Ok(Credential::V4 {
        access_key_id: id.to_owned(),
        scope: scope.to_owned(),
        additional_headers: additional,
        signature: signature.ok_or_else(invalid)?.to_owned(),
        in_query: false,
        expires_at: None,
    })
}

fn list(text: &str) -> Vec<String> {
    text.split(';')
        .filter(|h| !h.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Checks `credential` against `key`: `SignatureDoesNotMatch` or `InvalidAccessKeyId` as OSS
/// answers them. Anonymous requests pass (buckets here are public-read-write).
pub(crate) fn verify(
    credential: &Credential,
    key: &AccessKey,
    request: &Signed<'_>,
) -> Result<(), ErrorReply> {
    let (id, expected, given, string_to_sign) = match credential {
        Credential::None => return Ok(()),
        Credential::V1 {
            access_key_id,
            signature,
            expires,
        } => {
            let string_to_sign = v1_string_to_sign(request, expires.as_deref());
            let expected = BASE64.encode(hmac_sha1(&key.secret, &string_to_sign));
            (access_key_id, expected, signature, string_to_sign)
        }
        Credential::V4 {
            access_key_id,
            scope,
            additional_headers,
            signature,
            in_query,
            ..
        } => {
            let string_to_sign = v4_string_to_sign(request, scope, additional_headers, *in_query);
            let expected = v4_signature(&key.secret, scope, &string_to_sign);
            (access_key_id, expected, signature, string_to_sign)
        }
    };
    if *id != key.id {
        return Err(ErrorReply::invalid_access_key_id());
    }
    if expected != *given {
        return Err(ErrorReply::signature_does_not_match(&string_to_sign));
    }
    Ok(())
}

/// How far a signed request's `Date` may be from the emulator's clock (OSS: 15 minutes).
const MAX_SKEW_SECS: u64 = 15 * 60;

/// Checks the time a signed request carries: a presigned URL past its `Expires` is
/// `AccessDenied` ("Request has expired."), a header-signed request whose `Date` is more than
/// 15 minutes off is `RequestTimeTooSkewed`. Anonymous requests carry no time to check.
pub(crate) fn check_time(
    credential: &Credential,
    headers: &HeaderMap,
    now: std::time::SystemTime,
) -> Result<(), ErrorReply> {
    let now_secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match credential {
        Credential::None => Ok(()),
        Credential::V1 {
            expires: Some(expires),
            ..
        } => match expires.parse::<u64>() {
            Ok(expires) if expires >= now_secs => Ok(()),
            _ => Err(ErrorReply::access_denied("Request has expired.")),
        },
        Credential::V4 {
            in_query: true,
            expires_at,
            ..
        } => match expires_at {
            Some(end) if *end < now_secs => Err(ErrorReply::access_denied("Request has expired.")),
            _ => Ok(()),
        },
        Credential::V1 { .. } | Credential::V4 { .. } => {
            let date = headers
                .get("x-oss-date")
                .or_else(|| headers.get("date"))
                .and_then(|v| v.to_str().ok())
                .and_then(|v| httpdate::parse_http_date(v).ok());
            let Some(date) = date else {
                return Ok(());
            };
            let secs = date
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            if secs.abs_diff(now_secs) > MAX_SKEW_SECS {
                return Err(ErrorReply::new(
                    http::StatusCode::FORBIDDEN,
                    "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.",
                ));
            }
            Ok(())
        }
    }
}

/// Checks the signature of a PostObject form: V1 (`OSSAccessKeyId`, `Signature`) or V4
/// (`x-oss-credential`, `x-oss-signature`), both over the base64 `policy`. A form without
/// signature fields is anonymous and passes.
pub(crate) fn verify_post(form: &crate::PostForm, key: &AccessKey) -> Result<(), ErrorReply> {
    let policy = form.field("policy").unwrap_or_default();
    let (id, expected, given) = if let Some(credential) = form.field("x-oss-credential") {
        let (id, scope) = credential
            .split_once('/')
            .ok_or_else(|| ErrorReply::invalid_argument("x-oss-credential is invalid."))?;
        let given = form.field("x-oss-signature").unwrap_or_default();
        (id, v4_signature(&key.secret, scope, policy), given)
    } else if let Some(id) = form.field("ossaccesskeyid") {
        let given = form.field("signature").unwrap_or_default();
        (id, BASE64.encode(hmac_sha1(&key.secret, policy)), given)
    } else {
        return Ok(());
    };
    if id != key.id {
        return Err(ErrorReply::invalid_access_key_id());
    }
    if expected != given {
        return Err(ErrorReply::signature_does_not_match(policy));
    }
    Ok(())
}

/// The query parameters V1 signs (OSS's sub-resources; the others are left out).
const V1_SUBRESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "callback",
    "callback-var",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "httpsConfig",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "redundancyTransition",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "resourceGroup",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-async-process",
    "x-oss-process",
    "x-oss-request-payer",
    "x-oss-traffic-limit",
];

/// VERB, Content-MD5, Content-Type, Date (or Expires), the `x-oss-` headers, the resource.
pub(crate) fn v1_string_to_sign(request: &Signed<'_>, expires: Option<&str>) -> String {
    let date = match expires {
        Some(expires) => expires,
        None => match request.header("x-oss-date") {
            "" => request.header("date"),
            date => date,
        },
    };
    let mut oss_headers: Vec<(String, std::borrow::Cow<'_, str>)> = request
        .headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-oss-"))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()),
            )
        })
        .collect();
    oss_headers.sort();
    let mut text = format!(
        "{}\n{}\n{}\n{date}\n",
        request.method,
        request.header("content-md5"),
        request.header("content-type"),
    );
    for (name, value) in oss_headers {
        text.push_str(&format!("{name}:{value}\n"));
    }
    text.push('/');
    if !request.bucket.is_empty() {
        text.push_str(&format!("{}/{}", request.bucket, request.key));
    }
    let mut subresources: Vec<&(String, String)> = request
        .query
        .iter()
        .filter(|(k, _)| V1_SUBRESOURCES.contains(&k.as_str()))
        .collect();
    subresources.sort();
    for (n, (name, value)) in subresources.into_iter().enumerate() {
        text.push(if n == 0 { '?' } else { '&' });
        text.push_str(name);
        if !value.is_empty() {
            text.push('=');
            text.push_str(value);
        }
    }
    text
}

fn hmac_sha1(secret: &str, message: &str) -> Vec<u8> {
    match Hmac::<Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

mod v4;

#[cfg(test)]
mod tests;
