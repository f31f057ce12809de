//! The bucket allowlist: which buckets (and key prefixes) a callback may be about, read from
//! the signed body.

use std::fmt;

use crate::callback::body::{Members, Value, form, json};
use crate::callback::{BodyType, CallbackError, OssCallback};

/// The buckets a callback may be about, each with optional key prefixes. Empty: every bucket
/// (no check).
///
/// OSS signs the body, and the body names the bucket (`${bucket}`) and the object
/// (`${object}`): checked there, a callback that another account's bucket made OSS send is
/// refused even though its signature is valid.
///
/// ```
/// use oss_callback::guard::{Allowlist, BodyKeys};
/// use oss_callback::BodyType;
///
/// let allow = Allowlist::buckets(["photos"]).bucket_with_prefixes("docs", ["public/"]);
/// let keys = BodyKeys::default();
/// let check = |body: &str| allow.check(BodyType::Form, body.as_bytes(), &keys);
/// assert!(check("bucket=photos&object=cat.jpg").is_ok());
/// assert!(check("bucket=docs&object=public%2Fa.pdf").is_ok());
/// assert!(check("bucket=docs&object=private/a.pdf").is_err());
/// assert!(check("bucket=attacker&object=cat.jpg").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowlist {
    buckets: Vec<AllowedBucket>,
}

/// One allowed bucket and the key prefixes allowed in it (none: every key).
#[derive(Clone, Debug, PartialEq, Eq)]
struct AllowedBucket {
    name: String,
    prefixes: Vec<String>,
}

impl Allowlist {
    /// Allows these buckets, every key in them.
    pub fn buckets<I, B>(buckets: I) -> Allowlist
    where
        I: IntoIterator<Item = B>,
        B: Into<String>,
    {
        Allowlist {
            buckets: buckets
                .into_iter()
                .map(|name| AllowedBucket {
                    name: name.into(),
                    prefixes: Vec::new(),
                })
                .collect(),
        }
    }

    /// Also allows `bucket`, but only keys that start with one of `prefixes`.
    #[must_use]
    pub fn bucket_with_prefixes<I, P>(mut self, bucket: impl Into<String>, prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.buckets.push(AllowedBucket {
            name: bucket.into(),
            prefixes: prefixes.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// Whether no bucket is named (then nothing is checked).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The bucket names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.buckets.iter().map(|b| b.name.as_str())
    }

    /// Checks the signed `body` (already verified) against the list. An empty list allows all.
    pub fn check(
        &self,
        body_type: BodyType,
        body: &[u8],
        keys: &BodyKeys,
    ) -> Result<(), NotAllowed> {
        if self.is_empty() {
            return Ok(());
        }
        let signed = SignedObject::read(body_type, body, keys)?;
        let bucket = signed.bucket.ok_or(NotAllowed::BucketNotSigned {
            key: keys.bucket.clone(),
        })?;
        let mut allowed = self.buckets.iter().filter(|b| b.name == bucket).peekable();
        if allowed.peek().is_none() {
            return Err(NotAllowed::Bucket { bucket });
        }
        if allowed.clone().any(|b| b.prefixes.is_empty()) {
            return Ok(());
        }
        let object = signed.object.ok_or(NotAllowed::ObjectNotSigned {
            key: keys.object.clone(),
        })?;
        if allowed.any(|b| b.prefixes.iter().any(|p| object.starts_with(p.as_str()))) {
            Ok(())
        } else {
            Err(NotAllowed::Object { bucket, object })
        }
    }
}

/// The body keys that carry `${bucket}` and `${object}` (default: `bucket` and `object`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyKeys {
    /// The key of `${bucket}`.
    pub bucket: String,
    /// The key of `${object}`.
    pub object: String,
}

impl Default for BodyKeys {
    fn default() -> Self {
        BodyKeys {
            bucket: "bucket".to_owned(),
            object: "object".to_owned(),
        }
    }
}

impl BodyKeys {
    /// The keys `T`'s template gives the two variables (renamed fields included).
    #[must_use]
    pub fn of<T: OssCallback>() -> BodyKeys {
        let key = |variable: &str, default: &str| {
            T::FIELDS
                .iter()
                .find(|f| f.variable == variable)
                .map_or(default, |f| f.key)
                .to_owned()
        };
        BodyKeys {
            bucket: key("bucket", "bucket"),
            object: key("object", "object"),
        }
    }
}

/// The bucket and object a body names.
struct SignedObject {
    bucket: Option<String>,
    object: Option<String>,
}

impl SignedObject {
    fn read(body_type: BodyType, body: &[u8], keys: &BodyKeys) -> Result<Self, NotAllowed> {
        let visit = |members: &mut Members<'_>| {
            let (mut bucket, mut object) = (None, None);
            let wanted = [keys.bucket.as_str(), keys.object.as_str()];
            members.for_each(&wanted, |key, value| {
                let slot = if key == keys.bucket {
                    &mut bucket
                } else if key == keys.object {
                    &mut object
                } else {
                    return Ok(());
                };
                // A second value could mean another bucket to another parser: refused.
                if slot.is_some() {
                    return Err(CallbackError::DuplicateField {
                        key: "bucket/object",
                    });
                }
                *slot = match value {
                    Value::Text(text) => Some(text.clone().into_owned()),
                    Value::Null | Value::Composite(_) => None,
                };
                Ok(())
            })?;
            Ok(SignedObject { bucket, object })
        };
        match body_type {
            BodyType::Form => form(body, visit),
            BodyType::Json => json(body, visit),
        }
        .map_err(NotAllowed::Body)
    }
}

/// Why the allowlist refused a callback (answered 403, except an unreadable body: 400).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotAllowed {
    /// The bucket is not on the list.
    Bucket {
        /// The bucket the signed body names.
        bucket: String,
    },
    /// The bucket is on the list, but not with this key's prefix.
    Object {
        /// The bucket.
        bucket: String,
        /// The object's key.
        object: String,
    },
    /// The body has no bucket: the template lacks `${bucket}`, so the list cannot be checked.
    BucketNotSigned {
        /// The body key looked for.
        key: String,
    },
    /// The body has no object, and the bucket allows only some prefixes.
    ObjectNotSigned {
        /// The body key looked for.
        key: String,
    },
    /// The body could not be read for its bucket.
    Body(CallbackError),
}

impl NotAllowed {
    /// A short, stable name: `bucket_not_allowed`, `object_not_allowed`,
    /// `bucket_not_signed`, `object_not_signed`, or the body error's kind.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            NotAllowed::Bucket { .. } => "bucket_not_allowed",
            NotAllowed::Object { .. } => "object_not_allowed",
            NotAllowed::BucketNotSigned { .. } => "bucket_not_signed",
            NotAllowed::ObjectNotSigned { .. } => "object_not_signed",
            NotAllowed::Body(err) => err.kind(),
        }
    }

    /// 400 for a body that cannot be read, 403 otherwise.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            NotAllowed::Body(_) => 400,
            _ => 403,
        }
    }
}

impl fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotAllowed::Bucket { bucket } => write!(
                f,
                "the callback is about bucket `{bucket}`, which this server does not serve: OSS signed it, but for an upload to someone else's bucket"
            ),
            NotAllowed::Object { bucket, object } => write!(
                f,
                "the callback is about `{object}` in bucket `{bucket}`, outside the key prefixes this server serves there"
            ),
            NotAllowed::BucketNotSigned { key } => write!(
                f,
                "the callback body has no `{key}`: the bucket allowlist needs `{key}=${{bucket}}` in the callbackBody"
            ),
            NotAllowed::ObjectNotSigned { key } => write!(
                f,
                "the callback body has no `{key}`: the key prefixes need `{key}=${{object}}` in the callbackBody"
            ),
            NotAllowed::Body(err) => write!(
                f,
                "the callback body could not be read for its bucket: {err}"
            ),
        }
    }
}

impl std::error::Error for NotAllowed {}
